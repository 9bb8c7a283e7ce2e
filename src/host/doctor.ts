/**
 * The checks of `vblk-bench doctor` (cli/commands/doctor.ts): can this host
 * run vblk-bench, and what would make the numbers better? Checks QEMU, KVM
 * (access and provider), vhost devices, qemu-storage-daemon, the built-in
 * guest image and whether the apt lists offer a newer kernel than it has,
 * free memory and /dev/shm, and the CPU frequency policy. Each problem comes
 * with its hint; an `error` means the host cannot run (exit 3). The verdict
 * is pure (evaluateDoctor) so every host situation is unit-tested.
 */
import { access, constants, readFile, statfs } from 'node:fs/promises';
import { execa } from 'execa';
import { decideAccel, probeKvm, type KvmProbe } from '../vm/accel.js';
import { hint, type Severity } from '../model/diagnostic.js';
import { collectHostEnvironment, meminfoNumber, qemuVersionOf } from './environment.js';
import { ensureGuestImage } from '../guest-image/guest-image.js';
import { guestKernelCheck, readAptKernelOffer, type AptKernelOffer } from '../guest-image/apt-kernel.js';
import { repoRoot } from '../util/paths.js';

/** `ok`, or a severity (src/model/diagnostic.ts): `error` the host cannot run; `warning` it runs, with the caveat said; `info` optional features. */
export type CheckLevel = 'ok' | Severity;

export interface DoctorCheck {
  name: string;
  level: CheckLevel;
  detail: string;
  /** What to do (never for `ok`). */
  hint?: string;
}

export interface DoctorFacts {
  qemu: { binary: string; version: string | null; banner: string | null; error?: string };
  kvm: KvmProbe;
  vhost: Record<string, 'rw' | 'present' | 'absent'>;
  storageDaemon: string | null;
  /** The cached built-in guest for this checkout's recipe; `kernelPackage` from its manifest. */
  guestImage: { present: boolean; detail: string; kernelPackage?: { name: string; version: string } };
  /** What the local apt lists offer for the guest kernel (a guest built now gets it). */
  aptKernel: AptKernelOffer;
  memAvailableKiB: number | null;
  shmFreeBytes: number | null;
  governor: string | null;
  turbo: string | null;
}

const MiB = 1024 * 1024;
/** Default guest memory + default test disk on /dev/shm + room for QEMU itself. */
const MIN_MEM_AVAILABLE_MIB = 512 + 256 + 256;
const MIN_SHM_FREE_MIB = 256;

const VHOST_FIX: Record<string, string> = {
  '/dev/vhost-net': 'modprobe vhost_net (only needed for comparisons with vhost-net style paths)',
  '/dev/vhost-scsi': 'modprobe vhost_scsi (needed for the vhost-scsi backend)',
  '/dev/vhost-blk':
    'in-kernel vhost-blk is not in mainline Linux: build and load the out-of-tree vhost_blk module (needed for the vhost-blk backend)',
};

/** The QEMU binary the profile uses. */
function qemuChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push(
    f.qemu.version
      ? { name: 'QEMU', level: 'ok', detail: `${f.qemu.binary} ${f.qemu.version} (${f.qemu.banner ?? ''})` }
      : {
          name: 'QEMU',
          level: 'error',
          detail: f.qemu.error ?? `${f.qemu.binary}: not usable`,
          hint: 'apt-get install qemu-system-x86 qemu-utils (./scripts/setup-host.sh), or set qemu.binary in the profile',
        },
  );
  return checks;
}

/** Whether runs get KVM or fall back to TCG, and why. */
function kvmChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const accel = decideAccel('auto', f.kvm);
  if (accel.accel === 'kvm') {
    checks.push({ name: 'KVM', level: 'ok', detail: `/dev/kvm usable (${f.kvm.provider ?? 'unknown provider'})` });
  } else {
    const unusable = accel.warnings.find((w) => w.kind === 'KvmUnusable');
    const detail = `not usable: ${unusable?.kind === 'KvmUnusable' ? unusable.why : 'unknown'}; runs use TCG, whose numbers check the pipeline and rank nothing`;
    checks.push({ name: 'KVM', level: 'warning', detail, ...(unusable ? { hint: hint(unusable) } : {}) });
  }
  return checks;
}

/** The vhost device nodes the vhost backends need. */
function vhostChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  for (const [dev, state] of Object.entries(f.vhost)) {
    checks.push(
      state === 'rw'
        ? { name: dev, level: 'ok', detail: 'present, read-write' }
        : {
            name: dev,
            level: 'info',
            detail: state === 'present' ? 'present but not read-write for this user' : 'absent',
            hint: state === 'present' ? `give this user read-write access to ${dev}` : VHOST_FIX[dev],
          },
    );
  }
  return checks;
}

/** qemu-storage-daemon, the built-in guest image and its kernel. */
function daemonAndGuestChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push(
    f.storageDaemon
      ? { name: 'qemu-storage-daemon', level: 'ok', detail: f.storageDaemon }
      : {
          name: 'qemu-storage-daemon',
          level: 'info',
          detail: 'not found (needed for vhost-user-blk)',
          hint: 'apt-get install qemu-system-common',
        },
  );
  checks.push(
    f.guestImage.present
      ? { name: 'guest image', level: 'ok', detail: f.guestImage.detail }
      : {
          name: 'guest image',
          level: 'warning',
          detail: `not built: ${f.guestImage.detail}; \`run\` builds it on first use (needs the Debian mirror and the build packages)`,
          hint: 'vblk-bench guest build',
        },
  );
  checks.push({ name: 'guest kernel', ...guestKernelCheck(f.guestImage.kernelPackage ?? null, f.aptKernel) });
  return checks;
}

/** Memory and /dev/shm for the guest and its test disk. */
function memoryChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (f.memAvailableKiB === null)
    checks.push({ name: 'memory', level: 'warning', detail: 'MemAvailable not readable from /proc/meminfo' });
  else {
    const mib = Math.floor(f.memAvailableKiB / 1024);
    checks.push(
      mib >= MIN_MEM_AVAILABLE_MIB
        ? { name: 'memory', level: 'ok', detail: `${mib} MiB available` }
        : {
            name: 'memory',
            level: 'error',
            detail: `${mib} MiB available, the default profile needs about ${MIN_MEM_AVAILABLE_MIB} MiB (guest 512M + test disk on /dev/shm 256M + QEMU)`,
            hint: 'free memory, or lower qemu.memory and disk.size (or set disk.path to a file on disk)',
          },
    );
  }
  if (f.shmFreeBytes !== null) {
    const mib = Math.floor(f.shmFreeBytes / MiB);
    checks.push(
      mib >= MIN_SHM_FREE_MIB
        ? { name: '/dev/shm', level: 'ok', detail: `${mib} MiB free` }
        : {
            name: '/dev/shm',
            level: 'error',
            detail: `${mib} MiB free; the default test disk (256M) is created there`,
            hint: 'mount -o remount,size=1G /dev/shm, or set disk.path in the profile',
          },
    );
  }
  return checks;
}

/** Governor and turbo: frequency changes add noise between repetitions. */
function cpuFrequencyChecks(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (f.governor === null)
    checks.push({
      name: 'CPU governor',
      level: 'info',
      detail: 'not exposed (no cpufreq: typical in a VM, where the host decides)',
    });
  else if (f.governor === 'performance') checks.push({ name: 'CPU governor', level: 'ok', detail: 'performance' });
  else
    checks.push({
      name: 'CPU governor',
      level: 'warning',
      detail: `${f.governor}: frequency changes add noise between repetitions`,
      hint: 'cpupower frequency-set -g performance (or echo performance > /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor)',
    });
  if (f.turbo === null) checks.push({ name: 'turbo', level: 'info', detail: 'not exposed' });
  else if (/no_turbo=1|boost=0/.test(f.turbo))
    checks.push({ name: 'turbo', level: 'ok', detail: `${f.turbo} (off: steadier numbers)` });
  else
    checks.push({
      name: 'turbo',
      level: 'warning',
      detail: `${f.turbo}: turbo on lets the clock follow temperature and load`,
      hint: /no_turbo/.test(f.turbo)
        ? 'echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo'
        : 'echo 0 > /sys/devices/system/cpu/cpufreq/boost',
    });
  return checks;
}

export function evaluateDoctor(f: DoctorFacts): DoctorCheck[] {
  return [qemuChecks, kvmChecks, vhostChecks, daemonAndGuestChecks, memoryChecks, cpuFrequencyChecks].flatMap((c) =>
    c(f),
  );
}

async function vhostState(dev: string): Promise<'rw' | 'present' | 'absent'> {
  if (
    await access(dev, constants.R_OK | constants.W_OK).then(
      () => true,
      () => false,
    )
  )
    return 'rw';
  return (await access(dev).then(
    () => true,
    () => false,
  ))
    ? 'present'
    : 'absent';
}

export async function gatherDoctorFacts(qemuBinary: string): Promise<DoctorFacts> {
  const qemu: DoctorFacts['qemu'] = await qemuVersionOf(qemuBinary).then(
    (q) => ({ binary: qemuBinary, version: q.version, banner: q.banner }),
    (err: Error) => ({ binary: qemuBinary, version: null, banner: null, error: err.message }),
  );
  const sd = await execa('qemu-storage-daemon', ['--version'], { reject: false, timeout: 10_000 });
  const image = await ensureGuestImage({ repoRoot: repoRoot(), build: false }).then(
    (i) => ({
      present: true,
      detail: `${i.dir} (kernel ${i.manifest.kernelVersion})`,
      kernelPackage: i.manifest.kernelPackage,
    }),
    (err: Error) => ({ present: false, detail: err.message.split('\n')[0] ?? 'missing' }),
  );
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const shm = await statfs('/dev/shm').catch(() => null);
  const host = await collectHostEnvironment();
  const vhost: DoctorFacts['vhost'] = {};
  for (const dev of Object.keys(VHOST_FIX)) vhost[dev] = await vhostState(dev);
  return {
    qemu,
    kvm: await probeKvm(),
    vhost,
    storageDaemon: sd.exitCode === 0 ? (String(sd.stdout).split('\n')[0] ?? 'present') : null,
    guestImage: image,
    aptKernel: await readAptKernelOffer(),
    memAvailableKiB: meminfoNumber(meminfo, 'MemAvailable'),
    shmFreeBytes: shm ? shm.bavail * shm.bsize : null,
    governor: host.governor,
    turbo: host.turbo,
  };
}
