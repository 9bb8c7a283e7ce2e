/** Terminal exporter of `gate`: the headline, the cells worst first, the run-level reasons in full. */
import Table from 'cli-table3';
import { deltaCiRuleNote } from '../../compare/delta-ci.js';
import type { GateResult } from '../../gate/types.js';
import { tableStyle } from '../format.js';
import { gateFigures, sortWorstFirst } from '../gate-cells.js';
import { gateHeadline, hasRuleHiddenDeltaCi, headlineLines, runLevelLines } from '../gate-headline.js';
import type { GateReport } from '../gate-report.js';
import { cellLabel, varyingAxes } from '../labels.js';
import type { Exporter } from './exporter.js';

/** The gate's cells, worst first: status, metric, cell, both medians, Δ, its CI, p and adjusted p, the reason. */
export function renderGateTable(result: GateResult, opts: { color?: boolean } = {}): string {
  const table = new Table({
    head: ['status', 'metric', 'cell', 'baseline', 'current', 'Δ', 'CI of Δ', 'p', 'adj. p', 'reason'],
    style: tableStyle(opts.color),
    colWidths: [null, null, null, null, null, null, null, null, null, 60],
    wordWrap: true,
  });
  const cells = sortWorstFirst(result.cells);
  const axes = varyingAxes(cells.map((c) => c.cell));
  for (const c of cells)
    table.push([c.status.toUpperCase(), c.metric, cellLabel(c.cell, axes), ...gateFigures(c), c.reason]);
  return [
    ...headlineLines(gateHeadline(result)),
    table.toString(),
    // Cell-level reasons are in the table; the run-level ones are listed in full after it.
    ...runLevelLines(result).map((r) => `  ${r}`),
    ...(hasRuleHiddenDeltaCi(result) ? [deltaCiRuleNote()] : []),
  ].join('\n');
}

export const gateTable: Exporter<GateReport> = {
  format: 'table',
  render: (g, ctx) => `${renderGateTable(g.result, ctx)}\n`,
};
