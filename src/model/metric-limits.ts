/**
 * What a stored metric value may be. A value outside these bounds cannot
 * have been measured — it is damage or tampering — and would otherwise flow
 * into medians, intervals and a gate verdict. Every metric value must be a
 * finite number, not negative, and at most the ceiling of its unit. The
 * ceilings are far above anything a block device or fio can report (so a
 * real measurement never trips them) and low enough that sums and ratios of
 * a few thousand values stay exact in a double.
 */

const METRIC_UNIT_CEILINGS: Readonly<Record<string, number>> = {
  /** 1 G I/O per second: 100× the fastest NVMe device. */
  'IO/s': 1e9,
  /** 1 TB/s: 20× a RAM-backed tmpfs. */
  'B/s': 1e12,
  /** 10⁵ s in ns: longer than fio's longest allowed runtime (86 400 s). */
  ns: 1e14,
  /** 10⁸ ms ≈ 28 h: fio's longest runtime plus its longest ramp. */
  ms: 1e8,
  /** 10 000 %: a hundred CPUs fully busy (fio reports % of one CPU). */
  '%': 1e4,
  /** 10¹⁵ events (I/Os, context switches): 11 days at 1 G per second. */
  count: 1e15,
};

const METRIC_UNITS: readonly string[] = Object.keys(METRIC_UNIT_CEILINGS);

/** Why `value` cannot be a measurement in `unit`, or null when it can. Never quotes the value (it may be huge). */
export function impossibleMetricValue(value: number, unit: string): string | null {
  if (!Number.isFinite(value)) return 'not a finite number';
  if (value < 0) return 'negative';
  const ceiling = METRIC_UNIT_CEILINGS[unit];
  if (ceiling === undefined) return `unknown unit (known: ${METRIC_UNITS.join(', ')})`;
  if (value > ceiling) return `above the ceiling of its unit ${unit} (${ceiling.toExponential()})`;
  return null;
}

/** Metrics of a record whose values cannot be measurements, with why. */
export function impossibleMetrics(
  metrics: Readonly<Record<string, { value: number; unit: string }>>,
): { name: string; why: string }[] {
  return Object.entries(metrics).flatMap(([name, m]) => {
    const why = impossibleMetricValue(m.value, m.unit);
    return why ? [{ name, why }] : [];
  });
}
