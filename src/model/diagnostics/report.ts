/**
 * What the commands that read stored runs (report, explain, history,
 * baseline) tell the user beside their output: nothing to show, a run that
 * cannot be read, a host reference that failed.
 */
import type { KindTable } from './kind-text.js';

export type ReportDiagnostic =
  | { kind: 'NoOkMeasurements'; metric: string }
  | { kind: 'NothingToExplain'; what: string }
  | { kind: 'PairsWithoutInsight'; missing: number; pairs: number }
  | { kind: 'BaselineNotWhole'; dir: string }
  | { kind: 'RunUnreadable'; dir: string; error: string }
  | { kind: 'HostReferenceFailed'; fioKey: string; reason: string }
  | { kind: 'ReferenceAbove100' }
  /** `explain --latency` on runs without a traced pass (traces/<cell>/latency.json). */
  | { kind: 'NoLatencyTraces'; dirs: string[] };

export const REPORT_TEXTS: KindTable<ReportDiagnostic> = {
  NoOkMeasurements: {
    severity: 'warning',
    explain: (d) => `no ok measurements of metric ${d.metric}`,
    hint: () =>
      'check --metric against the metrics the samples record, and why the samples are not ok (`report --format csv --rows sample` lists each with its reason)',
  },
  NothingToExplain: {
    severity: 'warning',
    explain: (d) => `${d.what}: no pair of cells to explain`,
    hint: () =>
      'explain needs two cells that differ in the explained axis only (--by with two of its values, or --a/--b cell keys)',
  },
  PairsWithoutInsight: {
    severity: 'warning',
    explain: (d) =>
      `${d.missing} of ${d.pairs} pair(s) have no ok sample with insight on one side (failed cells, or recorded by an older vblk-bench)`,
    hint: () => 'measure those cells again with this vblk-bench (`run <profile> --only-cell <cell key>`)',
  },
  BaselineNotWhole: {
    severity: 'warning',
    explain: (d) => `${d.dir} is not whole: a gate against this baseline is inconclusive`,
    hint: (d) => `complete the run (\`vblk-bench run --resume ${d.dir}\`) and save the baseline again`,
  },
  RunUnreadable: {
    severity: 'warning',
    explain: (d) => `skipped ${d.dir}: ${d.error}`,
    hint: () =>
      'not a results directory, or a damaged one: `vblk-bench list` names the problem; move it out of the directory to silence this',
  },
  HostReferenceFailed: {
    severity: 'warning',
    explain: (d) => `host reference ${d.fioKey} failed: ${d.reason}`,
    hint: () => "that fio cell has no host-native ratio; its record in reference/ keeps fio's output",
  },
  NoLatencyTraces: {
    severity: 'warning',
    explain: (d) => `${d.dirs.join(', ')}: no traced cell (no traces/<cell>/latency.json): no latency map to show`,
    hint: () =>
      'add `trace: latency` to the profile and run it again: each cell gets one traced fio run after its measured repetitions (docs/latency.md)',
  },
  ReferenceAbove100: {
    severity: 'info',
    explain: () =>
      'values above 100 % are shown as measured: the guest beat host O_DIRECT (with disk.cache: writeback its reads can come from the host page cache)',
    hint: () => 'nothing is wrong; disk.cache: none compares O_DIRECT with O_DIRECT',
  },
};
