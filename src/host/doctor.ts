/**
 * The checks of `vblk-bench doctor` (cli/commands/doctor.ts): can this host
 * run vblk-bench, and what would make the numbers better? Checks QEMU, KVM
 * (access and provider), vhost devices, qemu-storage-daemon, the built-in
 * guest image and whether the apt lists offer a newer kernel than it has,
 * free memory and /dev/shm, and the CPU frequency policy. Each problem comes
 * with how to fix it; a `fail` means the host cannot run (exit 3). The verdict
 * is pure (evaluateDoctor) so every host situation is unit-tested.
 */
import { access, constants, readFile, statfs } from 'node:fs/promises';
import { execa } from 'execa';
import { decideAccel, probeKvm, type KvmProbe } from '../vm/accel.js';
import { collectHostEnvironment, meminfoNumber, qemuVersionOf } from './environment.js';
import { ensureGuestImage } from '../guest-image/guest-image.js';
import { guestKernelCheck, readAptKernelOffer, type AptKernelOffer } from '../guest-image/apt-kernel.js';
import { repoRoot } from '../util/paths.js';

/** `fail`: the host cannot run; `warn`: it runs, with the caveat said; `info`: optional features. */
export type CheckLevel = 'ok' | 'warn' | 'fail' | 'info';

export interface DoctorCheck {
  name: string;
  level: CheckLevel;
  detail: string;
  fix?: string;
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
  '/dev/vhost-blk': 'in-kernel vhost-blk is not in mainline Linux: build and load the out-of-tree vhost_blk module (needed for the vhost-blk backend)',
};

export function evaluateDoctor(f: DoctorFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push(
    f.qemu.version
      ? { name: 'QEMU', level: 'ok', detail: `${f.qemu.binary} ${f.qemu.version} (${f.qemu.banner ?? ''})` }
      : { name: 'QEMU', level: 'fail', detail: f.qemu.error ?? `${f.qemu.binary}: not usable`, fix: 'apt-get install qemu-system-x86 qemu-utils (./scripts/setup-host.sh), or set qemu.binary in the profile' },
  );

  const accel = decideAccel('auto', f.kvm);
  if (accel.accel === 'kvm') {
    checks.push({ name: 'KVM', level: 'ok', detail: `/dev/kvm usable (${f.kvm.provider ?? 'unknown provider'})` });
  } else {
    const fix =
      f.kvm.provider === 'kvm_pvm'
        ? 'this /dev/kvm is kvm_pvm (PVM guests only): use a host (or nested VM) with kvm_intel or kvm_amd'
        : f.kvm.devicePresent
          ? 'give this user read-write access to /dev/kvm: usermod -aG kvm $USER (then log in again), or run as root'
          : 'enable VT-x/AMD-V in the firmware and modprobe kvm_intel or kvm_amd; in a VM, enable nested virtualization';
    checks.push({ name: 'KVM', level: 'warn', detail: `not usable: ${accel.warnings[0]?.replace(/^using TCG instead of KVM: /, '').replace(/\. TCG numbers.*$/, '') ?? 'unknown'}; runs use TCG, whose numbers check the pipeline and rank nothing`, fix });
  }

  for (const [dev, state] of Object.entries(f.vhost)) {
    checks.push(
      state === 'rw'
        ? { name: dev, level: 'ok', detail: 'present, read-write' }
        : { name: dev, level: 'info', detail: state === 'present' ? 'present but not read-write for this user' : 'absent', fix: state === 'present' ? `give this user read-write access to ${dev}` : VHOST_FIX[dev] },
    );
  }
  checks.push(
    f.storageDaemon
      ? { name: 'qemu-storage-daemon', level: 'ok', detail: f.storageDaemon }
      : { name: 'qemu-storage-daemon', level: 'info', detail: 'not found (needed for vhost-user-blk)', fix: 'apt-get install qemu-system-common' },
  );
  checks.push(
    f.guestImage.present
      ? { name: 'guest image', level: 'ok', detail: f.guestImage.detail }
      : { name: 'guest image', level: 'warn', detail: `not built: ${f.guestImage.detail}; \`run\` builds it on first use (needs the Debian mirror and the build packages)`, fix: 'vblk-bench guest build' },
  );
  checks.push({ name: 'guest kernel', ...guestKernelCheck(f.guestImage.kernelPackage ?? null, f.aptKernel) });

  if (f.memAvailableKiB === null) checks.push({ name: 'memory', level: 'warn', detail: 'MemAvailable not readable from /proc/meminfo' });
  else {
    const mib = Math.floor(f.memAvailableKiB / 1024);
    checks.push(
      mib >= MIN_MEM_AVAILABLE_MIB
        ? { name: 'memory', level: 'ok', detail: `${mib} MiB available` }
        : { name: 'memory', level: 'fail', detail: `${mib} MiB available, the default profile needs about ${MIN_MEM_AVAILABLE_MIB} MiB (guest 512M + test disk on /dev/shm 256M + QEMU)`, fix: 'free memory, or lower qemu.memory and disk.size (or set disk.path to a file on disk)' },
    );
  }
  if (f.shmFreeBytes !== null) {
    const mib = Math.floor(f.shmFreeBytes / MiB);
    checks.push(
      mib >= MIN_SHM_FREE_MIB
        ? { name: '/dev/shm', level: 'ok', detail: `${mib} MiB free` }
        : { name: '/dev/shm', level: 'fail', detail: `${mib} MiB free; the default test disk (256M) is created there`, fix: 'mount -o remount,size=1G /dev/shm, or set disk.path in the profile' },
    );
  }

  if (f.governor === null) checks.push({ name: 'CPU governor', level: 'info', detail: 'not exposed (no cpufreq: typical in a VM, where the host decides)' });
  else if (f.governor === 'performance') checks.push({ name: 'CPU governor', level: 'ok', detail: 'performance' });
  else checks.push({ name: 'CPU governor', level: 'warn', detail: `${f.governor}: frequency changes add noise between repetitions`, fix: 'cpupower frequency-set -g performance (or echo performance > /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor)' });
  if (f.turbo === null) checks.push({ name: 'turbo', level: 'info', detail: 'not exposed' });
  else if (/no_turbo=1|boost=0/.test(f.turbo)) checks.push({ name: 'turbo', level: 'ok', detail: `${f.turbo} (off: steadier numbers)` });
  else checks.push({ name: 'turbo', level: 'warn', detail: `${f.turbo}: turbo on lets the clock follow temperature and load`, fix: /no_turbo/.test(f.turbo) ? 'echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo' : 'echo 0 > /sys/devices/system/cpu/cpufreq/boost' });
  return checks;
}

async function vhostState(dev: string): Promise<'rw' | 'present' | 'absent'> {
  if (await access(dev, constants.R_OK | constants.W_OK).then(() => true, () => false)) return 'rw';
  return (await access(dev).then(() => true, () => false)) ? 'present' : 'absent';
}

export async function gatherDoctorFacts(qemuBinary: string): Promise<DoctorFacts> {
  const qemu: DoctorFacts['qemu'] = await qemuVersionOf(qemuBinary).then(
    (q) => ({ binary: qemuBinary, version: q.version, banner: q.banner }),
    (err: Error) => ({ binary: qemuBinary, version: null, banner: null, error: err.message }),
  );
  const sd = await execa('qemu-storage-daemon', ['--version'], { reject: false, timeout: 10_000 });
  const image = await ensureGuestImage({ repoRoot: repoRoot(), build: false }).then(
    (i) => ({ present: true, detail: `${i.dir} (kernel ${i.manifest.kernelVersion})`, kernelPackage: i.manifest.kernelPackage }),
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
    storageDaemon: sd.exitCode === 0 ? String(sd.stdout).split('\n')[0] ?? 'present' : null,
    guestImage: image,
    aptKernel: await readAptKernelOffer(),
    memAvailableKiB: meminfoNumber(meminfo, 'MemAvailable'),
    shmFreeBytes: shm ? shm.bavail * shm.bsize : null,
    governor: host.governor,
    turbo: host.turbo,
  };
}
