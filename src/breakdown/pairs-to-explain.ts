/** Which pairs of cells `explain` (cli/commands/explain.ts) breaks down: the stored samples' cells, paired by src/model/cell-pairs.ts. */
import { choosePairs as choosePairsOf, type PairChoice } from '../model/cell-pairs.js';
import type { StoredRun } from '../store/run-reader.js';
import type { SamplePair } from './breakdown.js';

export type { PairChoice } from '../model/cell-pairs.js';

/** The pairs of samples to break down, and what they compare (bad input when the choice names nothing in the runs). */
export function choosePairs(runs: StoredRun[], o: PairChoice): { pairs: SamplePair[]; what: string } {
  return choosePairsOf(
    runs.map((r) => ({ dir: r.dir, items: r.samples })),
    o,
    'samples/*.json',
  );
}
