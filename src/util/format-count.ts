/** Counts as people read them in tables and progress lines (the run loop's and the exporters'). */

/** 12345 → `12.3K`, 1234567 → `1.23M`; IOPS read better in three significant digits. */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}K`;
  if (value === 0) return '0';
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
