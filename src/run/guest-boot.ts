/**
 * One guest boot for one plan group: start QEMU, check over QMP that the
 * device got the configuration asked for, wait for the guest's ready marker,
 * open the pinned SSH session, find the test disk by its serial.
 * Whatever fails, everything started here is stopped before the error leaves.
 */
import { join } from 'node:path';
import type { Accel } from '../model/sample.js';
import { RunStepError } from '../model/errors.js';
import type { GuestImage } from '../guest-image/guest-image.js';
import type { Profile } from '../profile/schema.js';
import type { BootGroup } from '../plan/groups.js';
import { buildQemuArgs } from '../vm/qemu-args.js';
import { startQemu, type QemuProcess } from '../vm/process.js';
import { QmpClient } from '../vm/qmp.js';
import { waitForSerialMarker, tailLines } from '../vm/serial.js';
import { readDeviceIoeventfd } from '../vm/readback.js';
import { findFreePort } from '../vm/free-port.js';
import { GuestSession } from '../guest/ssh-session.js';
import { findDiskBySerial } from '../guest/disk.js';
import { readGuestFacts } from '../guest/guest-facts.js';
import { writeJsonAtomic } from '../store/atomic.js';
import { readPrivateKey } from '../security/private-key.js';
import { launchSpecFor, GUEST_READY_MARKER, TEST_DISK_SERIAL } from './launch.js';

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
  stop(): Promise<void>;
}

export interface BootRequest {
  profile: Profile;
  accel: Accel;
  image: GuestImage;
  group: BootGroup;
  bootId: string;
  bootDir: string;
  backingPath: string;
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

export async function bootGuest(req: BootRequest): Promise<RunningGuest> {
  const sshHostPort = await findFreePort();
  const spec = launchSpecFor(req.group, {
    profile: req.profile,
    accel: req.accel,
    kernelPath: req.profile.guest.kernel_format === 'vmlinux' ? req.image.vmlinux : req.image.vmlinuz,
    initrdPath: req.image.initramfs,
    backingPath: req.backingPath,
    bootDir: req.bootDir,
    sshHostPort,
  });
  const args = buildQemuArgs(spec);
  await writeJsonAtomic(join(req.bootDir, 'qemu.argv.json'), [spec.binary, ...args]);
  const started = Date.now();
  const qemu = await startQemu(spec.binary, args, { stderrLog: join(req.bootDir, 'qemu.stderr.log'), cwd: req.bootDir });
  let qmp: QmpClient | undefined;
  let session: GuestSession | undefined;
  const stopAll = async () => {
    session?.close();
    await qemu.stop(qmp);
    qmp?.close();
  };
  try {
    qmp = await QmpClient.connect(spec.qmpSocket, { timeoutMs: 15_000 });
    // The property exists as soon as the device does: check it before spending a boot on it.
    const ioeventfd = await readDeviceIoeventfd(qmp, 'vblk0');
    if (ioeventfd !== spec.device.ioeventfd) {
      throw new RunStepError(`QMP reports ioeventfd=${ioeventfd ? 'on' : 'off'} on vblk0, the plan asked for ${spec.device.ioeventfd ? 'on' : 'off'}`, 'qmp');
    }
    const bootTimeoutMs = req.profile.guest.boot_timeout * 1000;
    try {
      await waitForSerialMarker(spec.serialLog, GUEST_READY_MARKER, { timeoutMs: bootTimeoutMs, exited: qemu.exited });
    } catch (err) {
      throw await bootFailure(`guest did not reach init's ready marker within ${req.profile.guest.boot_timeout}s (${(err as Error).message.split('\n')[0]})`, req);
    }
    const readyMs = Date.now() - started;
    session = await GuestSession.connect({
      host: '127.0.0.1',
      port: sshHostPort,
      username: 'root',
      privateKey: await readPrivateKey(req.image.clientKeyPath),
      hostPublicKey: req.image.hostPublicKey,
      timeoutMs: 10_000,
      retryUntilMs: Date.now() + 30_000,
    });
    const sshMs = Date.now() - started;
    const device = await findDiskBySerial(session, TEST_DISK_SERIAL);
    const facts = await readGuestFacts(session);
    const timings = { readyMs, sshMs };
    await writeJsonAtomic(join(req.bootDir, 'boot.json'), { bootId: req.bootId, groupId: req.group.id, accel: req.accel, timings, device, guestKernel: facts.kernel });
    const liveQmp = qmp;
    const liveSession = session;
    return {
      bootId: req.bootId,
      qemu,
      qmp: liveQmp,
      session: liveSession,
      device,
      guestKernel: facts.kernel,
      fioVersion: facts.fioVersion,
      timings,
      observed: { ioeventfd: ioeventfd ? 'on' : 'off', qemuDevice: spec.device.backend, device },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
