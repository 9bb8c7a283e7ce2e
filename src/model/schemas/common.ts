/**
 * Building blocks of the stored-file schemas (src/model/schemas/): what a
 * timestamp, a cell, a metric value may be in a file vblk-bench wrote. Every
 * stored object is a loose object — fields a newer vblk-bench adds pass
 * through untouched — but every field a reader uses has a type and a bound.
 * zod's messages name the expected type, never the value found, so a
 * problem line can quote the field without quoting the file.
 */
import { z } from 'zod';
import { impossibleMetricValue } from '../metric-limits.js';
import { METRICS, type MetricInfo } from '../metrics.js';

/** `2026-11-26T05:17:15.941Z`: what `Date.prototype.toISOString` writes (the only timestamps vblk-bench stores). */
export const Timestamp = z
  .string({ error: 'expected an ISO 8601 timestamp' })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, { error: 'expected an ISO 8601 UTC timestamp' })
  .refine((s) => Number.isFinite(Date.parse(s)), { error: 'not a valid date' });

/** A single-line text of bounded length (reasons, labels, notices). */
export const Line = (max = 65_536) =>
  z.string({ error: 'expected a string' }).max(max, { error: `longer than ${max} characters` });

export const Count = z
  .number({ error: 'expected a number' })
  .int({ error: 'expected an integer' })
  .nonnegative({ error: 'expected a non-negative integer' });

/** Axis names as the profile's AXES spell them. */
const AxisName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: 'expected an axis name' });

/** One axis value: a name (no control characters, no `,` or `=`, which would break cell keys) or a non-negative number. */
export const AxisValue = z.union([z.string().regex(/^[^\u0000-\u001f\u007f,=]{1,256}$/), z.number().nonnegative()], {
  error: 'expected an axis value (a name or a non-negative number)',
});

export const CellValues = z.record(AxisName, AxisValue, { error: 'expected a mapping of axis values' });

/** The canonical key of stored cell values (their order as stored): `backend=virtio-blk,iodepth=4`. */
export function keyOfCell(cell: Record<string, string | number>): string {
  return Object.entries(cell)
    .map(([axis, value]) => `${axis}=${value}`)
    .join(',');
}

export const Better = z.enum(['higher', 'lower'], { error: 'expected higher or lower' });

/** A measured value: finite, not negative, at most its unit's ceiling (src/model/metric-limits.ts). */
const MetricSchema = z
  .looseObject(
    {
      value: z.number({ error: 'expected a finite number' }),
      unit: z.string({ error: 'expected a unit' }),
      better: Better,
    },
    { error: 'expected a metric' },
  )
  .superRefine((m, ctx) => {
    const why = impossibleMetricValue(m.value, m.unit);
    if (why) ctx.addIssue({ code: 'custom', path: [why.startsWith('unknown unit') ? 'unit' : 'value'], message: why });
  });

/** The metrics table's entry for a stored metric name: its own, or its direction's (`read_iops` → `iops`). */
function knownMetric(name: string): MetricInfo | undefined {
  const table = METRICS as Readonly<Record<string, MetricInfo>>;
  return table[name] ?? table[name.replace(/^(read|write|trim)_/, '')];
}

/**
 * Metric name → metric. A metric of the table (model/metrics.ts) must carry
 * the table's unit and direction: a flipped `better` would turn a gate's
 * regression into an improvement.
 */
export const MetricsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, { error: 'expected a metric name' }), MetricSchema, {
    error: 'expected a mapping of metrics',
  })
  .superRefine((metrics, ctx) => {
    for (const [name, m] of Object.entries(metrics)) {
      const known = knownMetric(name);
      if (known && known.unit !== m.unit)
        ctx.addIssue({ code: 'custom', path: [name, 'unit'], message: `expected ${known.unit} for this metric` });
      if (known && known.better !== m.better)
        ctx.addIssue({ code: 'custom', path: [name, 'better'], message: `expected ${known.better} for this metric` });
    }
  });

/** A path inside a results directory as vblk-bench writes it: `raw/0001-….fio.json` (no `..`, not absolute). */
export const RelativeFile = (dir: string) =>
  z
    .string()
    .regex(new RegExp(`^${dir}/[A-Za-z0-9][A-Za-z0-9._-]{0,250}$`), { error: `expected a file name under ${dir}/` });
