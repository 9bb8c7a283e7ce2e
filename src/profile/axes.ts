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
import { mapLegacyScheduler } from '../guest/scheduler.js';
import { SAFE, PATTERN_HINT } from './patterns.js';

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
  /** Values used when the profile's matrix does not mention the axis. */
  defaults: AxisEntry[];
  /** Validates one YAML value and turns it into an entry. */
  entrySchema: z.ZodType<AxisEntry, unknown>;
  /** Effective value for a requested one (legacy names mapped), with a notice when they differ. */
  effective(requested: AxisValue): { value: AxisValue; notice?: string };
}

const identity = (requested: AxisValue) => ({ value: requested });
const plain = (requested: AxisValue): AxisEntry => ({ requested, options: {} });

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

export const BACKEND_NAMES = ['virtio-blk', 'virtio-blk-iothread'] as const;

/** A backend is a name, or an object naming it with per-backend options. */
const backendEntry = z.union(
  [
    z.enum(BACKEND_NAMES, { error: `expected one of ${BACKEND_NAMES.join(', ')}` }).transform(plain),
    z
      .strictObject({
        name: z.enum(BACKEND_NAMES, { error: `expected one of ${BACKEND_NAMES.join(', ')}` }),
        label: z.string().regex(SAFE.label, { error: `expected ${PATTERN_HINT.label}` }).optional(),
        required: z.boolean().optional(),
        queue_size: positiveInt(1024).optional(),
        num_queues: positiveInt(64).optional(),
      })
      .transform(({ name, label, ...options }) => ({
        requested: label ?? name,
        options: { backend: name, ...options },
      })),
  ],
  { error: `expected a backend name (${BACKEND_NAMES.join(', ')}) or {name: ..., options}` },
);

export const AXES: readonly AxisDef[] = [
  {
    name: 'backend',
    scope: 'boot',
    description: 'block device path: in-process virtio-blk on the main loop or on an iothread',
    defaults: [plain('virtio-blk')],
    entrySchema: backendEntry,
    effective: identity,
  },
  {
    name: 'ioeventfd',
    scope: 'boot',
    description: 'virtio-blk ioeventfd: guest notifications as eventfds (on) or synchronous exits (off)',
    defaults: [plain('on')],
    entrySchema: onOff,
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
    name: 'iodepth',
    scope: 'fio',
    description: 'fio iodepth (in-flight requests per job)',
    defaults: [plain(1)],
    entrySchema: positiveInt(4096).transform(plain),
    effective: identity,
  },
];

export const AXIS_NAMES = AXES.map((a) => a.name);

export function axisByName(name: string): AxisDef | undefined {
  return AXES.find((a) => a.name === name);
}
