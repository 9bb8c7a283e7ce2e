/**
 * The latency section of `report` (issue 14): the traced pass's per-layer
 * maps of the reported runs, read through the validated latency reader and
 * paired by the one implementation `explain --latency` uses
 * (src/latency/explain-latency.ts). Absent for runs without traces/; a map
 * that cannot be used is one line of the section (and a warning), never the
 * end of the report. Traced runs are not samples: nothing here reaches the
 * report's statistics.
 */
import type { StoredRun } from '../store/run-reader.js';
import { buildLatencyReport, type TracedRunSource } from '../latency/explain-latency.js';
import type { PairChoice } from '../model/cell-pairs.js';
import { InputError } from '../model/errors.js';
import { explain, type StoredDiagnostic } from '../model/diagnostic.js';
import type { ReportLatency, ReportModel } from './model.js';

/** The axes the section pairs across inside one run, as `run` explains them. */
const PAIRED_AXES = ['ioeventfd', 'backend'] as const;

/** What to pair: the report's `--by axis[=baseline]`, else every paired axis; two runs pair their same cells. */
function choicesOf(runs: number, by: string | undefined): PairChoice[] {
  if (by !== undefined) {
    const [axis, baseline] = by.split('=', 2) as [string, string | undefined];
    return [{ by: axis, ...(baseline !== undefined ? { baseline } : {}) }];
  }
  return runs > 1 ? [{ by: PAIRED_AXES[0] }] : PAIRED_AXES.map((axis) => ({ by: axis }));
}

/** Pairs as chosen; a choice the traced cells cannot follow (a --by baseline they lack) is said in the pairing line. */
async function pairedReport(sources: TracedRunSource[], choices: PairChoice[]) {
  try {
    return await buildLatencyReport(sources, choices);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const built = await buildLatencyReport(sources, []);
    return { ...built, report: { ...built.report, pairing: `no pair: ${err.message}` } };
  }
}

/**
 * The latency section of these runs, or null when none of them has a traced
 * pass; with what the reader skipped (for the command's warnings and exit code).
 */
export async function readReportLatency(
  runs: readonly StoredRun[],
  by?: string,
): Promise<{ latency: ReportLatency | null; diagnostics: StoredDiagnostic[] }> {
  const sources = runs.map((r) => ({ dir: r.dir, cellOrder: [...new Set(r.samples.map((s) => s.cellKey))] }));
  // Only the first two runs pair across runs (as `explain --latency`); more runs show their cells without pairs.
  const paired = await pairedReport(sources.slice(0, 2), choicesOf(runs.length, by));
  const rest = sources.length > 2 ? await buildLatencyReport(sources.slice(2), []) : null;
  const report = paired.report;
  const cells = [...report.cells, ...(rest?.report.cells ?? [])];
  const diagnostics = [...paired.diagnostics, ...(rest?.diagnostics ?? [])];
  if (cells.length === 0 && diagnostics.length === 0) return { latency: null, diagnostics };
  const names = [...report.runs, ...(rest?.report.runs ?? [])];
  return { latency: { ...report, runs: names, cells, problems: diagnostics.map(explain) }, diagnostics };
}

/** The report of these runs with its latency section (when they have one), and what the latency reader skipped. */
export async function withLatency(
  model: ReportModel,
  runs: readonly StoredRun[],
  by?: string,
): Promise<{ model: ReportModel; diagnostics: StoredDiagnostic[] }> {
  const { latency, diagnostics } = await readReportLatency(runs, by);
  return { model: latency ? { ...model, latency } : model, diagnostics };
}
