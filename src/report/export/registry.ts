/**
 * Every exporter, by output kind: the one list each command's `--format`
 * offers (its help text), defaults to (the first entry) and is checked
 * against. An unknown format is one line naming the option and the accepted
 * formats (exit 2), before any file is read.
 */
import { InputError } from '../../model/errors.js';
import type { HistoryReport } from '../../history/history.js';
import type { ExplainReport } from '../breakdown-table.js';
import type { CompareReport } from '../compare-report.js';
import type { DoctorReport, GuestImageInfo } from '../doctor-report.js';
import type { FidelityReport } from '../fidelity-report.js';
import type { GateReport } from '../gate-report.js';
import type { LatencyReport } from '../../latency/explain-latency.js';
import { gateHeadline } from '../gate-headline.js';
import { renderDiagnostic } from '../warnings.js';
import type { ReportModel } from '../model.js';
import type { RunListing } from '../run-listing.js';
import { compareMarkdown } from './compare-markdown.js';
import { compareTable } from './compare-table.js';
import { doctorText } from './doctor-text.js';
import { explainTable } from './explain-table.js';
import { fidelityTable } from './fidelity-table.js';
import type { Exporter } from './exporter.js';
import { gateJUnit } from './gate-junit.js';
import { gateMarkdown } from './gate-markdown.js';
import { gateTable } from './gate-table.js';
import { historyHtml } from './history-html.js';
import { historyText } from './history-text.js';
import { jsonExporter } from './json.js';
import { latencyHtmlExporter } from './latency-html.js';
import { latencyTable } from './latency-table.js';
import { reportCsv } from './report-csv.js';
import { reportGoBench } from './report-gobench.js';
import { reportHtml } from './report-html.js';
import { reportMarkdown } from './report-markdown.js';
import { reportTable } from './report-table.js';
import { runsText } from './runs-text.js';

/** The model each output kind renders. */
export interface OutputModels {
  report: ReportModel;
  compare: CompareReport;
  gate: GateReport;
  history: HistoryReport;
  explain: ExplainReport;
  latency: LatencyReport;
  runs: RunListing;
  doctor: DoctorReport;
  'guest-image': GuestImageInfo;
  fidelity: FidelityReport;
}

export type OutputKind = keyof OutputModels;

type Registry = { readonly [K in OutputKind]: readonly Exporter<OutputModels[K]>[] };

const EXPORTERS: Registry = {
  report: [
    reportTable,
    // The samples stay in the results directory; the document carries the statistics.
    jsonExporter('report', (m: ReportModel) => ({ ...m, runs: m.runs.map(({ samples: _, ...run }) => run) })),
    reportCsv,
    reportMarkdown,
    reportGoBench,
    reportHtml,
  ],
  compare: [
    compareTable,
    compareMarkdown,
    jsonExporter('compare', (m: CompareReport) => ({
      ...m.header,
      diagnostics: m.header.diagnostics.map(renderDiagnostic),
      rows: m.rows,
      refused: m.refused.map((d) => d.text),
    })),
  ],
  gate: [
    gateTable,
    jsonExporter('gate', (g: GateReport) => ({
      ...g.result,
      headline: gateHeadline(g.result),
      diagnostics: g.diagnostics.map(renderDiagnostic),
    })),
    gateMarkdown,
    gateJUnit,
  ],
  history: [historyText, historyHtml, jsonExporter('history')],
  explain: [explainTable, jsonExporter('explain')],
  latency: [latencyTable, jsonExporter('latency'), latencyHtmlExporter],
  runs: [runsText, jsonExporter('runs')],
  doctor: [doctorText, jsonExporter('doctor')],
  'guest-image': [jsonExporter('guest-image')],
  fidelity: [fidelityTable, jsonExporter('fidelity')],
};

/** The formats of one kind, the default first. */
export function formatsOf(kind: OutputKind): string[] {
  return EXPORTERS[kind].map((e) => e.format);
}

/** The exporter `value` names for this kind; bad input (exit 2) naming `option` and the accepted formats otherwise. */
export function exporterFor<K extends OutputKind>(
  kind: K,
  value: string,
  option = '--format',
): Exporter<OutputModels[K]> {
  const found = (EXPORTERS[kind] as readonly Exporter<OutputModels[K]>[]).find((e) => e.format === value);
  if (!found) throw new InputError(`${option}: expected one of ${formatsOf(kind).join(', ')}, got ${value}`);
  return found;
}
