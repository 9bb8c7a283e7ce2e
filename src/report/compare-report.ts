/**
 * The model of `compare`'s output and the text its exporters share: rows in
 * benchstat's style — A, B, the change with its interval, the p-value, `~`
 * where the difference is not significant — headed by what keeps the
 * comparison from concluding, with the hint.
 */
import type { ComparisonRow } from '../compare/types.js';
import { belowDeltaCiRule, deltaCiRuleNote, formatDeltaCi } from '../compare/delta-ci.js';
import {
  describeInconclusive,
  inconclusiveHint,
  type EnvironmentDifference,
  type Inconclusive,
} from '../compare/inconclusive.js';
import { cellWithout } from '../model/cell-key.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';
import type { CellStats } from '../stats/cell-stats.js';
import { formatNumber, formatP, formatSignedPct } from '../util/number-format.js';
import { formatMedianWithCi } from './format.js';
import { cellLabel, varyingAxes } from './labels.js';
import { renderWarnings } from './warnings.js';

export interface CompareHeader {
  /** What A (the baseline) and B are, e.g. two results directories or `ioeventfd=on` / `ioeventfd=off`. */
  a: string;
  b: string;
  metric: string;
  alpha: number;
  /** `compare --by`: the run compared inside (printed above the table). */
  run?: string;
  /** What qualifies the comparison, above the table: subject differences, allowed environment differences, steal. */
  diagnostics: ComparisonDiagnostic[];
  /** An axis left out of the row labels (the `--by` axis when the header already names both values). */
  omitAxis?: string;
  /** What keeps the comparison from concluding, in precedence order (compare/inconclusive.ts): the first one heads the output. */
  inconclusive?: Inconclusive[];
}

/** What `compare` prints, in every format. */
export interface CompareReport {
  header: CompareHeader;
  rows: ComparisonRow[];
  /** Environment differences that made `compare` refuse (no rows then; the refusal is on stderr). */
  refused: EnvironmentDifference[];
}

/**
 * The first reason a comparison cannot conclude, with hint: state
 * PARTIAL (cells missing on a side: exit 3) or INCONCLUSIVE (sizes that
 * cannot reach α); null when every cell was compared with enough samples.
 */
export function compareHeadline(
  reasons: readonly Inconclusive[] = [],
): { state: string; why: string; hint: string; also: string[] } | null {
  const [first, ...rest] = reasons;
  if (!first) return null;
  const state = first.kind === 'missing-cells' ? 'PARTIAL' : 'INCONCLUSIVE';
  return {
    state,
    why: describeInconclusive(first),
    hint: inconclusiveHint(first),
    also: rest.map(describeInconclusive),
  };
}

function side(s: CellStats | null): string {
  return s ? `${formatMedianWithCi(s.median, s.ci, s.n)}${s.ci ? ` n=${s.n}` : ''}` : '—';
}

/** The table's cells for one row: label, A, B, Δ (or `~`), CI of Δ, p. */
export function rowCells(row: ComparisonRow, label: string): string[] {
  if (row.status === 'missing')
    return [label, side(row.a), side(row.b), `missing in ${row.missingFrom.toUpperCase()}`, '', ''];
  const delta = row.significant ? formatSignedPct(row.deltaPct) : '~';
  return [label, side(row.a), side(row.b), delta, formatDeltaCi(row.deltaCi), formatP(row.p)];
}

/** Row labels: the axes that tell the rows apart, without the one the header already names. */
export function rowLabels(rows: readonly ComparisonRow[], omitAxis?: string): string[] {
  const cells = rows.map((r) => (omitAxis ? cellWithout(r.cell, omitAxis) : r.cell));
  const axes = varyingAxes(cells);
  return cells.map((c) => cellLabel(c, axes));
}

export const compareHead = (h: CompareHeader) => ['cell', `A: ${h.a}`, `B: ${h.b}`, 'Δ', '95 % CI of Δ', 'p'];

/** Under the table: the legend, the CI-of-Δ rule when it hid an interval, the typed warnings of both sides (unless listed elsewhere). */
export function compareFooter(
  rows: readonly ComparisonRow[],
  h: CompareHeader,
  names: readonly string[],
  withWarnings = true,
): string[] {
  const entries = rows.flatMap((r, i) => {
    const name = names[i] ?? r.cellKey;
    return [
      ...(r.a ? [{ label: `A ${name}`, warnings: r.a.warnings }] : []),
      ...(r.b ? [{ label: `B ${name}`, warnings: r.b.warnings }] : []),
    ];
  });
  const hidden = rows.some((r) => r.status === 'ok' && r.deltaCi === null && belowDeltaCiRule(r.a.n, r.b.n));
  return [
    `Δ = median B / median A − 1; ~ = not significant (two-sided Mann-Whitney U, p ≥ α = ${formatNumber(h.alpha)}, ` +
      `uncorrected: exploratory); CI: percentile bootstrap of the ratio of medians.`,
    ...(hidden ? [deltaCiRuleNote()] : []),
    ...(withWarnings ? renderWarnings(entries) : []),
  ];
}
