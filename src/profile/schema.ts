/**
 * The profile schema. Every field but `matrix` has a default, so a five-line
 * profile runs; unknown keys are errors so a typo never silently does nothing.
 */
import { z } from 'zod';
import { AXES, type AxisEntry } from './axes.js';
import { SAFE, PATTERN_HINT } from './patterns.js';
import { parseDurationSeconds, parseSizeBytes, MiB } from './units.js';
import { FIO_RW_VALUES } from './workload.js';
import { PinSchema } from './pin.js';
import { AdaptiveSchema } from './adaptive.js';

const safeString = (key: keyof typeof SAFE) =>
  z.string({ error: 'expected a string' }).regex(SAFE[key], { error: `expected ${PATTERN_HINT[key]}` });

const intIn = (min: number, max: number) =>
  z
    .number({ error: 'expected an integer' })
    .int({ error: 'expected an integer' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** A size such as `512M` or a byte count, bounded; output in bytes. */
const size = (minBytes: number, maxBytes: number) =>
  z.union([z.string(), z.number()], { error: 'expected a size such as 512M' }).transform((v, ctx) => {
    const bytes = parseSizeBytes(v);
    if (bytes === null) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 512M or 2G, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    if (bytes < minBytes || bytes > maxBytes) {
      ctx.addIssue({ code: 'custom', message: `must be between ${minBytes / MiB}M and ${maxBytes / MiB}M` });
      return z.NEVER;
    }
    return bytes;
  });

/** A duration such as `3s` or a number of seconds, bounded; output in seconds. */
const duration = (min: number, max: number) =>
  z.union([z.string(), z.number()], { error: 'expected a duration such as 5s' }).transform((v, ctx) => {
    const s = parseDurationSeconds(v);
    if (s === null || s < min || s > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration between ${min}s and ${max}s, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return s;
  });

const QemuSchema = z.strictObject({
  /** A binary name on PATH or a path (e.g. into a QEMU build tree). */
  binary: safeString('path').default('qemu-system-x86_64'),
  accel: z.enum(['auto', 'kvm', 'tcg'], { error: 'expected auto, kvm or tcg' }).default('auto'),
  machine: safeString('machine').default('q35'),
  memory: size(64 * MiB, 1024 * 1024 * MiB).default(512 * MiB),
  vcpus: intIn(1, 256).default(2),
  extra_args: z.array(safeString('qemuArg')).max(256).default([]),
});

const BuiltinGuestSchema = z.strictObject({
  kind: z.literal('builtin'),
  /** Uncompressed vmlinux boots via PVH (no in-guest decompression: about half the boot time under TCG). */
  kernel_format: z.enum(['vmlinux', 'bzImage'], { error: 'expected vmlinux or bzImage' }).default('vmlinux'),
  boot_timeout: duration(1, 3600).default(120),
  /** A user's kernel (bzImage or vmlinux, format detected) booted with the built-in initramfs; its needed drivers must be built in unless it is the initramfs' release. */
  kernel: safeString('path').optional(),
  /** Use the cached built-in image with this content hash (prefix), e.g. one brought by `vblk-bench guest import`. */
  image_hash: z
    // YAML reads an unquoted hash of decimal digits (or like `12e45678`) as a number: say to quote it.
    .string({
      error: (issue) =>
        issue.input === undefined
          ? undefined
          : 'expected a quoted string of 8 to 64 lower-case hex digits (YAML reads some unquoted hashes as numbers: write image_hash: "…")',
    })
    .regex(/^[0-9a-f]{8,64}$/, { error: 'expected 8 to 64 lower-case hex digits of a content hash' })
    .optional(),
});

/** Bring your own guest: a disk image booted by the firmware, never modified (a qcow2 overlay per boot), configured by a cloud-init NoCloud seed. */
const ImageGuestSchema = z.strictObject({
  kind: z.literal('image'),
  path: safeString('path'),
  /** Default: what `qemu-img info` reports. */
  format: z.enum(['qcow2', 'raw'], { error: 'expected qcow2 or raw' }).optional(),
  /** The user the seed authorizes vblk-bench's key for; not root: commands run through `sudo -n`. */
  user: safeString('user').default('root'),
  /** seed: the seed hands the guest an ed25519 host key (cloud-init ssh_keys) that is pinned; tofu: learn the image's own key on first boot, pin it afterwards. */
  host_key: z.enum(['seed', 'tofu'], { error: 'expected seed or tofu' }).default('seed'),
  /** Distribution images with cloud-init boot slowly under TCG. */
  boot_timeout: duration(1, 3600).default(300),
});

const GuestSchema = z.discriminatedUnion('kind', [BuiltinGuestSchema, ImageGuestSchema], {
  error: 'expected {kind: builtin} or {kind: image, path: ...}',
});

const DiskSchema = z
  .strictObject({
    /** An existing backing file; when absent, a file of `size` is created on tmpfs (/dev/shm). */
    path: safeString('path').optional(),
    size: size(MiB, 64 * 1024 * MiB).default(256 * MiB),
    format: z.literal('raw', { error: 'expected raw' }).default('raw'),
    /** none = O_DIRECT on the host (cache.direct=on): measures the I/O path, not the host page cache. */
    cache: z.enum(['none', 'writeback'], { error: 'expected none or writeback' }).default('none'),
    aio: z.enum(['native', 'threads', 'io_uring'], { error: 'expected native, threads or io_uring' }).default('native'),
    /** Write workloads against a host block device (disk.path) are refused unless this is true. */
    allow_writes: z.boolean({ error: 'expected true or false' }).default(false),
  })
  .superRefine((d, ctx) => {
    if (d.aio === 'native' && d.cache !== 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['aio'],
        message: 'aio native requires cache: none (QEMU: "aio=native was specified, but it requires cache.direct=on")',
      });
    }
  });

const FioSchema = z.strictObject({
  /** Write workloads against a host block device need disk.allow_writes (checked in profile/disk-checks.ts). */
  rw: z.enum(FIO_RW_VALUES, { error: `expected one of ${FIO_RW_VALUES.join(', ')}` }).default('read'),
  bs: safeString('blockSize').default('4k'),
  ioengine: z.enum(['libaio', 'io_uring', 'psync'], { error: 'expected libaio, io_uring or psync' }).default('libaio'),
  direct: z.boolean({ error: 'expected true or false' }).default(true),
  runtime: duration(1, 86400).default(10),
  ramp_time: duration(0, 3600).default(2),
  numjobs: intIn(1, 64).default(1),
});

/**
 * Where insight reads its counters relative to fio's measured window
 * (docs/insight.md). `outside-window` (the default): before fio starts and
 * after it ends, nothing of the harness inside fio's run. `in-window`:
 * opt-in, two snapshots inside the measured phase (guest processes, SSH and
 * QMP while fio measures) — to measure what that costs.
 */
export const INSIGHT_SAMPLINGS = ['outside-window', 'in-window'] as const;
export type InsightSampling = (typeof INSIGHT_SAMPLINGS)[number];

const InsightSchema = z.strictObject({
  sampling: z
    .enum(INSIGHT_SAMPLINGS, { error: `expected ${INSIGHT_SAMPLINGS.join(' or ')}` })
    .default('outside-window'),
});

/** Values one axis may list (the whole matrix is capped too: src/model/plan-limits.ts). */
const MAX_AXIS_VALUES = 64;

/** `matrix`: one optional list per axis; an axis not named takes its default single value. */
const MatrixSchema = z
  .strictObject(
    Object.fromEntries(
      AXES.map((axis) => [
        axis.name,
        z
          // The schema-level message is for a value that is not a list only; the length checks say their own.
          .array(axis.entrySchema, {
            error: (issue) => (issue.code === 'invalid_type' ? 'expected a list' : undefined),
          })
          .min(1, { error: 'expected at least one value' })
          .max(MAX_AXIS_VALUES, {
            error: (issue) =>
              `at most ${MAX_AXIS_VALUES} values per axis, got ${Array.isArray(issue.input) ? issue.input.length : 'more'}`,
          })
          .optional(),
      ]),
    ) as Record<string, z.ZodOptional<z.ZodArray<z.ZodType<AxisEntry, unknown>>>>,
    { error: 'expected a mapping of axes' },
  )
  .superRefine((matrix, ctx) => {
    if (Object.values(matrix).every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: `expected at least one axis (${AXES.map((a) => a.name).join(', ')})` });
    }
    // Two entries that end up as the same effective value would measure one cell twice.
    for (const axis of AXES) {
      const seen = new Map<string, number>();
      (matrix[axis.name] ?? []).forEach((entry, i) => {
        const key = String(axis.effective(entry.requested).value);
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [axis.name, i],
            message: `duplicate of ${axis.name}[${first}] (both mean ${key})`,
          });
        } else seen.set(key, i);
      });
    }
  });

export const ProfileSchema = z.strictObject(
  {
    name: safeString('name'),
    description: z.string().max(2000).optional(),
    qemu: QemuSchema.prefault({}),
    guest: GuestSchema.prefault({ kind: 'builtin' }),
    disk: DiskSchema.prefault({}),
    fio: FioSchema.prefault({}),
    /** A count, or `auto`: rounds until the `adaptive:` block's comparisons are decided (profile/adaptive.ts). */
    repetitions: z
      .union([intIn(1, 1000), z.literal('auto')], { error: 'expected an integer from 1 to 1000, or auto' })
      .default(1),
    adaptive: AdaptiveSchema.optional(),
    /** Order of group visits within a round: same order each round, or shuffled with a recorded seed. */
    order: z.enum(['round-robin', 'random'], { error: 'expected round-robin or random' }).default('round-robin'),
    seed: intIn(0, 2 ** 31 - 1).default(1),
    /** host: before the guests, run each fio-scope cell's job on the host against the backing store (the native reference). */
    reference: z.enum(['none', 'host'], { error: 'expected host or none' }).default('none'),
    /** Infrastructure failures (boot, SSH, a guest that dies) are retried this many times per visit, each with a fresh guest. */
    boot_retries: intIn(0, 10).default(1),
    /**
     * true: a fresh boot per repetition, rounds interleaved across groups (A B A B …).
     * false: one boot per group serves all its repetitions (A A A B B B at group level;
     * interleaving needs a boot per visit), cells interleaved inside the boot.
     */
    reboot_per_repetition: z.boolean({ error: 'expected true or false' }).default(true),
    /**
     * latency: after each cell's measured repetitions, in the same boot, one traced fio run of the cell
     * (QEMU trace events and guest ftrace on around it only) stored under traces/ — never a sample.
     */
    trace: z.enum(['none', 'latency'], { error: 'expected none or latency' }).default('none'),
    /** Host CPUs for vCPU threads, the iothread and the storage daemon (see profile/pin.ts). */
    pin: PinSchema.optional(),
    /** Absent: the default sampling (a profile that does not name it stores none, so its fingerprint is unchanged). */
    insight: InsightSchema.optional(),
    matrix: MatrixSchema,
  },
  { error: 'expected a mapping at the top level' },
);

export type Profile = z.output<typeof ProfileSchema>;
