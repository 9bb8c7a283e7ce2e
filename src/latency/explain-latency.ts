/**
 * What `explain --latency` shows (issue 14): every traced cell's latency map
 * with its tracing cost, and the per-layer differences of pairs of traced
 * cells — across one axis (`--by ioeventfd`, `--by backend`), the same cells
 * of two runs, or two named cells — paired as `explain` pairs samples
 * (src/model/cell-pairs.ts). Read from `traces/<cell>/latency.json` only;
 * traced runs never reach statistics.
 */
import { basename } from 'node:path';
import type { CellLatency } from '../model/latency.js';
import type { CellValues } from '../model/sample.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import {
  axisValues,
  choosePairs,
  sideLabels,
  type CellPair,
  type PairChoice,
  type PairableRun,
} from '../model/cell-pairs.js';
import { readLatencyMaps } from '../store/latency-reader.js';
import { compareLayers, type LayerComparison } from './compare-layers.js';

export interface TracedCell {
  /** The run's directory name, and the file the map was read from. */
  run: string;
  file: string;
  latency: CellLatency;
  /** Traced IOPS / untraced median − 1 (−0.3: tracing cost 30 %); absent without an untraced median. */
  tracingCost?: number;
}

export interface LatencyReport {
  /** The runs read, by directory name. */
  runs: string[];
  cells: TracedCell[];
  /** What the comparisons compare (`ioeventfd (baseline ioeventfd=on)`), or why there are none. */
  pairing: string;
  comparisons: LayerComparison[];
}

/** A traced cell as the pairing sees it: its axis values as cell values. */
interface PairableCell {
  cellKey: string;
  cell: CellValues;
  traced: TracedCell;
}

function pairable(traced: TracedCell): PairableCell {
  const cell = Object.fromEntries(
    Object.entries(traced.latency.config).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]),
  );
  return { cellKey: traced.latency.cellKey, cell, traced };
}

export function tracingCost(latency: CellLatency): number | undefined {
  const untraced = latency.untracedMedianIops;
  return untraced !== undefined && untraced > 0 ? latency.tracedIops / untraced - 1 : undefined;
}

/** Pairs of traced cells; none (with why) when one run has a single value of the axis and no cells are named. */
function pairsOf(
  runs: PairableRun<PairableCell>[],
  choice: PairChoice,
): { pairs: CellPair<PairableCell>[]; what: string } {
  const [first] = runs;
  const named = choice.a !== undefined || choice.b !== undefined;
  if (first && runs.length === 1 && !named) {
    const values = axisValues(first.items, choice.by);
    if (values.length < 2)
      return {
        pairs: [],
        what: `no pair across ${choice.by}: the traced cells have ${values.length === 0 ? 'no such axis' : `only ${choice.by}=${values[0]}`}`,
      };
  }
  return choosePairs(runs, choice, 'traces/*/latency.json');
}

function comparisonOf(pair: CellPair<PairableCell>): LayerComparison | null {
  const a = pair.a[0];
  const b = pair.b[0];
  if (!a || !b) return null;
  const derived = sideLabels(a.cell, b.cell);
  const labels = pair.labels ?? (derived.a === '' ? { a: 'A', b: 'B' } : derived);
  return compareLayers(a.traced.latency, b.traced.latency, {
    context: derived.context,
    a: { label: labels.a, cellKey: a.cellKey },
    b: { label: labels.b, cellKey: b.cellKey },
  });
}

/** A results directory to read traced cells from, and its cells in measured order (the profile's order: the default baseline). */
export interface TracedRunSource {
  dir: string;
  cellOrder?: readonly string[];
}

/** The run's maps in its cells' order; cells it does not list after them, by name. */
function inCellOrder<T extends { cellKey: string }>(items: T[], order: readonly string[] = []): T[] {
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  return items
    .map((item, i) => ({ item, i }))
    .sort((x, y) => rank(x.item.cellKey) - rank(y.item.cellKey) || x.i - y.i)
    .map((x) => x.item);
}

/**
 * The latency report of these runs (directories already read as results),
 * and what their readers skipped. Several choices (the HTML report pairs
 * across ioeventfd and across backend) give their comparisons in order, and
 * their pairings joined.
 */
export async function buildLatencyReport(
  sources: readonly TracedRunSource[],
  choice: PairChoice | readonly PairChoice[],
): Promise<{ report: LatencyReport; diagnostics: StoredDiagnostic[] }> {
  const diagnostics: StoredDiagnostic[] = [];
  const runs: PairableRun<PairableCell>[] = [];
  for (const { dir, cellOrder } of sources) {
    const listing = await readLatencyMaps(dir);
    diagnostics.push(...listing.diagnostics);
    const items = listing.cells.map(({ file, latency }) => {
      const cost = tracingCost(latency);
      return pairable({ run: basename(dir), file, latency, ...(cost !== undefined ? { tracingCost: cost } : {}) });
    });
    runs.push({ dir, items: inCellOrder(items, cellOrder) });
  }
  const cells = runs.flatMap((r) => r.items.map((i) => i.traced));
  const choices: readonly PairChoice[] = 'by' in choice ? [choice] : choice;
  const chosen = cells.length === 0 ? [{ pairs: [], what: 'nothing traced' }] : choices.map((c) => pairsOf(runs, c));
  const comparisons = chosen
    .flatMap((c) => c.pairs)
    .map(comparisonOf)
    .filter((c): c is LayerComparison => c !== null);
  return {
    report: {
      runs: sources.map((s) => basename(s.dir)),
      cells,
      pairing: chosen.map((c) => c.what).join('; '),
      comparisons,
    },
    diagnostics,
  };
}
