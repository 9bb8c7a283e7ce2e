/** Short, stable number formatting shared by diagnostic texts and reports. */

/** Significant-digit formatting without exponent for everyday magnitudes; '—' for NaN/null. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-4)) return x.toExponential(digits - 1);
  if (abs >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

/** A fraction as a percentage: 0.0734 → "7.34 %". */
export function formatFraction(fraction: number | null | undefined, digits = 3): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '—';
  return `${formatNumber(fraction * 100, digits)} %`;
}

/** A percentage with its sign: -12.5 → "-12.5 %", 3 → "+3 %". */
export function formatSignedPct(pct: number | null | undefined, digits = 3): string {
  if (pct === null || pct === undefined || Number.isNaN(pct)) return '—';
  return `${pct > 0 ? '+' : ''}${formatNumber(pct, digits)} %`;
}

/** A p-value: 3 significant digits, "<1e-6" below that. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  if (p < 1e-6) return '<1e-6';
  return formatNumber(p, 3);
}

/** 12345 → `12.3K`, 1234567 → `1.23M`; IOPS read better in three significant digits. */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}K`;
  if (value === 0) return '0';
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
