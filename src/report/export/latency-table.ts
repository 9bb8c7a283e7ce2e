/** Terminal exporter of `explain --latency`: a layer table per traced cell, then the pairs side by side. */
import { renderLatencyReport } from '../latency-table.js';
import type { LatencyReport } from '../../latency/explain-latency.js';
import type { Exporter } from './exporter.js';

export const latencyTable: Exporter<LatencyReport> = {
  format: 'table',
  render: (m, ctx) => renderLatencyReport(m, ctx),
};
