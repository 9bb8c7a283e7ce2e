/** HTML exporter of `explain --latency`: one self-contained page with the layer tables, timelines and pairs. */
import { latencyHtml } from '../latency-html.js';
import { htmlPage } from '../html-page.js';
import type { LatencyReport } from '../../latency/explain-latency.js';
import type { Exporter } from './exporter.js';

export const latencyHtmlExporter: Exporter<LatencyReport> = {
  format: 'html',
  render: (m) =>
    htmlPage({
      title: 'vblk-bench: where the time goes (per-layer latency)',
      subtitle: `${m.runs.join(', ')}: ${m.cells.length} traced cell(s), one traced fio run each (not samples)`,
      body: latencyHtml(m),
    }),
};
