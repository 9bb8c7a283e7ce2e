/**
 * Matrix axes, declared once. Each axis says what it costs to change it:
 *   - `boot`:  a different QEMU configuration, so a new guest boot;
 *   - `guest`: a setting changed inside a running guest (sysfs);
 *   - `fio`:   an option of the fio job.
 * The planner groups cells by the `boot` axes only, so one boot serves every
 * guest × fio cell of a QEMU configuration, with no axis-specific code there.
 * Adding an axis is one entry here plus the code that applies it.
 */
import { z } from 'zod';
import type { AxisValue } from '../model/sample.js';
import { SAFE, PATTERN_HINT } from './patterns.js';
import { mapLegacyScheduler } from '../model/scheduler-names.js';

export type AxisScope = 'boot' | 'guest' | 'fio';

/** One value of an axis as the profile gave it, with per-value options. */
export interface AxisEntry {
  /** What the profile wrote (kept beside the effective value in results). */
  requested: AxisValue;
  /** Per-entry options, e.g. a backend's `queue_size` or `required`. */
  options: Record<string, unknown>;
}

export interface AxisDef {
  name: string;
  scope: AxisScope;
  description: string;
  /**
   * Values used when the profile's matrix does not mention the axis. Absent:
   * an axis not named is not part of the cells (nor of their keys) at all —
   * the profile's own field (e.g. `disk.aio`, `fio.bs`) or QEMU's default
   * applies, so cell keys of profiles that do not use the axis never change.
   */
  defaults?: AxisEntry[];
  /** Validates one YAML value and turns it into an entry. */
  entrySchema: z.ZodType<AxisEntry, unknown>;
  /** Effective value for a requested one (legacy names mapped), with a notice when they differ. */
  effective(requested: AxisValue): { value: AxisValue; notice?: string };
}

const identity = (requested: AxisValue) => ({ value: requested });
const plain = (requested: AxisValue): AxisEntry => ({ requested, options: {} });

/** The value of an axis that does not apply to a cell (ioeventfd on vhost backends): one cell, never one per value. */
export const NOT_APPLICABLE = 'n/a';

/** `on`/`off` as strings (YAML 1.2, the `yaml` package) or booleans (YAML 1.1 parsers, `true`). */
const onOff = z
  .union([z.boolean(), z.enum(['on', 'off'])], { error: 'expected on or off' })
  .transform((v) => plain(v === true || v === 'on' ? 'on' : 'off'));

const positiveInt = (max: number) =>
  z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .max(max, { error: `must be at most ${max}` });

const intRange = (min: number, max: number) =>
  z
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` });

/** One of a fixed list of names, as an entry. */
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` }).transform(plain);

/** virtio ring sizes QEMU 7.2 accepts: a power of two > 2 and <= 1024 (VIRTQUEUE_MAX_SIZE). */
const QUEUE_SIZES = [4, 8, 16, 32, 64, 128, 256, 512, 1024] as const;
const queueSize = z.literal(QUEUE_SIZES, { error: `expected one of ${QUEUE_SIZES.join(', ')}` });
/** Virtqueues per device: 1..64 (QEMU allows 1024; more than 64 is never a useful experiment). */
const MAX_NUM_QUEUES = 64;
const numQueues = positiveInt(MAX_NUM_QUEUES);
/** Same bound as qemu.vcpus. */
const MAX_VCPUS = 256;
/** iothread poll-max-ns: 0 (no polling) .. 1 s. QEMU's default is 32768. */
const MAX_POLL_NS = 1_000_000_000;

export const BACKEND_NAMES = ['virtio-blk', 'virtio-blk-iothread', 'vhost-user-blk', 'vhost-blk'] as const;

/** A backend is a name, or an object naming it with per-backend options. */
const backendEntry = z.union(
  [
    z.enum(BACKEND_NAMES, { error: `expected one of ${BACKEND_NAMES.join(', ')}` }).transform(plain),
    z
      .strictObject({
        name: z.enum(BACKEND_NAMES, { error: `expected one of ${BACKEND_NAMES.join(', ')}` }),
        label: z
          .string()
          .regex(SAFE.label, { error: `expected ${PATTERN_HINT.label}` })
          .optional(),
        /** true: a host that cannot run this backend is an error (exit 2) instead of `unsupported` cells. */
        required: z.boolean({ error: 'expected true or false' }).optional(),
        queue_size: queueSize.optional(),
        num_queues: numQueues.optional(),
      })
      .transform(({ name, label, ...options }) => ({
        requested: label ?? name,
        options: { backend: name, ...options },
      })),
  ],
  { error: `expected a backend name (${BACKEND_NAMES.join(', ')}) or {name: ..., options}` },
);

/** fio block sizes as an axis: `4k`, `128k`, `1m`, or a byte count; upper case is written lower case. */
const BLOCK_SIZE_RE = /^[1-9]\d{0,8}[km]?$/;
const blockSize = z
  .union([z.string(), z.number()], { error: 'expected a block size such as 4k, 128k or 1m' })
  .transform((v) => String(v).toLowerCase())
  .refine((v) => BLOCK_SIZE_RE.test(v), { error: 'expected a block size such as 512, 4k, 128k or 1m' })
  .transform(plain);

/**
 * In canonical order: cell keys list axes in this order. `backend` and
 * `ioeventfd` first, then the other boot axes, then guest axes, then fio
 * axes with `iodepth` last (the column axis of the tables).
 */
export const AXES: readonly AxisDef[] = [
  {
    name: 'backend',
    scope: 'boot',
    description:
      'block I/O path: in-process virtio-blk (main loop or iothread), vhost-user-blk (qemu-storage-daemon), in-kernel vhost-blk',
    defaults: [plain('virtio-blk')],
    entrySchema: backendEntry,
    effective: identity,
  },
  {
    name: 'ioeventfd',
    scope: 'boot',
    description:
      'virtio-blk ioeventfd: guest notifications as eventfds (on) or synchronous exits (off); n/a for vhost backends',
    defaults: [plain('on')],
    entrySchema: onOff,
    effective: identity,
  },
  {
    name: 'aio',
    scope: 'boot',
    description:
      'host I/O submission of the disk node (QEMU or qemu-storage-daemon): threads, native (Linux AIO, needs cache none), io_uring',
    entrySchema: oneOf(['threads', 'native', 'io_uring'] as const),
    effective: identity,
  },
  {
    name: 'cache',
    scope: 'boot',
    description: 'host cache of the disk node: none (O_DIRECT, cache.direct=on) or writeback (host page cache)',
    entrySchema: oneOf(['none', 'writeback'] as const),
    effective: identity,
  },
  {
    name: 'vcpus',
    scope: 'boot',
    description: 'guest vCPUs (-smp); also the default num_queues',
    entrySchema: positiveInt(MAX_VCPUS).transform(plain),
    effective: identity,
  },
  {
    name: 'num_queues',
    scope: 'boot',
    description: 'virtqueues of the device (and of the vhost-user export); default: one per vCPU',
    entrySchema: numQueues.transform(plain),
    effective: identity,
  },
  {
    name: 'queue_size',
    scope: 'boot',
    description: 'virtqueue size (ring entries); default 256 for every backend',
    entrySchema: queueSize.transform(plain),
    effective: identity,
  },
  {
    name: 'poll_max_ns',
    scope: 'boot',
    description:
      "iothread adaptive polling limit (poll-max-ns; 0 = no polling); n/a for backends without QEMU's iothread",
    entrySchema: intRange(0, MAX_POLL_NS).transform(plain),
    effective: identity,
  },
  {
    name: 'scheduler',
    scope: 'guest',
    description: 'guest I/O scheduler (legacy noop/deadline/cfq are mapped to blk-mq names)',
    defaults: [plain('none')],
    entrySchema: z
      .string({ error: 'expected a scheduler name' })
      .regex(SAFE.scheduler, { error: `expected ${PATTERN_HINT.scheduler}` })
      .transform(plain),
    effective: (requested) => {
      const mapped = mapLegacyScheduler(String(requested));
      return { value: mapped.effective, notice: mapped.notice };
    },
  },
  {
    name: 'nomerges',
    scope: 'guest',
    description: 'guest /sys/block/<dev>/queue/nomerges: 0 merges, 1 only simple one-hit merges, 2 no merging',
    entrySchema: intRange(0, 2).transform(plain),
    effective: identity,
  },
  {
    name: 'nr_requests',
    scope: 'guest',
    description:
      'guest /sys/block/<dev>/queue/nr_requests (requests the block layer queues; capped by the device queue without a scheduler)',
    entrySchema: intRange(4, 65536).transform(plain),
    effective: identity,
  },
  {
    name: 'rw',
    scope: 'fio',
    description: 'fio workload (read workloads; writes come from fio.rw with disk.allow_writes)',
    entrySchema: oneOf(['read', 'randread'] as const),
    effective: identity,
  },
  {
    name: 'bs',
    scope: 'fio',
    description: 'fio block size',
    entrySchema: blockSize,
    effective: identity,
  },
  {
    name: 'numjobs',
    scope: 'fio',
    description: 'fio jobs (threads issuing I/O in parallel, reported together)',
    entrySchema: positiveInt(64).transform(plain),
    effective: identity,
  },
  {
    name: 'iodepth',
    scope: 'fio',
    description: 'fio iodepth (in-flight requests per job)',
    defaults: [plain(1)],
    entrySchema: positiveInt(4096).transform(plain),
    effective: identity,
  },
];

export function axisByName(name: string): AxisDef | undefined {
  return AXES.find((a) => a.name === name);
}
