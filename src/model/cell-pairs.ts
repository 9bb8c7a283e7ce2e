/**
 * Pairs of cells to explain side by side: across one axis inside a run
 * (equal on every other axis), the same cells of two runs, or two named
 * cells. One implementation for everything that carries a cell — stored
 * samples (`explain`, src/breakdown/) and traced latency maps (`explain
 * --latency`, src/latency/).
 */
import { basename } from 'node:path';
import { cellKeyOf } from './cell-key.js';
import { InputError } from './errors.js';
import type { CellValues } from './sample.js';

/** Anything recorded for one cell. */
export interface Celled {
  cellKey: string;
  cell: CellValues;
}

export interface CellPair<T extends Celled> {
  a: T[];
  b: T[];
  /** Overrides the labels derived from the cells (e.g. run names when both cells are equal). */
  labels?: { a: string; b: string };
}

/** The value a cell carries on an axis that does not apply to it (ioeventfd on vhost backends). */
const NOT_APPLICABLE = 'n/a';

function byCell<T extends Celled>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const s of items) out.set(s.cellKey, [...(out.get(s.cellKey) ?? []), s]);
  return out;
}

/** The values an axis takes in these records, in order of first appearance. */
export function axisValues(items: readonly Celled[], axis: string): string[] {
  return [
    ...new Set(
      items
        .map((s) => s.cell[axis])
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ];
}

/** Labels from what differs between two cells, and the shared rest as context. */
export function sideLabels(a: CellValues, b: CellValues): { a: string; b: string; context: string } {
  const axes = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const differs = axes.filter((k) => String(a[k]) !== String(b[k]));
  const show = (c: CellValues, keys: string[]) => keys.map((k) => `${k}=${c[k] ?? '-'}`).join(' ');
  return {
    a: show(a, differs),
    b: show(b, differs),
    context: show(
      a,
      axes.filter((k) => !differs.includes(k)),
    ),
  };
}

/**
 * Pairs across one axis inside one run: every cell whose `axis` is not the
 * baseline, with the cell equal to it on every other axis and `axis` =
 * baseline. The baseline defaults to the axis's first value (the profile's order).
 * An axis that does not apply to the cell (`n/a`, e.g. ioeventfd on
 * vhost-user-blk) matches the baseline's first value of that axis, so
 * vhost-user-blk is explained against virtio-blk in its default configuration.
 */
export function pairsByAxis<T extends Celled>(items: readonly T[], axis: string, baseline?: string): CellPair<T>[] {
  const base = baseline ?? axisValues(items, axis)[0];
  if (base === undefined) return [];
  const cells = byCell(items);
  const baselineByRest = new Map<string, T[]>();
  for (const list of cells.values()) {
    const cell = list[0]!.cell;
    if (String(cell[axis]) === base) baselineByRest.set(cellKeyOf(cell, axis), list);
  }
  const firstApplicable = (other: string) => axisValues(items, other).find((v) => v !== NOT_APPLICABLE);
  const pairs: CellPair<T>[] = [];
  for (const list of cells.values()) {
    const cell = list[0]!.cell;
    if (cell[axis] === undefined || String(cell[axis]) === base) continue;
    const stand = { ...cell };
    for (const [other, value] of Object.entries(cell)) {
      const replacement = other !== axis && value === NOT_APPLICABLE ? firstApplicable(other) : undefined;
      if (replacement !== undefined) stand[other] = typeof cell[other] === 'number' ? Number(replacement) : replacement;
    }
    const a = baselineByRest.get(cellKeyOf(cell, axis)) ?? baselineByRest.get(cellKeyOf(stand, axis));
    if (a) pairs.push({ a, b: list });
  }
  return pairs;
}

/** Pairs across two runs: cells with the same key (A from the first run). */
export function pairsAcrossRuns<T extends Celled>(
  a: readonly T[],
  b: readonly T[],
  labels: { a: string; b: string },
): CellPair<T>[] {
  const cellsB = byCell(b);
  return [...byCell(a).entries()].flatMap(([key, list]) => {
    const other = cellsB.get(key);
    return other ? [{ a: list, b: other, labels }] : [];
  });
}

export interface PairChoice {
  /** Pair across this axis, equal on every other one. */
  by: string;
  /** The A side of `by` (default: its first value in the run). */
  baseline?: string;
  /** Explicit cells: A from the first run, B from the second when there is one. */
  a?: string;
  b?: string;
}

/** One run's records, and where its cell keys are stored (for messages). */
export interface PairableRun<T extends Celled> {
  dir: string;
  items: readonly T[];
}

/** The axes that take two or more values in these records: what `--by` can pair across. */
function pairableAxes(items: readonly Celled[]): string[] {
  const axes = new Set(items.flatMap((s) => Object.keys(s.cell)));
  return [...axes].filter((axis) => axisValues(items, axis).length > 1);
}

function cellItems<T extends Celled>(run: PairableRun<T>, key: string, flag: string): T[] {
  const items = run.items.filter((s) => s.cellKey === key);
  if (items.length === 0) {
    const known = [...new Set(run.items.map((s) => s.cellKey))];
    throw new InputError(`${flag}: no cell ${key} in ${run.dir} (cells: ${known.join('; ')})`);
  }
  return items;
}

/** Two named cells: A from the first run, B from the second (or the first). */
function namedPair<T extends Celled>(runs: PairableRun<T>[], a: string, b: string, stored: string) {
  const [first, second] = runs as [PairableRun<T>, PairableRun<T> | undefined];
  if (a === '' || b === '') throw new InputError(`--a and --b: give both cells (cell keys as stored in ${stored})`);
  const labels = second ? { a: `${basename(first.dir)}: ${a}`, b: `${basename(second.dir)}: ${b}` } : undefined;
  const pair: CellPair<T> = {
    a: cellItems(first, a, '--a'),
    b: cellItems(second ?? first, b, '--b'),
    ...(labels && a === b ? { labels } : {}),
  };
  return { pairs: [pair], what: `${b} vs ${a}` };
}

/**
 * The pairs of cells to explain, and what they compare: two given cells
 * (`a`, `b`), the same cells of two runs, or the values of one axis (`by`,
 * against `baseline`) inside one run. A choice that names nothing in the
 * runs is bad input, with what there is. `stored` says where cell keys are
 * found (`samples/*.json`), for that message.
 */
export function choosePairs<T extends Celled>(
  runs: PairableRun<T>[],
  o: PairChoice,
  stored: string,
): { pairs: CellPair<T>[]; what: string } {
  const [first, second] = runs as [PairableRun<T>, PairableRun<T> | undefined];
  if (o.a !== undefined || o.b !== undefined) return namedPair(runs, o.a ?? '', o.b ?? '', stored);
  if (second) {
    const labels = { a: basename(first.dir), b: basename(second.dir) };
    return {
      pairs: pairsAcrossRuns(first.items, second.items, labels),
      what: `${labels.b} vs ${labels.a}, cells present in both`,
    };
  }
  const values = axisValues(first.items, o.by);
  if (values.length < 2) {
    const axes = pairableAxes(first.items);
    throw new InputError(
      `--by ${o.by}: the run has ${values.length === 0 ? 'no such axis' : `only ${o.by}=${values[0]}`}; ` +
        (axes.length > 0
          ? `axes with two or more values: ${axes.join(', ')}`
          : 'no axis takes two values here; compare two runs or two cells (--a, --b)'),
    );
  }
  if (o.baseline !== undefined && !values.includes(o.baseline)) {
    throw new InputError(`--baseline: ${o.by} takes ${values.join(', ')} in this run, not ${o.baseline}`);
  }
  const baseline = o.baseline ?? values[0]!;
  return { pairs: pairsByAxis(first.items, o.by, baseline), what: `${o.by} (baseline ${o.by}=${baseline})` };
}
