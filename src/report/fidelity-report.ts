/**
 * The fidelity check's report: per cell, normal / harness-free with its CI,
 * p and verdict (calibrate/fidelity-verdict.ts), from a fidelity file — the
 * one just measured, or one read back with another margin or α. The model
 * of the `fidelity` output kind (src/report/export/).
 */
import type { FidelityFile } from '../calibrate/fidelity-file.js';
import { FIDELITY_DEFAULTS, judgeCell, type FidelityCell } from '../calibrate/fidelity-verdict.js';
import { formatNumber, formatSignedPct } from '../util/number-format.js';

export interface FidelityReport {
  profileName: string;
  dir: string;
  accel: 'kvm' | 'tcg';
  metric: string;
  alpha: number;
  marginPct: number;
  pairs: { planned: number; done: number };
  /** Samples per path that did not count (failed or invalid), with their reasons. */
  notCounted: { path: string; cellKey: string; round: number; reason: string }[];
  cells: FidelityCell[];
  projection: { cvPct: number; halfWidthPct: number };
}

export function fidelityReport(
  file: FidelityFile,
  dir: string,
  opts: Partial<{ alpha: number; marginPct: number }> = {},
): FidelityReport {
  const alpha = opts.alpha ?? file.settings.alpha;
  const marginPct = opts.marginPct ?? file.settings.marginPct;
  const metric = file.settings.metric;
  const values = (cellKey: string, path: string) =>
    file.samples
      .filter((s) => s.cellKey === cellKey && s.path === path && s.status === 'ok')
      .map((s) => s.metrics[metric])
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
  return {
    profileName: file.profileName,
    dir,
    accel: file.accel,
    metric,
    alpha,
    marginPct,
    pairs: { planned: file.pairs, done: file.rounds.length },
    notCounted: file.samples
      .filter((s) => s.status !== 'ok')
      .map((s) => ({ path: s.path, cellKey: s.cellKey, round: s.round, reason: `${s.status}: ${s.reason ?? ''}` })),
    cells: file.cells.map((key) =>
      judgeCell(key, metric, values(key, 'normal'), values(key, 'harness-free'), { alpha, marginPct }),
    ),
    projection: { ...FIDELITY_DEFAULTS.projection },
  };
}

/** `equivalent within ±5 %`, `effect of -8.1 % (CI -12 % … -4.2 %)`, `undecided (MDE 14 %)`. */
export function verdictText(cell: FidelityCell): string {
  const v = cell.verdict;
  if (v.kind === 'equivalent') return `equivalent within ±${formatNumber(v.marginPct, 3)} %`;
  if (v.kind === 'effect')
    return `effect of ${formatSignedPct(v.effectPct)} (CI ${formatSignedPct(v.ci.low)} … ${formatSignedPct(v.ci.high)})`;
  if (cell.n.normal < 2 || cell.n.harnessFree < 2) return `undecided (${v.why})`;
  const mde = v.mdePct === null ? 'MDE: none at this n' : `MDE ${formatNumber(v.mdePct, 3)} %`;
  return `undecided (${mde})`;
}
