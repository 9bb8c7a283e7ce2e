/** Which pairs of cells `explain` (cli/commands/explain.ts) breaks down. */
import { basename } from 'node:path';
import { InputError } from '../model/errors.js';
import type { StoredRun } from '../store/run-reader.js';
import { axisValues, pairsAcrossRuns, pairsByAxis, type SamplePair } from './breakdown.js';

export interface PairChoice {
  /** Pair across this axis, equal on every other one. */
  by: string;
  /** The A side of `by` (default: its first value in the run). */
  baseline?: string;
  /** Explicit cells: A from the first run, B from the second when there is one. */
  a?: string;
  b?: string;
}

/** The axes that take two or more values in these samples: what `--by` can pair across. */
function pairableAxes(run: StoredRun): string[] {
  const axes = new Set(run.samples.flatMap((s) => Object.keys(s.cell)));
  return [...axes].filter((axis) => axisValues(run.samples, axis).length > 1);
}

function cellSamples(run: StoredRun, key: string, flag: string) {
  const samples = run.samples.filter((s) => s.cellKey === key);
  if (samples.length === 0) {
    const known = [...new Set(run.samples.map((s) => s.cellKey))];
    throw new InputError(`${flag}: no cell ${key} in ${run.dir} (cells: ${known.join('; ')})`);
  }
  return samples;
}

/**
 * The pairs of cells `explain` breaks down, and what they compare: two given
 * cells (`a`, `b`), the same cells of two runs, or the values of one axis
 * (`by`, against `baseline`) inside one run. A choice that names nothing in
 * the runs is bad input, with what there is.
 */
export function choosePairs(runs: StoredRun[], o: PairChoice): { pairs: SamplePair[]; what: string } {
  const [first, second] = runs as [StoredRun, StoredRun | undefined];
  if (o.a !== undefined || o.b !== undefined) {
    if (o.a === undefined || o.b === undefined)
      throw new InputError('--a and --b: give both cells (cell keys as stored in samples/*.json)');
    const other = second ?? first;
    const labels = second ? { a: `${basename(first.dir)}: ${o.a}`, b: `${basename(second.dir)}: ${o.b}` } : undefined;
    return {
      pairs: [
        {
          a: cellSamples(first, o.a, '--a'),
          b: cellSamples(other, o.b, '--b'),
          ...(labels && o.a === o.b ? { labels } : {}),
        },
      ],
      what: `${o.b} vs ${o.a}`,
    };
  }
  if (second) {
    const labels = { a: basename(first.dir), b: basename(second.dir) };
    return {
      pairs: pairsAcrossRuns(first.samples, second.samples, labels),
      what: `${labels.b} vs ${labels.a}, cells present in both`,
    };
  }
  const values = axisValues(first.samples, o.by);
  if (values.length < 2) {
    const axes = pairableAxes(first);
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
  return { pairs: pairsByAxis(first.samples, o.by, baseline), what: `${o.by} (baseline ${o.by}=${baseline})` };
}
