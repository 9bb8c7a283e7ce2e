/**
 * Why a comparison cannot conclude, typed, so that every view of `gate` and
 * `compare` — the terminal headline, JUnit, Markdown, JSON — names the same
 * first reason with the same hint.
 *
 * Precedence (the first one present is the headline), as the gate's verdict
 * (src/gate/evaluate.ts): the measurement environment first, because it makes
 * every number suspect; then whether the data is whole (an incomplete run,
 * cells missing on one side, failed samples); then whether it is enough (too
 * few samples for the test); then what a confirmation re-run could not judge;
 * last, that nothing could be tested at all.
 */
import { formatNumber } from '../util/number-format.js';
import { minSamplesPerSide } from '../stats/min-samples.js';
import type { ComparisonRow } from './types.js';

/** One field of the measurement environment that differs; `text` is the fingerprint's own `path: old → new`. */
export interface EnvironmentDifference {
  path: string;
  text: string;
}

/** A result set that is not whole. */
export interface IncompleteSet {
  /** Who it is in the comparison: `baseline`, `current run`. */
  role: string;
  label: string;
  path: string;
  /** A results directory can be resumed; a baseline file cannot. */
  kind: 'run' | 'baseline';
  status: string;
  stopReason: string | null;
  /** Valid records of planned samples. */
  samples: number;
  planned: number;
  /** Cells with fewer valid samples than planned (the first few), even when the set says complete. */
  shortCells?: { cellKey: string; samples: number; planned: number }[];
  /** Stored files its reader skipped (damaged, duplicated, not planned). */
  skippedFiles?: number;
}

/** A cell × metric that could not be judged, and why (one line). */
export interface UnjudgedCell {
  cellKey: string;
  metric: string;
  why: string;
}

/** A cell × metric whose sample sizes cannot reach the test's level. */
export interface ShortCell {
  cellKey: string;
  metric: string;
  /** Sizes of A (baseline) and B (current). */
  n: readonly [number, number];
  /** Repetitions per side that can. */
  needed: number;
}

export type Inconclusive =
  | { kind: 'environment'; differences: EnvironmentDifference[] }
  | { kind: 'incomplete'; sets: IncompleteSet[] }
  | { kind: 'missing-cells'; cells: UnjudgedCell[] }
  | { kind: 'failed'; cells: UnjudgedCell[] }
  | { kind: 'too-few-samples'; cells: ShortCell[]; alpha: number; alphaName: 'α' | 'α/m' }
  | { kind: 'unconfirmed'; cells: UnjudgedCell[] }
  | { kind: 'nothing-tested' };

export type InconclusiveKind = Inconclusive['kind'];

export const INCONCLUSIVE_PRECEDENCE: readonly InconclusiveKind[] = [
  'environment',
  'incomplete',
  'missing-cells',
  'failed',
  'too-few-samples',
  'unconfirmed',
  'nothing-tested',
];

/** Reasons in precedence order (the headline's is first). */
export function byPrecedence(reasons: readonly Inconclusive[]): Inconclusive[] {
  return [...reasons].sort((x, y) => INCONCLUSIVE_PRECEDENCE.indexOf(x.kind) - INCONCLUSIVE_PRECEDENCE.indexOf(y.kind));
}

/** The first `max` items joined, then `and N more`. */
export function firstFew(items: readonly string[], max = 3, separator = '; '): string {
  const shown = items.slice(0, max).join(separator);
  return items.length > max ? `${shown}${separator}and ${items.length - max} more` : shown;
}

/** `iops, clat_p99_ns @ key (why)`: the metrics of one cell that share a reason, on one line. */
function cellLines(cells: readonly UnjudgedCell[]): string[] {
  const groups = new Map<string, { cellKey: string; why: string; metrics: string[] }>();
  for (const c of cells) {
    const key = `${c.cellKey}\n${c.why}`;
    const group = groups.get(key) ?? { cellKey: c.cellKey, why: c.why, metrics: [] };
    group.metrics.push(c.metric);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `${g.metrics.join(', ')} @ ${g.cellKey} (${g.why})`);
}

const cellCount = (cells: readonly UnjudgedCell[]) => `${new Set(cells.map((c) => c.cellKey)).size} cell(s)`;

/** Distinct `a vs b` size pairs, e.g. `6 vs 3, 6 vs 2`. */
function sizePairs(cells: readonly ShortCell[]): string {
  return [...new Set(cells.map((c) => `${c.n[0]} vs ${c.n[1]}`))].join(', ');
}

const neededOf = (cells: readonly ShortCell[]) => Math.max(...cells.map((c) => c.needed));

const SHORT_CELLS_SHOWN = 2;

function describeIncomplete(s: IncompleteSet): string {
  const why = s.stopReason ? ` (${s.stopReason})` : '';
  const claim = s.status === 'complete' ? 'says complete but has' : `is ${s.status}${why}:`;
  const short = s.status === 'complete' ? (s.shortCells ?? []) : [];
  const cells = short.length
    ? ` (${short
        .slice(0, SHORT_CELLS_SHOWN)
        .map((c) => `${c.cellKey}: ${c.samples} of ${c.planned}`)
        .join('; ')}${short.length > SHORT_CELLS_SHOWN ? `; ${short.length - SHORT_CELLS_SHOWN} more cell(s)` : ''})`
    : '';
  const skipped = s.skippedFiles ? `; ${s.skippedFiles} stored file(s) skipped as unusable` : '';
  return `the ${s.role} ${s.label} ${claim} ${s.samples} of ${s.planned} planned samples${cells}${skipped}`;
}

/** What keeps the comparison from concluding, one line with the numbers. */
export function describeInconclusive(r: Inconclusive): string {
  switch (r.kind) {
    case 'environment':
      return `environment differs in ${r.differences.length} field(s): ${firstFew(causesFirst(r.differences).map((d) => d.text))}`;
    case 'incomplete':
      return r.sets.map(describeIncomplete).join('; ');
    case 'missing-cells':
      return `${cellCount(r.cells)} not measured on both sides: ${firstFew(cellLines(r.cells))}`;
    case 'failed':
      return `${cellCount(r.cells)} with failed or invalid samples: ${firstFew(cellLines(r.cells), 2)}`;
    case 'too-few-samples':
      return (
        `too few samples: n = ${sizePairs(r.cells)} in ${r.cells.length} test(s); at ${r.alphaName} = ${formatNumber(r.alpha, 3)} ` +
        `a difference can be significant only with at least ${neededOf(r.cells)} per side`
      );
    case 'unconfirmed':
      return `the confirmation re-run could not judge ${cellCount(r.cells)}: ${firstFew(cellLines(r.cells), 2)}`;
    case 'nothing-tested':
      return 'no cell × metric could be compared';
  }
}

/**
 * Differences in headline order: content hashes last — a hash differs because
 * something it covers does, and that something (a kernel, a package) is what
 * the reader needs first.
 */
function causesFirst(differences: readonly EnvironmentDifference[]): EnvironmentDifference[] {
  const isHash = (d: EnvironmentDifference) => /hash$/i.test(d.path);
  return [...differences.filter((d) => !isHash(d)), ...differences.filter(isHash)];
}

function environmentRemedy(differences: readonly EnvironmentDifference[]): string {
  const tops = new Set(differences.map((d) => d.path.split('.')[0] ?? d.path));
  const removal: string[] = [];
  if (tops.has('guest')) {
    removal.push(
      'pin the guest (`guest export` once, `guest import --expect-hash` on every runner; docs: "Pinning the guest for nightly and CI")',
    );
  }
  if (['host', 'accel', 'qemu', 'hostFio', 'tool'].some((t) => tops.has(t))) {
    removal.push('measure both sides on the same host setup (or record the baseline again on this one)');
  }
  const example = causesFirst(differences)[0]?.path ?? '<path>';
  return [
    ...(removal.length > 0 ? [`to remove the difference, ${removal.join(' and ')}`] : []),
    `if the difference is the point, declare it with --subject <path> (here: --subject ${example})`,
    'to judge anyway, pass --allow-env-mismatch (the differences are then listed as warnings)',
  ].join('; ');
}

/** Hint about it, one line. */
export function inconclusiveHint(r: Inconclusive): string {
  switch (r.kind) {
    case 'environment':
      return environmentRemedy(r.differences);
    case 'incomplete':
      return r.sets
        .map((s) =>
          s.kind === 'run'
            ? `complete ${s.label} with \`vblk-bench run --resume ${s.path}\``
            : `save the ${s.role} again from a complete run (\`vblk-bench baseline save <results> -o ${s.path}\`)`,
        )
        .join('; ');
    case 'missing-cells':
      return (
        'measure the missing cells (`vblk-bench run <profile> --only-cell <cell key>`, repeatable) and `vblk-bench merge` ' +
        'that run with the one that lacks them, or `run --resume` an interrupted run; a cell left out on purpose needs a baseline without it'
      );
    case 'failed':
      return 'fix what failed (the reason says what) and measure the cell again (`vblk-bench run <profile> --only-cell <cell key>`)';
    case 'too-few-samples':
      return (
        `run at least ${neededOf(r.cells)} repetitions per side (have ${sizePairs(r.cells)}): raise \`repetitions\` in the profile ` +
        'and measure the short side again; `vblk-bench calibrate` tells how many this noise needs'
      );
    case 'unconfirmed':
      return 'look at why the re-run could not judge (the reason; its directory is in the note `confirm: re-run stored in …`), then run the gate with --confirm again';
    case 'nothing-tested':
      return 'check that both sides measured the same cells and the gated metrics (--min-effect names them)';
  }
}

/**
 * What keeps a `compare` from concluding, in precedence order: cells missing
 * on one side, then cells whose sizes cannot reach α (their `~` says nothing).
 * The environment refusal is decided by the caller before any row exists.
 */
export function compareInconclusive(
  rows: readonly ComparisonRow[],
  opts: { metric: string; alpha: number },
): Inconclusive[] {
  const out: Inconclusive[] = [];
  const missing = rows.flatMap((r) =>
    r.status === 'missing'
      ? [
          {
            cellKey: r.cellKey,
            metric: opts.metric,
            why: `no ok ${opts.metric} values in ${r.missingFrom.toUpperCase()}`,
          },
        ]
      : [],
  );
  if (missing.length > 0) out.push({ kind: 'missing-cells', cells: missing });
  const needed = minSamplesPerSide(opts.alpha);
  const short = rows.flatMap((r) =>
    r.status === 'ok' && r.minP >= opts.alpha
      ? [{ cellKey: r.cellKey, metric: opts.metric, n: [r.a.n, r.b.n] as const, needed }]
      : [],
  );
  if (short.length > 0) out.push({ kind: 'too-few-samples', cells: short, alpha: opts.alpha, alphaName: 'α' });
  return out;
}
