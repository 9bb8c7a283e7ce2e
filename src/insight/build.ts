/**
 * Two snapshots → the SampleInsight stored with a sample. Pure: every number
 * is computed here from readings collect.ts took, so the arithmetic is tested
 * without a guest.
 */
import type {
  BlockstatsInsight,
  ConfigCheck,
  ConfigInsight,
  ExitsCounters,
  GuestInsight,
  HostCpuInsight,
  InsightWindow,
  Maybe,
  SampleInsight,
  Unavailable,
} from '../model/insight.js';
import { INSIGHT_VERSION } from '../model/insight.js';
import { type Metric } from '../model/sample.js';
import { METRIC } from '../model/metrics.js';
import { blockstatsInsight, type BlockCounters } from './blockstats.js';
import { busyTicks, cpuTicksDelta, interruptDeltas, type GuestReading } from './guest-parse.js';
import { hostCpuInsight, perIo, type ProcessReading } from './host-cpu.js';
import { diffCounters } from './kvm-stats.js';
import { NS_PER_TICK } from './proc-parse.js';
import type { RoleHints } from './thread-roles.js';
import type { WindowOutcome } from './window.js';

/** One part of a snapshot: its value, or the error that kept it from being read. */
export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Snapshot {
  /** Host clock (ms) when the snapshot began. */
  atMs: number;
  host: Part<ProcessReading[]>;
  /** null: no block counter source for this backend. */
  block: Part<BlockCounters> | null;
  /** null: no exit counter source (see InsightInput.exits). */
  exits: Part<Record<string, number>> | null;
  guest: Part<GuestReading>;
}

export interface FioFigures {
  iops: number | null;
  bwBytesPerS: number | null;
  usrCpuPct: number | null;
  sysCpuPct: number | null;
  ctx: number | null;
  totalIos: number | null;
}

/** fio's figures from a sample's metrics. */
export function fioFigures(metrics: Record<string, Metric>): FioFigures {
  const v = (name: string) => metrics[name]?.value ?? null;
  return {
    iops: v(METRIC.iops),
    bwBytesPerS: v(METRIC.bandwidth),
    usrCpuPct: v(METRIC.usrCpu),
    sysCpuPct: v(METRIC.sysCpu),
    ctx: v(METRIC.ctx),
    totalIos: v(METRIC.totalIos),
  };
}

export interface InsightInput {
  window: WindowOutcome<Snapshot>;
  /** How the window was sampled (InsightWindow.placement). */
  placement: InsightWindow['placement'];
  /** What placed a steady-state window; null around fio. */
  probe: InsightWindow['ioStartProbe'];
  /** fio's ramp + runtime, ms: around fio, the I/O phase fio's rate predicts the window's I/Os over. */
  fioPhaseMs: number;
  hints: Omit<RoleHints, 'pid' | 'fixedRole'>;
  /** The exit counter source found before the window, or why there is none. */
  exits: { source: ExitsCounters['source'] } | Unavailable;
  /** The block counter source, or why there is none. */
  block: { kind: 'qemu' | 'storage-daemon'; node: string } | Unavailable;
  fio: FioFigures;
  config:
    { checks: ConfigCheck[]; facts: ConfigInsight['facts']; vcpuAffinity: ConfigInsight['vcpuAffinity'] } | Unavailable;
}

const no = (reason: string): Unavailable => ({ available: false, reason });

/** Both parts read, or why not (the first error). */
function both<T>(a: Part<T> | null, b: Part<T> | null, what: string): { before: T; after: T } | Unavailable {
  if (a === null || b === null) return no(`${what}: no source`);
  if (!a.ok) return no(`${what} at the window start: ${a.error}`);
  if (!b.ok) return no(`${what} at the window end: ${b.error}`);
  return { before: a.value, after: b.value };
}

const isUnavailable = (x: object): x is Unavailable => 'available' in x && x.available === false;

/** Notes when the window or its readings deserve a word of caution. */
function windowNotes(window: InsightWindow, host: Maybe<HostCpuInsight>): string[] {
  const notes: string[] = [];
  if (window.ios !== null && window.fioRateIos !== null && window.fioRateIos > 0) {
    const r = window.ios / window.fioRateIos;
    if (Math.abs(r - 1) > 0.15) {
      notes.push(
        `the window held ${(r * 100).toFixed(0)} % of the I/Os fio's average rate predicts: the rate was not steady across fio's run`,
      );
    }
  }
  if (window.guestMs !== null && window.hostMs > 0 && Math.abs(window.guestMs / window.hostMs - 1) > 0.1) {
    const off = (window.guestMs / window.hostMs - 1) * 100;
    notes.push(
      `the guest's clock advanced ${(window.guestMs / 1000).toFixed(2)} s in ${(window.hostMs / 1000).toFixed(2)} s of host time (${off > 0 ? '+' : ''}${off.toFixed(0)} %): ` +
        `rates fio measured in the guest are off by about as much`,
    );
  }
  if (host.available && host.endedThreads > 0) {
    notes.push(
      `${host.endedThreads} host thread(s) ended during the window; their CPU after the window start is not counted`,
    );
  }
  return notes;
}

export function buildSampleInsight(input: InsightInput): SampleInsight {
  const w = input.window;
  const config = configInsight(input.config, null);
  if (!w.ok) {
    const why = no(`no measurement window: ${w.reason}`);
    return {
      version: INSIGHT_VERSION,
      window: no(w.reason),
      hostCpu: why,
      exits: isUnavailable(input.exits) ? input.exits : why,
      guest: why,
      blockstats: isUnavailable(input.block) ? input.block : why,
      config,
      notes: [],
    };
  }
  const windowMs = w.after.atMs - w.before.atMs;
  const guestParts = both(w.before.guest, w.after.guest, 'guest snapshot');
  const guestDiff = isUnavailable(guestParts) ? null : guestParts;
  const blockParts = isUnavailable(input.block) ? input.block : both(w.before.block, w.after.block, 'query-blockstats');
  const blockDiff = isUnavailable(blockParts) ? null : blockParts;
  const guestMs = guestDiff ? (guestDiff.after.uptimeS - guestDiff.before.uptimeS) * 1000 : null;
  const { ios, iosSource, guestIos } = denominators(guestDiff, blockDiff);
  // In the window, fio runs at its measured rate throughout; around fio, it issued I/O for ramp + runtime (its own clock).
  const rateMs = input.placement === 'around-fio' ? input.fioPhaseMs : windowMs;
  const window: InsightWindow = {
    placement: input.placement,
    ioStartProbe: input.probe,
    ioStartMs: w.ioStartMs === null ? null : round(w.ioStartMs),
    startMs: round(w.startMs),
    endMs: round(w.endMs),
    hostMs: round(windowMs),
    guestMs: guestMs === null ? null : round(guestMs),
    ios: ios === null ? null : round(ios),
    iosSource,
    guestIos,
    fioRateIos: input.fio.iops !== null ? round((input.fio.iops * rateMs) / 1000) : null,
  };

  const hostParts = both(w.before.host, w.after.host, 'host threads');
  const hostCpu: Maybe<HostCpuInsight> = isUnavailable(hostParts)
    ? hostParts
    : { available: true, ...hostCpuInsight(hostParts.before, hostParts.after, { ios, windowMs, hints: input.hints }) };

  return {
    version: INSIGHT_VERSION,
    window: { available: true, ...window },
    hostCpu,
    exits: exitsInsight(input.exits, both(w.before.exits, w.after.exits, 'exit counters'), ios),
    guest: guestDiff
      ? { available: true, ...guestInsight(guestDiff.before, guestDiff.after, guestIos, input.fio) }
      : (guestParts as Unavailable),
    blockstats: isUnavailable(input.block)
      ? input.block
      : blockstatsMaybe(input.block, blockParts, rateMs, ios, guestDiff, input.fio),
    config: configInsight(input.config, hostCpu.available ? hostCpu : null),
    notes: windowNotes(window, hostCpu),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * The two per-I/O denominators (see InsightWindow): host-side figures divide
 * by the I/Os counted where their own counters are read, guest-side ones by
 * the guest's count, so neither is skewed by the other's snapshot timing.
 */
function denominators(
  guest: { before: GuestReading; after: GuestReading } | null,
  block: { before: BlockCounters; after: BlockCounters } | null,
): Pick<InsightWindow, 'ios' | 'iosSource' | 'guestIos'> {
  const guestIos = guest
    ? guest.after.disk.readIos + guest.after.disk.readMerges - guest.before.disk.readIos - guest.before.disk.readMerges
    : null;
  if (!block) return { ios: guestIos, iosSource: guestIos === null ? null : 'guest-diskstats', guestIos };
  // rd_operations counts every virtio request (block_acct_start per request); rd_merged those QEMU merged into another.
  const requests = block.after.rdOperations - block.before.rdOperations;
  // Counters that did not move while the guest read (a vhost-user-blk export accounts nothing) count nothing.
  if (requests === 0 && (guestIos ?? 0) > 0) return { ios: guestIos, iosSource: 'guest-diskstats', guestIos };
  const guestRequests = guest ? guest.after.disk.readIos - guest.before.disk.readIos : 0;
  const perRequest = guestIos !== null && guestRequests > 0 ? guestIos / guestRequests : 1;
  return { ios: requests * perRequest, iosSource: 'host-requests', guestIos };
}

function exitsInsight(
  source: InsightInput['exits'],
  parts: { before: Record<string, number>; after: Record<string, number> } | Unavailable,
  ios: number | null,
): Maybe<ExitsCounters> {
  if (isUnavailable(source)) return source;
  if (isUnavailable(parts)) return parts;
  const counters = diffCounters(parts.before, parts.after);
  const perIoCounters = Object.fromEntries(Object.entries(counters).flatMap(([k, v]) => (ios ? [[k, v / ios]] : [])));
  return {
    available: true,
    source: source.source,
    counters,
    perIo: perIoCounters,
    exitsPerIo: counters.exits !== undefined ? perIo(counters.exits, ios) : null,
  };
}

function guestInsight(before: GuestReading, after: GuestReading, ios: number | null, fio: FioFigures): GuestInsight {
  const interrupts = interruptDeltas(before.interrupts, after.interrupts, after.virtio);
  const irqs = interrupts.reduce((s, l) => s + l.count, 0);
  const ticks = cpuTicksDelta(before.cpu, after.cpu);
  const busy = busyTicks(ticks);
  const all = busy + ticks.idle + ticks.iowait;
  return {
    virtioDevice: after.virtio,
    interrupts,
    irqs,
    irqsPerIo: perIo(irqs, ios),
    cpu: { ticks, busyPct: all > 0 ? (busy / all) * 100 : 0, usPerIo: perIo((busy * NS_PER_TICK) / 1000, ios) },
    disk: {
      readIos: after.disk.readIos - before.disk.readIos,
      readMerges: after.disk.readMerges - before.disk.readMerges,
      readBytes: (after.disk.readSectors - before.disk.readSectors) * 512,
    },
    scheduler: after.scheduler,
    hwQueues: after.hwQueues,
    fio: {
      usrCpuPct: fio.usrCpuPct,
      sysCpuPct: fio.sysCpuPct,
      ctxSwitches: fio.ctx,
      ctxPerIo: fio.ctx !== null ? perIo(fio.ctx, fio.totalIos) : null,
    },
  };
}

function blockstatsMaybe(
  block: { kind: 'qemu' | 'storage-daemon'; node: string },
  parts: { before: BlockCounters; after: BlockCounters } | Unavailable,
  windowMs: number,
  ios: number | null,
  guest: { before: GuestReading; after: GuestReading } | null,
  fio: FioFigures,
): Maybe<BlockstatsInsight> {
  if (isUnavailable(parts)) return parts;
  const guestReadBytes = guest ? (guest.after.disk.readSectors - guest.before.disk.readSectors) * 512 : null;
  // QEMU 7.2's vhost-user-blk export does no I/O accounting: the daemon's counters
  // stay at zero whatever the guest reads. That is "not measurable", not a mismatch.
  if (
    block.kind === 'storage-daemon' &&
    parts.after.rdOperations === parts.before.rdOperations &&
    (guestReadBytes ?? 0) > 0
  ) {
    return {
      available: false,
      reason:
        'qemu-storage-daemon does not account I/O on vhost-user-blk exports (its query-blockstats counters stayed at 0 while the guest read)',
    };
  }
  return {
    available: true,
    ...blockstatsInsight({
      source: block.kind,
      node: block.node,
      before: parts.before,
      after: parts.after,
      windowMs,
      ios,
      guestReadBytes,
      fioBytesPerS: fio.bwBytesPerS,
    }),
  };
}

const IO_SIDE_ROLES = new Set(['main-loop', 'iothread']);

function configInsight(config: InsightInput['config'], host: HostCpuInsight | null): Maybe<ConfigInsight> {
  if (isUnavailable(config)) return config;
  let ioSideCpuShare: number | null = null;
  let ioSideRunsPerIo: number | null = null;
  if (host) {
    const io = host.roles.filter((r) => IO_SIDE_ROLES.has(r.role));
    const ioCpu = io.reduce((s, r) => s + r.cpuUs, 0);
    const vcpu = host.roles.find((r) => r.role === 'vcpu')?.cpuUs ?? 0;
    ioSideCpuShare = ioCpu + vcpu > 0 ? ioCpu / (ioCpu + vcpu) : null;
    ioSideRunsPerIo =
      io.length > 0 && io.every((r) => r.runsPerIo !== null) ? io.reduce((s, r) => s + (r.runsPerIo ?? 0), 0) : null;
  }
  return { available: true, ...config, notification: { ioSideCpuShare, ioSideRunsPerIo } };
}
