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
