/**
 * Text shaping shared by the Markdown and HTML exporters: the configuration ×
 * depth grid of medians with their intervals, comparison rows as HTML table
 * cells, and one-line findings ("which path won, by how much, how sure").
 * Labels, anomalies and the Markdown comparison table come from
 * cell-stats-table.ts / compare-table.ts (the `compare` command's). Pure.
 */
import type { ComparisonRow } from '../compare/types.js';
import { formatDeltaCi, minSamplesForDeltaCi } from '../compare/delta-ci.js';
import { formatNumber, formatP, formatSignedPct, formatCount } from '../util/number-format.js';
import { powerlessBecause } from '../stats/min-samples.js';
import { formatMedianWithCi } from './format.js';
import type { CellReport, ComparisonTable, ReportModel } from './model.js';
import { cellLabel } from './labels.js';

export interface GridRow {
  run: number;
  label: string;
  cells: (CellReport | null)[];
}

export interface Grid {
  columns: string[];
  rows: GridRow[];
}

/** Rows = run × configuration, columns = depths in ascending order. */
export function cellGrid(model: ReportModel): Grid {
  const depths = [...new Set(model.cells.map((c) => c.depth).filter((d) => d !== null))].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
  const rows = new Map<string, GridRow>();
  for (const c of model.cells) {
    const key = `${c.run}|${c.configKey}`;
    let row = rows.get(key);
    if (!row) {
      const label = cellLabel(c.cell, model.labelAxes);
      rows.set(
        key,
        (row = {
          run: c.run,
          label: model.runs.length > 1 ? `${model.runs[c.run]!.label}: ${label}` : label,
          cells: depths.map(() => null),
        }),
      );
    }
    row.cells[depths.indexOf(c.depth!)] = c;
  }
  return { columns: depths.map((d) => `${model.depthAxis}=${d}`), rows: [...rows.values()] };
}

/** One grid cell: `8535 [7212, 9104] n=6`, or the status of a cell that was not measured. */
export function gridCellText(c: CellReport | null): string {
  if (!c) return '';
  if (!c.stats) {
    const status = (['failed', 'invalid', 'unsupported'] as const).find((s) => c.counts[s] > 0) ?? 'no data';
    return c.reasons[0] ? `${status}: ${c.reasons[0]}` : status;
  }
  return `${formatMedianWithCi(c.stats.median, c.stats.ci, c.stats.n)}${c.stats.ci ? ` n=${c.stats.n}` : ''}`;
}

export interface ComparisonText {
  cell: string;
  a: string;
  b: string;
  delta: string;
  deltaCi: string;
  p: string;
  marker: string;
  note: string;
}

/** Columns of one comparison row; `labelAxes` picks what tells cells apart. */
export function comparisonText(row: ComparisonRow, labelAxes: readonly string[], alpha: number): ComparisonText {
  const med = (s: { median: number; n: number } | null) => (s ? `${formatCount(s.median)} (n=${s.n})` : '—');
  const cell = cellLabel(row.cell, labelAxes);
  if (row.status === 'missing') {
    return {
      cell,
      a: med(row.a),
      b: med(row.b),
      delta: '—',
      deltaCi: '—',
      p: '—',
      marker: '',
      note: `no ok measurements in ${row.missingFrom === 'a' ? 'the baseline' : 'the candidate'}`,
    };
  }
  const why = powerlessBecause(row.a.n, row.b.n, row.minP, alpha);
  const powerless = why
    ? `${why === 'ties' ? 'too many ties' : 'n too small'}: p can never be below α = ${formatNumber(alpha, 3)}`
    : '';
  const noCi = row.deltaCiReason ? `no CI of Δ: ${row.deltaCiReason}` : '';
  return {
    cell,
    a: med(row.a),
    b: med(row.b),
    delta: formatSignedPct(row.deltaPct),
    deltaCi: formatDeltaCi(row.deltaCi),
    p: formatP(row.p),
    marker: row.marker,
    note: [powerless, noCi].filter(Boolean).join('; '),
  };
}

/**
 * Plain-language findings, most important first: every significant difference
 * with its size, interval and p, then how many showed none.
 */
export function findings(model: ReportModel): string[] {
  const lines: string[] = [];
  const worse = model.better === 'higher' ? 'lower' : 'higher';
  const better = model.better;
  for (const table of model.comparisons) {
    const ok = table.rows.filter((r) => r.status === 'ok');
    const significant = ok.filter((r) => r.significant).sort((x, y) => Math.abs(y.deltaPct) - Math.abs(x.deltaPct));
    for (const r of significant) {
      const where = cellLabel(r.cell, [...model.labelAxes, model.depthAxis]);
      const dir = r.deltaPct > 0 === (model.better === 'higher') ? better : worse;
      const ci = r.deltaCi ? `, ${formatNumber(r.deltaCi.level * 100, 3)} % CI ${formatDeltaCi(r.deltaCi)}` : '';
      lines.push(
        `${where}: ${model.metric} ${formatSignedPct(r.deltaPct)} (${dir} is ${dir === better ? 'better' : 'worse'}) against ${table.baseline} (${formatCount(r.a.median)} → ${formatCount(r.b.median)}${ci}, p = ${formatP(r.p)})`,
      );
    }
    const none = ok.length - significant.length;
    if (none > 0)
      lines.push(
        `${table.title}: ${none} of ${ok.length} cell(s) show no significant difference at α = ${formatNumber(model.alpha, 3)} (marked ~)`,
      );
  }
  return lines;
}

/** The legend line under every comparison table. */
export function comparisonLegend(table: ComparisonTable, alpha: number): string {
  return (
    `A = ${table.baseline}, B = ${table.candidate}. Δ = median B / median A − 1 with its bootstrap CI ` +
    `(shown only with at least ${minSamplesForDeltaCi()} values per side); p from the two-sided Mann-Whitney U test; ` +
    `~ = not significant at α = ${formatNumber(alpha, 3)} (uncorrected, exploratory).`
  );
}
