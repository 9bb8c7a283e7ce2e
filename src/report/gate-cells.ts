/** Human-readable pieces of a gate cell, shared by the gate's table, Markdown and JUnit exporters. */
import { formatDeltaCi } from '../compare/delta-ci.js';
import type { CellStats } from '../stats/cell-stats.js';
import { formatNumber, formatP, formatSignedPct } from '../util/number-format.js';
import type { GateCell } from '../gate/types.js';

const ORDER: readonly GateCell['status'][] = [
  'regression',
  'failed',
  'missing',
  'inconclusive',
  'improvement',
  'pass',
  'unsupported',
];

/** Cells worst first: regressions, then what kept the gate from judging, then the rest. */
export function sortWorstFirst(cells: readonly GateCell[]): GateCell[] {
  return [...cells].sort((x, y) => ORDER.indexOf(x.status) - ORDER.indexOf(y.status));
}

function formatStats(s: CellStats | null): string {
  return s ? `${formatNumber(s.median)} (n=${s.n})` : '—';
}

/** The figures every tabular gate view shows, in column order: baseline, current, Δ, Δ CI, p, adjusted p. */
export function gateFigures(c: GateCell): string[] {
  return [
    formatStats(c.baseline),
    formatStats(c.current),
    formatSignedPct(c.deltaPct),
    formatDeltaCi(c.deltaCi),
    formatP(c.p),
    formatP(c.adjustedP),
  ];
}

/** Warning kinds per side, e.g. "baseline: HighCv; current: OutliersPresent". */
export function warningKinds(c: GateCell): string {
  const side = (name: string, s: CellStats | null) =>
    s && s.warnings.length ? `${name}: ${[...new Set(s.warnings.map((w) => w.kind))].join(', ')}` : '';
  return [side('baseline', c.baseline), side('current', c.current)].filter(Boolean).join('; ');
}

/** Multi-line detail block for one cell × metric. */
export function cellDetails(c: GateCell): string {
  return [
    `metric: ${c.metric} (better: ${c.better}, minimum effect ${c.minEffectPct} %)`,
    `cell: ${c.cellKey}`,
    `baseline median: ${formatStats(c.baseline)}`,
    `current median: ${formatStats(c.current)}`,
    `delta: ${formatSignedPct(c.deltaPct)} (CI ${c.deltaCiReason ? `none: ${c.deltaCiReason}` : formatDeltaCi(c.deltaCi)})`,
    `p: ${formatP(c.p)} (${c.method ?? 'not tested'}), adjusted p: ${formatP(c.adjustedP)}`,
    `status: ${c.status}: ${c.reason}`,
    ...(warningKinds(c) ? [`warnings: ${warningKinds(c)}`] : []),
  ].join('\n');
}
