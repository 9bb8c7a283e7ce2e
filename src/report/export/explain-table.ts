/** Terminal exporter of `explain`: one breakdown table per pair, with its summary. */
import { renderPairBreakdown, type ExplainReport } from '../breakdown-table.js';
import type { Exporter } from './exporter.js';

export const explainTable: Exporter<ExplainReport> = {
  format: 'table',
  render: (m, ctx) => (m.pairs.length ? `${m.pairs.map((p) => renderPairBreakdown(p, ctx)).join('\n\n')}\n` : ''),
};
