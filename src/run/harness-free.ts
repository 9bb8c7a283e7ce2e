/**
 * One harness-free boot of the fidelity check (docs/fidelity.md): the same
 * QEMU launch as the run's boot of this group (launchSpecFor, the guest
 * source's overrides, buildQemuArgs), except that the initrd is a small cpio
 * archive with the job (harness-free-job.ts) followed by the guest's own
 * initramfs, unchanged, and the kernel starts `rdinit=` the job's init. The
 * guest runs every cell's fio argv itself and prints the results on the
 * serial console; QEMU exits when it powers off. Meanwhile the host only
 * waits for QEMU to exit: no SSH, no QMP command (the socket is there, like
 * in every boot, and nobody connects), no polling. Then the console is read.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import type { Accel } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import type { BootGroup } from '../plan/groups.js';
import { backendTraits } from '../plan/backend-traits.js';
import type { GuestSource } from '../guest-image/source.js';
import { buildQemuArgs } from '../vm/qemu-args.js';
import { startQemu, type QemuExit } from '../vm/process.js';
import { findFreePort } from '../vm/free-port.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { parseFidelityConsole, type FidelityConsole } from '../guest/fidelity-console.js';
import { launchSpecFor } from './launch.js';
import { startHostSide } from './backend-boot.js';
import { fioTimeoutMs } from './cell-job.js';
import { harnessFreeArchive, harnessFreeJobs, HARNESS_FREE_INIT } from './harness-free-job.js';
import { harnessFreeSample, type HarnessFreeSample } from './harness-free-sample.js';

export interface HarnessFreeRequest {
  profile: Profile;
  accel: Accel;
  guestSource: GuestSource;
  group: BootGroup;
  /** The cells of this boot, in the order the run measures them. */
  cells: readonly Cell[];
  bootDir: string;
  backingPath: string;
}

export interface HarnessFreeVisit {
  samples: HarnessFreeSample[];
  /** What the guest said about itself (device, whether an SSH server ran); null when it never got that far. */
  boot: FidelityConsole['boot'];
  /** QEMU's exit, or null when it did not exit by itself in time and was stopped. */
  exit: QemuExit | null;
}

/** Why this guest cannot boot harness-free, or null. */
export function harnessFreeUnsupported(source: GuestSource): string | null {
  if (source.kind === 'builtin' && source.initrdPath !== '') return null;
  return (
    'guest.kind image: the fidelity check delivers its job in an extra initramfs archive, and a guest booted ' +
    'by its firmware from its own disk has no initramfs QEMU loads; use the built-in guest (own kernel, ' +
    'image_hash and imported images work)'
  );
}

/** Resolves with QEMU's exit, or null after `ms`. */
function exitWithin(exited: Promise<QemuExit>, ms: number): Promise<QemuExit | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((done) => (timer = setTimeout(() => done(null), ms)));
  return Promise.race([exited, late]).finally(() => clearTimeout(timer));
}

export async function runHarnessFreeVisit(req: HarnessFreeRequest): Promise<HarnessFreeVisit> {
  const why = harnessFreeUnsupported(req.guestSource);
  if (why) throw new InputError(why);
  const { profile, bootDir } = req;
  const spec = launchSpecFor(req.group, {
    profile,
    accel: req.accel,
    kernelPath: req.guestSource.kernelPath,
    initrdPath: req.guestSource.initrdPath,
    backingPath: req.backingPath,
    bootDir,
    sshHostPort: await findFreePort(),
  });
  Object.assign(spec, req.guestSource.launchOverrides(bootDir));
  const jobs = harnessFreeJobs(profile, req.cells);
  const nonce = randomBytes(8).toString('hex');
  const diskSerial = backendTraits(spec.device.backend).locateBy === 'serial' ? spec.disk.serial : '';
  const archive = await harnessFreeArchive(jobs, { nonce, diskSerial });
  await writeFile(join(bootDir, 'fidelity-job.cpio'), archive);
  const initrd = join(bootDir, 'initrd-with-job.img');
  await writeFile(initrd, Buffer.concat([archive, await readFile(spec.initrd)]));
  spec.initrd = initrd;
  spec.append = `${spec.append} rdinit=${HARNESS_FREE_INIT}`;
  const args = buildQemuArgs(spec);
  await writeJsonAtomic(join(bootDir, 'qemu.argv.json'), [spec.binary, ...args]);

  const cleanupBootFiles = await req.guestSource.prepareBoot(bootDir);
  const hostSide = await startHostSide(spec);
  let exit: QemuExit | null = null;
  try {
    const qemu = await startQemu(spec.binary, args, { stderrLog: join(bootDir, 'qemu.stderr.log'), cwd: bootDir });
    const budgetMs = req.guestSource.bootTimeoutS * 1000 + jobs.length * fioTimeoutMs(profile);
    exit = await exitWithin(qemu.exited, budgetMs);
    if (!exit) await qemu.stop();
  } finally {
    await hostSide.stop();
    await cleanupBootFiles();
    await rm(initrd, { force: true });
  }
  const serial = await readFile(spec.serialLog, 'utf8').catch(() => '');
  const console = parseFidelityConsole(serial, nonce);
  const lost = exit ? `QEMU exited (code ${exit.code ?? exit.signal})` : 'the boot ran out of time and was stopped';
  return {
    samples: jobs.map((job) => harnessFreeSample(profile, job, console, lost)),
    boot: console.boot,
    exit,
  };
}
