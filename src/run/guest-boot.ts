/**
 * One guest boot for one plan group: start QEMU, check over QMP that the
 * device got the configuration asked for, wait for the guest's ready marker,
 * open the pinned SSH session, find the test disk by its serial.
 * Whatever fails, everything started here is stopped before the error leaves.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Accel } from '../model/sample.js';
import { RunStepError } from '../model/errors.js';
import type { GuestSource } from '../guest-image/source.js';
import type { Profile } from '../profile/schema.js';
import type { BootGroup } from '../plan/groups.js';
import { buildQemuArgs } from '../vm/qemu-args.js';
import { startQemu, type QemuProcess } from '../vm/process.js';
import { QmpClient } from '../vm/qmp.js';
import { tailLines } from '../vm/serial.js';
import { findFreePort } from '../vm/free-port.js';
import type { GuestSession } from '../guest/ssh-session.js';
import { readGuestFacts } from '../guest/guest-facts.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { ACTIVITY_FILE, ActivityJournal } from '../util/activity-journal.js';
import { launchSpecFor } from './launch.js';
import { locateTestDisk, pinThreads, startHostSide, verifyDevice } from './backend-boot.js';
import { connectGuest, waitUntilReady } from './guest-connect.js';
import type { HostSide } from '../vm/backends/backend.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';

export interface BootTimings {
  /** QEMU start → the guest's ready marker on the serial console. */
  readyMs: number;
  /** QEMU start → an authenticated SSH session. */
  sshMs: number;
}

export interface RunningGuest {
  bootId: string;
  qemu: QemuProcess;
  qmp: QmpClient;
  session: GuestSession;
  device: string;
  guestKernel: string;
  fioVersion: string;
  timings: BootTimings;
  /** Read back from the running system: the configuration that really took effect. */
  observed: Record<string, string | number | boolean>;
  /** What the backend started beside QEMU (qemu-storage-daemon): insight counts its CPU and reads its blockstats. */
  hostSide?: HostSide;
  /** The launch spec this guest was started with: what the plan asked of it. */
  spec: QemuLaunchSpec;
  /** Every QMP command and SSH exec/channel event of this boot, and fio's runs (written to boots/<id>/activity.jsonl at stop). */
  journal: ActivityJournal;
  stop(): Promise<void>;
}

export interface BootRequest {
  profile: Profile;
  accel: Accel;
  guestSource: GuestSource;
  group: BootGroup;
  bootId: string;
  bootDir: string;
  backingPath: string;
  /** vhost-user-blk's separate traced boot: the storage daemon's trace events and output (launch-spec.ts). */
  daemonTrace?: QemuLaunchSpec['daemonTrace'];
  onLog?: (line: string) => void;
}

/** The last lines of a boot's serial console and QEMU stderr (both files are kept in the boot directory). */
export async function bootEvidence(bootDir: string): Promise<string[]> {
  const serialLog = join(bootDir, 'serial.log');
  const serial = await tailLines(serialLog, 15).catch(() => [] as string[]);
  const stderr = await tailLines(join(bootDir, 'qemu.stderr.log'), 10).catch(() => [] as string[]);
  return [
    `serial console (${serialLog}), last lines:`,
    ...serial.map((l) => `  | ${l}`),
    ...(stderr.length ? ['QEMU stderr, last lines:', ...stderr.map((l) => `  | ${l}`)] : []),
  ];
}

async function bootFailure(message: string, req: BootRequest): Promise<RunStepError> {
  const details = await bootEvidence(req.bootDir);
  const kvmHint =
    req.accel === 'kvm'
      ? ' under KVM — some nested /dev/kvm setups open but never run a guest; if this host is one, set qemu.accel: tcg'
      : '';
  return new RunStepError(`${message}${kvmHint}`, 'boot', details);
}

/** The launch spec of this boot: the plan group's, with the guest source's part (firmware boot, -L). */
function bootSpec(req: BootRequest, sshHostPort: number): QemuLaunchSpec {
  const spec = launchSpecFor(req.group, {
    profile: req.profile,
    accel: req.accel,
    kernelPath: req.guestSource.kernelPath,
    initrdPath: req.guestSource.initrdPath,
    backingPath: req.backingPath,
    bootDir: req.bootDir,
    sshHostPort,
    ...(req.daemonTrace ? { daemonTrace: req.daemonTrace } : {}),
  });
  return Object.assign(spec, req.guestSource.launchOverrides(req.bootDir));
}

/**
 * The backend's host processes (vhost-user-blk: qemu-storage-daemon) first —
 * QEMU connects to them — then QEMU; what started is stopped if a later part fails.
 */
async function startProcesses(
  spec: QemuLaunchSpec,
  args: string[],
  req: BootRequest,
  cleanupBootFiles: () => Promise<void>,
): Promise<{ hostSide: HostSide; qemu: QemuProcess; started: number }> {
  const hostSide = await startHostSide(spec).catch(async (err: unknown) => {
    await cleanupBootFiles();
    throw err;
  });
  const started = Date.now();
  const qemu = await startQemu(spec.binary, args, {
    stderrLog: join(req.bootDir, 'qemu.stderr.log'),
    cwd: req.bootDir,
  }).catch(async (err: unknown) => {
    await hostSide.stop();
    await cleanupBootFiles();
    throw err;
  });
  return { hostSide, qemu, started };
}

interface ReachedGuest {
  device: string;
  locatedBy: string;
  facts: Awaited<ReturnType<typeof readGuestFacts>>;
  timings: BootTimings;
}

/**
 * The booted guest over SSH: ready marker, session (handed to `onSession` at
 * once, so the caller's stop closes it whatever fails next), test disk, facts; boot.json.
 */
async function reachGuest(
  req: BootRequest,
  boot: { spec: QemuLaunchSpec; qemu: QemuProcess; qmp: QmpClient; started: number; sshHostPort: number },
  onSession: (session: GuestSession) => void,
): Promise<ReachedGuest & { session: GuestSession }> {
  const { spec, qemu, qmp, started, sshHostPort: port } = boot;
  let ready;
  try {
    ready = await waitUntilReady(req.guestSource, {
      serialLog: spec.serialLog,
      port,
      exited: qemu.exited,
      deadline: started + req.guestSource.bootTimeoutS * 1000,
      group: req.group,
    });
  } catch (err) {
    throw await bootFailure((err as Error).message, req);
  }
  const readyMs = Date.now() - started;
  const session = await connectGuest(req.guestSource, { port, ready, retryUntilMs: Date.now() + 30_000 });
  onSession(session);
  const sshMs = Date.now() - started;
  const { device, locatedBy } = await locateTestDisk(session, qmp, spec);
  const facts = await readGuestFacts(session);
  const timings = { readyMs, sshMs };
  await writeJsonAtomic(join(req.bootDir, 'boot.json'), {
    bootId: req.bootId,
    groupId: req.group.id,
    accel: req.accel,
    timings,
    device,
    guestKernel: facts.kernel,
  });
  return { session, device, locatedBy, facts, timings };
}

export async function bootGuest(req: BootRequest): Promise<RunningGuest> {
  const sshHostPort = await findFreePort();
  const spec = bootSpec(req, sshHostPort);
  const args = buildQemuArgs(spec);
  const cleanupBootFiles = await req.guestSource.prepareBoot(req.bootDir);
  await writeJsonAtomic(join(req.bootDir, 'qemu.argv.json'), [spec.binary, ...args]);
  const { hostSide, qemu, started } = await startProcesses(spec, args, req, cleanupBootFiles);
  let qmp: QmpClient | undefined;
  let session: GuestSession | undefined;
  const journal = new ActivityJournal();
  if (hostSide.qmp) hostSide.qmp.journal = journal;
  const stopAll = async () => {
    // Evidence, not a result: a journal that cannot be written does not fail the stop.
    await writeFile(join(req.bootDir, ACTIVITY_FILE), journal.toJsonLines()).catch(() => undefined);
    session?.close();
    await qemu.stop(qmp);
    qmp?.close();
    await hostSide.stop();
    await cleanupBootFiles();
  };
  try {
    qmp = await QmpClient.connect(spec.qmpSocket, { timeoutMs: 15_000 });
    qmp.journal = journal;
    // The properties exist as soon as the device does: check them before spending a boot on it.
    const deviceObserved = await verifyDevice(qmp, spec, hostSide);
    // Threads exist from the start: pinned before the guest boots, so the whole boot runs in place.
    const pinObserved = await pinThreads(req.profile.pin, qmp, qemu.pid, hostSide);
    const reached = await reachGuest(req, { spec, qemu, qmp, started, sshHostPort }, (s) => {
      session = s;
      s.journal = journal;
    });
    const { device, facts } = reached;
    return {
      bootId: req.bootId,
      qemu,
      qmp,
      session: reached.session,
      device,
      guestKernel: facts.kernel,
      fioVersion: facts.fioVersion,
      timings: reached.timings,
      observed: {
        ...deviceObserved,
        ...pinObserved,
        qemuDevice: spec.device.backend,
        device,
        testDiskLocatedBy: reached.locatedBy,
      },
      hostSide,
      spec,
      journal,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
