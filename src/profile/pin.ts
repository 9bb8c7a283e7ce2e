/**
 * `pin:` in a profile: host CPUs for the vCPU threads, the iothread and the
 * storage daemon. Pinning is what makes KVM numbers repeatable (a vCPU that
 * migrates between host CPUs, or shares one with the iothread, adds noise
 * that looks like an I/O path effect).
 *
 *   pin: {vcpus: [0, 1], iothread: 1, storage_daemon: [0, 1]}
 *
 * `vcpus`: vCPU i runs on `vcpus[i mod length]`. `iothread` and
 * `storage_daemon` take one CPU or a list (an affinity set). CPU numbers are
 * checked against the host's online CPUs at plan time (pinCpuProblems).
 */
import { z } from 'zod';

/** Linux's CONFIG_NR_CPUS upper bound in Debian's kernel. */
const MAX_HOST_CPU = 8191;

const cpu = z
  .number({ error: 'expected a host CPU number' })
  .int({ error: 'expected a host CPU number' })
  .min(0, { error: 'expected a host CPU number' })
  .max(MAX_HOST_CPU, { error: `expected a host CPU number (at most ${MAX_HOST_CPU})` });

/** One CPU or a list of CPUs, normalised to a sorted list without duplicates. */
const cpuSet = z
  .union(
    [
      cpu,
      z
        .array(cpu, { error: 'expected a host CPU number or a list of them' })
        .min(1, { error: 'expected at least one CPU' })
        .max(1024),
    ],
    {
      error: 'expected a host CPU number or a list of them',
    },
  )
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])].sort((a, b) => a - b));

export const PinSchema = z.strictObject(
  {
    /** vCPU i → host CPU vcpus[i mod length]. */
    vcpus: z
      .array(cpu, { error: 'expected a list of host CPU numbers, one per vCPU' })
      .min(1, { error: 'expected at least one CPU' })
      .max(1024)
      .optional(),
    /** QEMU's iothread (virtio-blk-iothread). */
    iothread: cpuSet.optional(),
    /** Every thread of qemu-storage-daemon (vhost-user-blk). */
    storage_daemon: cpuSet.optional(),
  },
  { error: 'expected {vcpus: [...], iothread: N, storage_daemon: N}' },
);

export type PinSpec = z.output<typeof PinSchema>;

/**
 * Problems of `pin` on a host whose online CPUs are `online` (and whose CPUs
 * this process may use are `allowed`, e.g. a container's cpuset): one
 * `pin.x[i]: ...` line each.
 */
export function pinCpuProblems(
  pin: PinSpec | undefined,
  online: readonly number[],
  allowed: readonly number[] = online,
): string[] {
  if (!pin) return [];
  const onlineSet = new Set(online);
  const allowedSet = new Set(allowed);
  const problems: string[] = [];
  const check = (cpus: readonly number[], where: (i: number) => string) =>
    cpus.forEach((c, i) => {
      if (!onlineSet.has(c))
        problems.push(`${where(i)}: host CPU ${c} is not online (online CPUs: ${formatCpuList(online)})`);
      else if (!allowedSet.has(c))
        problems.push(
          `${where(i)}: host CPU ${c} is outside the CPUs vblk-bench may use (its affinity: ${formatCpuList(allowed)})`,
        );
    });
  check(pin.vcpus ?? [], (i) => `pin.vcpus[${i}]`);
  for (const key of ['iothread', 'storage_daemon'] as const) {
    const cpus = pin[key] ?? [];
    check(cpus, (i) => (cpus.length > 1 ? `pin.${key}[${i}]` : `pin.${key}`));
  }
  return problems;
}

/** `0-3,8,10-11` → [0,1,2,3,8,10,11] (the kernel's cpulist format). Throws on anything else. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi > MAX_HOST_CPU) throw new Error(`not a CPU list: ${JSON.stringify(text)}`);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** [0,1,2,3,8] → `0-3,8`: the form /proc's Cpus_allowed_list uses, so read-backs compare as strings. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The vCPU placement `pin` asks for, in the form the insight config check
 * reports it (`CPU 0 → 2, CPU 1 → 3`), or `none` without `pin.vcpus`. Pure.
 */
export function plannedVcpuPinning(pin: PinSpec | undefined, vcpus: number): string {
  const cpus = pin?.vcpus;
  if (!cpus || cpus.length === 0) return 'none';
  return Array.from({ length: vcpus }, (_, i) => `CPU ${i} → ${cpus[i % cpus.length]}`).join(', ');
}
