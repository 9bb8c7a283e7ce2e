/**
 * The I/O side of insight: where each counter lives for one running guest
 * (InsightSources), one snapshot of all of them, the window around fio, and
 * the configuration read back afterwards. The numbers are computed in
 * build.ts from what is read here.
 *
 * Sources are pluggable so other block paths fit without changes here: a
 * backend whose disk lives outside QEMU (vhost-user-blk in
 * qemu-storage-daemon) passes its process as an extra ProcessSource and its
 * QMP monitor as the BlockCounterSource.
 */
import type { ConfigInsight, CpuRole, InsightWindow, SampleInsight, Unavailable } from '../model/insight.js';
import type { HostSide } from '../vm/backends/backend.js';
import type { Accel, Metric } from '../model/sample.js';
import type { GuestRunner } from '../guest/ssh-session.js';
import type { ExecResult } from '../guest/remote-command.js';
import type { ActivityJournal } from '../util/activity-journal.js';
import type { InsightSampling } from '../profile/schema.js';
import { assertDeviceName } from '../guest/disk.js';
import { DEVICE_ID, DISK_NODE } from '../vm/launch-spec.js';
import { QmpError, type QmpClient } from '../vm/qmp.js';
import { devicePath, readDeviceIoeventfd, readHostThreadNames, readThreads } from '../vm/readback.js';
import { pickBlockCounters, type BlockCounters, type BlockstatsMatch } from './blockstats.js';
import { buildSampleInsight, fioFigures, type InsightInput, type Part, type Snapshot } from './build.js';
import { checkConfig, type ObservedConfig, type PlannedConfig } from './config.js';
import { GUEST_SNAPSHOT_SCRIPT, parseBlockStat, parseGuestSnapshot } from './guest-parse.js';
import { findKernelVhostWorkers, readProcessThreads, readThreadAffinity, type ProcessSource } from './host-threads.js';
import { findExitCounterSource, type ExitCounterSource } from './kvm-exits.js';
import type { RoleHints } from './thread-roles.js';
import { realClock, runWithWindow, type Clock, type WindowOutcome } from './window.js';
import { runAroundFio, type HostSnapshot } from './around-fio.js';

/** Read counters of the test disk from some QMP monitor. */
export interface BlockCounterSource {
  kind: 'qemu' | 'storage-daemon';
  node: string;
  read(): Promise<BlockCounters>;
}

/** `args`: qemu-storage-daemon has no guest device, its node's counters need `query-nodes: true`. */
function qmpBlockCounterSource(
  qmp: QmpClient,
  kind: BlockCounterSource['kind'],
  match: BlockstatsMatch,
  args?: Record<string, unknown>,
): BlockCounterSource {
  return {
    kind,
    node: match.nodeName ?? match.qdev ?? '?',
    read: async () => pickBlockCounters(await qmp.execute('query-blockstats', args), match),
  };
}

/** Host processes by HostSide role, as CPU roles. */
const HOST_SIDE_ROLES: Record<string, { label: string; role: CpuRole }> = {
  storage_daemon: { label: 'qemu-storage-daemon', role: 'storage-daemon' },
};

/**
 * What a backend started beside QEMU, as insight sources: its processes
 * (CPU by role) and its QMP monitor (the disk's blockstats live there for
 * vhost-user-blk: QEMU itself has no node of that disk).
 */
export function hostSideInsightExtras(hostSide: HostSide): { processes: ProcessSource[]; block?: BlockCounterSource } {
  const processes = Object.entries(hostSide.pids).map(([role, pid]) => ({
    label: HOST_SIDE_ROLES[role]?.label ?? role,
    pid,
    fixedRole: HOST_SIDE_ROLES[role]?.role ?? 'other',
  }));
  if (!hostSide.qmp) return { processes };
  return {
    processes,
    block: qmpBlockCounterSource(hostSide.qmp, 'storage-daemon', { nodeName: DISK_NODE }, { 'query-nodes': true }),
  };
}

export interface InsightSources {
  accel: Accel;
  qemu: { pid: number; qmp: QmpClient; deviceId: string };
  /** Processes besides QEMU whose CPU counts (qemu-storage-daemon for vhost-user-blk). */
  extraProcesses: ProcessSource[];
  /** Where the test disk's host-side counters are; null: nowhere readable (said in the results). */
  block: BlockCounterSource | null;
  guest: { session: GuestRunner; device: string };
  /** The boot's activity journal: fio's launch and end are marked in it. */
  journal?: ActivityJournal;
}

/** The part of a running guest insight reads (RunningGuest has all of it). */
export interface InsightTarget {
  qemu: { pid: number };
  qmp: QmpClient;
  session: GuestRunner;
  device: string;
  journal?: ActivityJournal;
}

/**
 * Sources for a guest whose disk is QEMU's own block node. `extra` plugs in
 * what another block path adds (the storage daemon's process and monitor).
 */
export function insightSourcesFor(
  guest: InsightTarget,
  accel: Accel,
  extra: { processes?: ProcessSource[]; block?: BlockCounterSource | null } = {},
): InsightSources {
  assertDeviceName(guest.device);
  return {
    accel,
    qemu: { pid: guest.qemu.pid, qmp: guest.qmp, deviceId: DEVICE_ID },
    extraProcesses: extra.processes ?? [],
    block: extra.block !== undefined ? extra.block : qmpBlockCounterSource(guest.qmp, 'qemu', { nodeName: DISK_NODE }),
    guest: { session: guest.session, device: guest.device },
    ...(guest.journal ? { journal: guest.journal } : {}),
  };
}

const firstLine = (err: unknown) => (err as Error).message.split('\n')[0] ?? String(err);

async function part<T>(read: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: firstLine(err) };
  }
}

const GUEST_TIMEOUT_MS = 15_000;

async function readGuest(s: InsightSources) {
  const r = await s.guest.session.run(['sh', '-c', GUEST_SNAPSHOT_SCRIPT, 'sh', s.guest.device], {
    timeoutMs: GUEST_TIMEOUT_MS,
  });
  return parseGuestSnapshot(r.stdout);
}

/** The host's counters at (nearly) one instant: threads, block and exit counters, concurrently. */
async function takeHostSnapshot(s: InsightSources, c: Collectors, clock: Clock): Promise<HostSnapshot> {
  const atMs = clock.now();
  const [host, block, exitCounters] = await Promise.all([
    part(() =>
      Promise.all(c.processes.map(async (source) => ({ source, threads: await readProcessThreads(source.pid) }))),
    ),
    s.block ? part(() => s.block!.read()) : Promise.resolve(null),
    c.exits ? part(() => c.exits!.read()) : Promise.resolve(null),
  ]);
  return { atMs, host, block, exits: exitCounters };
}

/** Everything at (nearly) one instant: the host's counters and the guest's, concurrently. */
async function takeSnapshot(s: InsightSources, c: Collectors, clock: Clock): Promise<Snapshot> {
  const [host, guest] = await Promise.all([takeHostSnapshot(s, c, clock), part(() => readGuest(s))]);
  return { ...host, guest };
}

/**
 * A counter that moves with the first I/O: QEMU's disk node operations when
 * its monitor answers, else the guest's reads (an SSH round trip per poll,
 * during fio's ramp only). The storage daemon's counters are not used: QEMU
 * 7.2's vhost-user-blk export does not account I/O, so they never move.
 */
async function ioProbe(
  s: InsightSources,
): Promise<{ probe: () => Promise<number>; name: InsightWindow['ioStartProbe'] }> {
  const block = s.block;
  if (
    block &&
    block.kind === 'qemu' &&
    (await block.read().then(
      () => true,
      () => false,
    ))
  ) {
    return {
      probe: async () => (await block.read()).rdOperations,
      name: block.kind === 'qemu' ? 'qemu-blockstats' : 'storage-daemon-blockstats',
    };
  }
  return {
    probe: async () => {
      const r = await s.guest.session.run(['cat', `/sys/block/${s.guest.device}/stat`], {
        timeoutMs: GUEST_TIMEOUT_MS,
      });
      return parseBlockStat(r.stdout).readIos;
    },
    name: 'guest-diskstats',
  };
}

/** A QOM property, or undefined when it cannot be read; `missing` is returned when QEMU says the property does not exist. */
async function qom<T>(qmp: QmpClient, path: string, property: string, missing?: T): Promise<T | undefined> {
  try {
    return (await qmp.execute('qom-get', { path, property })) as T;
  } catch (err) {
    if (missing !== undefined && err instanceof QmpError && /not found/i.test(err.desc)) return missing;
    return undefined;
  }
}

/** The configuration as the running system reports it, read after fio (nothing here is in the window). */
export async function readObservedConfig(
  s: InsightSources,
  planned: PlannedConfig,
  hints: { vcpus: { cpuIndex: number; threadId: number }[]; iothreads: { id: string; threadId: number }[] } | null,
  scheduler: string | undefined,
): Promise<{ observed: ObservedConfig; facts: ConfigInsight['facts'] }> {
  const { qmp, pid, deviceId } = s.qemu;
  const proxy = devicePath(deviceId);
  const kvm = await qmp.execute<{ enabled?: boolean }>('query-kvm').catch(() => undefined);
  const names = await readHostThreadNames(pid).catch(() => []);
  const iothreadId = planned.iothread?.split('/').pop();
  const iothreadTid = hints?.iothreads.find((t) => t.id === iothreadId)?.threadId;
  const vcpuAffinity: ObservedConfig['vcpuAffinity'] = [];
  for (const v of hints?.vcpus ?? []) {
    const cpusAllowed = await readThreadAffinity(pid, v.threadId);
    if (cpusAllowed !== null) vcpuAffinity.push({ cpuIndex: v.cpuIndex, tid: v.threadId, cpusAllowed });
  }
  const observed: ObservedConfig = {
    accel: kvm?.enabled === undefined ? undefined : kvm.enabled ? 'kvm' : 'tcg',
    deviceType: await qom<string>(qmp, proxy, 'type'),
    ioeventfd: planned.ioeventfd === null ? undefined : await readDeviceIoeventfd(qmp, deviceId).catch(() => undefined),
    // A device without the link (vhost-user-blk) runs on no iothread of QEMU's.
    iothread: await qom<string>(qmp, `${proxy}/virtio-backend`, 'iothread', '').then((v) =>
      v === undefined ? undefined : v === '' ? null : v,
    ),
    iothreadThreadName: iothreadTid === undefined ? undefined : names.find((n) => n.tid === iothreadTid)?.name,
    queueSize: await qom<number>(qmp, proxy, 'queue-size'),
    numQueues: await qom<number>(qmp, proxy, 'num-queues'),
    scheduler,
    vcpuAffinity,
    processAffinity: (await readThreadAffinity(pid, pid)) ?? undefined,
  };
  const facts: ConfigInsight['facts'] = {
    backend: planned.backend,
    deviceType: observed.deviceType ?? null,
    queueSize: observed.queueSize ?? null,
    numQueues: observed.numQueues ?? null,
    iothreads: hints ? hints.iothreads.map((t) => `${t.id} (tid ${t.threadId})`).join(', ') || 'none' : null,
    processAffinity: observed.processAffinity ?? null,
  };
  return { observed, facts };
}

export interface FioWithInsight<R> {
  result: R;
  /** Call with fio's metrics once it succeeded: reads the configuration back and builds the insight. */
  finish(metrics: Record<string, Metric>, opts: { schedulerReadBack?: string }): Promise<SampleInsight>;
}

/** What is found once before fio: thread roles, the exit counter source, the processes whose CPU counts. */
interface Collectors {
  threads: Awaited<ReturnType<typeof readThreads>> | null;
  hints: Omit<RoleHints, 'pid' | 'fixedRole'>;
  exitSource: ExitCounterSource | Unavailable;
  exits: ExitCounterSource | null;
  processes: ProcessSource[];
}

async function prepareCollectors(s: InsightSources): Promise<Collectors> {
  const threads = await readThreads(s.qemu.qmp).catch(() => null);
  const hints: Omit<RoleHints, 'pid' | 'fixedRole'> = threads
    ? {
        vcpuTids: new Set(threads.vcpus.map((v) => v.threadId)),
        iothreadTids: new Set(threads.iothreads.map((t) => t.threadId)),
      }
    : {};
  const exitSource = await findExitCounterSource(s.qemu.qmp, s.qemu.pid, s.accel).catch((err): Unavailable => ({
    available: false,
    reason: firstLine(err),
  }));
  const processes: ProcessSource[] = [
    { label: 'qemu', pid: s.qemu.pid },
    ...(await findKernelVhostWorkers(s.qemu.pid).catch(() => [])),
    ...s.extraProcesses,
  ];
  return { threads, hints, exitSource, exits: 'read' in exitSource ? exitSource : null, processes };
}

export interface FioInsightRequest {
  sources: InsightSources;
  planned: PlannedConfig;
  fioArgv: string[];
  timeoutMs: number;
  rampMs: number;
  runtimeMs: number;
  /** `outside-window`: around-fio.ts; `in-window` (opt-in): window.ts, snapshots while fio measures. */
  sampling: InsightSampling;
  /** Names the run in the journal (cell key and repetition). */
  what: string;
  clock?: Clock;
}

/**
 * Runs fio in the guest with the insight collectors around it, sampled as
 * `sampling` says. Setting up the collectors never fails the measurement:
 * whatever cannot be read is recorded as unavailable, with the reason.
 */
export async function runFioWithInsight(req: FioInsightRequest): Promise<FioWithInsight<ExecResult>> {
  const { sources: s } = req;
  const clock = req.clock ?? realClock;
  const c = await prepareCollectors(s);
  if (req.sampling === 'outside-window') {
    const { result, window } = await runAroundFio({
      session: s.guest.session,
      device: s.guest.device,
      fioArgv: req.fioArgv,
      timeoutMs: req.timeoutMs,
      hostSnapshot: () => takeHostSnapshot(s, c, clock),
      clock,
      what: req.what,
      ...(s.journal ? { journal: s.journal } : {}),
    });
    return { result, finish: finisher(req, c, window, { placement: 'around-fio', probe: null }) };
  }
  const probe = await ioProbe(s);
  const { result, window } = await runWithWindow({
    run: async () => {
      const running = s.guest.session.exec(req.fioArgv, { timeoutMs: req.timeoutMs });
      // After the exec is sent (journaled inside exec), so the launching exec itself is not inside the span.
      s.journal?.mark('fio-launch', req.what);
      return running.finally(() => s.journal?.mark('fio-end', req.what));
    },
    probe: probe.probe,
    snapshot: () => takeSnapshot(s, c, clock),
    rampMs: req.rampMs,
    runtimeMs: req.runtimeMs,
    clock,
  });
  return { result, finish: finisher(req, c, window, { placement: 'steady-state', probe: probe.name }) };
}

/** The `finish` of a run: reads the configuration back (after fio) and builds the insight. */
function finisher(
  req: FioInsightRequest,
  c: Collectors,
  window: WindowOutcome<Snapshot>,
  how: Pick<InsightInput, 'placement' | 'probe'>,
): FioWithInsight<ExecResult>['finish'] {
  const s = req.sources;
  return async (metrics, finishOpts) => {
    const scheduler = schedulerAtEnd(window) ?? finishOpts.schedulerReadBack;
    const config = await readObservedConfig(s, req.planned, c.threads, scheduler)
      .then(({ observed, facts }) => ({
        checks: checkConfig(req.planned, observed),
        facts,
        vcpuAffinity: observed.vcpuAffinity,
      }))
      .catch((err): Unavailable => ({
        available: false,
        reason: `reading the configuration back failed: ${firstLine(err)}`,
      }));
    const input = {
      ...how,
      fioPhaseMs: req.rampMs + req.runtimeMs,
      hints: c.hints,
      exits: c.exits ? { source: c.exits.source } : (c.exitSource as Unavailable),
      block: s.block
        ? { kind: s.block.kind, node: s.block.node }
        : { available: false as const, reason: 'no QMP monitor holds block counters of this disk' },
      fio: fioFigures(metrics),
      config,
    };
    try {
      return buildSampleInsight({ ...input, window });
    } catch (err) {
      // A bug here must not cost the measurement: the sample keeps fio's numbers and says why it has no insight.
      return buildSampleInsight({
        ...input,
        window: { ok: false, reason: `insight could not be computed: ${firstLine(err)}` },
      });
    }
  };
}

function schedulerAtEnd(window: WindowOutcome<Snapshot>): string | undefined {
  return window.ok && window.after.guest.ok ? window.after.guest.value.scheduler : undefined;
}
