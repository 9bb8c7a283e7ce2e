/** Number formatting shared by the text exporters. */

/** 12345 → `12.3K`, 1234567 → `1.23M`; IOPS read better in three significant digits. */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}K`;
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

export function formatPct(pct: number): string {
  const rounded = Math.abs(pct) < 0.05 ? 0 : pct;
  return `${rounded >= 0 ? '+' : ''}${rounded.toFixed(1)}%`;
}
