/**
 * A run's history digest: what `history` needs of one run and nothing more —
 * its cells (in order of first occurrence), per metric the direction of
 * improvement and the values of the ok samples of each cell (chronological,
 * as groupSamples gives them), and the environment fingerprint change points
 * are explained with. Small enough to keep for every run in the results
 * index (src/store/results-index.ts); values are packed as base64 float64
 * (per cell: its count, then its values) so a year of runs parses fast.
 */
import type { z } from 'zod';
import type { StoredRun } from '../store/run-reader.js';
import type { DigestKind } from '../store/results-index.js';
import { HistoryDigestSchema } from '../model/schemas/results-index.js';
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { fingerprintOf, type Fingerprint } from '../fingerprint/environment.js';
import type { CellValues } from '../model/sample.js';

export type HistoryDigest = z.output<typeof HistoryDigestSchema>;

/** Bump when the digest's content or packing changes: stored digests of another version are rebuilt. */
export const HISTORY_DIGEST_VERSION = 'history-1';

function pack(cellValues: readonly (readonly number[] | undefined)[]): string {
  const flat: number[] = [];
  for (const values of cellValues) flat.push(values?.length ?? 0, ...(values ?? []));
  return Buffer.from(new Float64Array(flat).buffer).toString('base64');
}

/**
 * What a digest is built from, whatever the source (a results directory,
 * src/store/run-reader.ts; a published run, src/store/pg): the run's cells in
 * order of first occurrence, per metric its direction and per cell (same
 * order) the ok values in repetition order, and the run's fingerprint.
 */
export interface RunCellValues {
  cells: readonly { cellKey: string; cell: CellValues }[];
  metrics: Readonly<Record<string, { better: 'higher' | 'lower'; values: readonly (readonly number[] | undefined)[] }>>;
  fingerprint: Fingerprint;
}

/** The one way a digest is made: every source hands its cells' values here. */
export function digestOfValues(run: RunCellValues): HistoryDigest {
  const metrics: HistoryDigest['metrics'] = {};
  for (const [name, m] of Object.entries(run.metrics)) metrics[name] = { better: m.better, values: pack(m.values) };
  return { cells: run.cells.map((c) => ({ cellKey: c.cellKey, cell: c.cell })), metrics, fingerprint: run.fingerprint };
}

export function digestRun(run: Pick<StoredRun, 'samples' | 'environment' | 'profile'>): HistoryDigest {
  const cells = [...indexCells(run.samples).values()].map((c) => ({ cellKey: c.cellKey, cell: c.cell }));
  const names = new Set(run.samples.flatMap((s) => Object.keys(s.metrics)));
  const metrics: Record<string, RunCellValues['metrics'][string]> = {};
  for (const name of names) {
    const better = metricBetter(run.samples, name);
    if (!better) continue;
    const grouped = groupSamples(run.samples, name);
    metrics[name] = { better, values: cells.map((c) => grouped.get(c.cellKey)) };
  }
  const fingerprint = fingerprintOf({ environment: run.environment, profile: run.profile, samples: run.samples });
  return digestOfValues({ cells, metrics, fingerprint });
}

export const HISTORY_DIGEST: DigestKind<HistoryDigest> = {
  version: HISTORY_DIGEST_VERSION,
  build: digestRun,
  schema: HistoryDigestSchema,
};

/** Per cell (digest order) the values of `metric`, or undefined where the cell has none; null when the packing is damaged. */
export function unpackValues(digest: HistoryDigest, metric: string): (number[] | undefined)[] | null {
  const packed = digest.metrics[metric];
  if (!packed) return digest.cells.map(() => undefined);
  const bytes = Buffer.from(packed.values, 'base64');
  if (bytes.length % 8 !== 0) return null;
  const flat = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out: (number[] | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < digest.cells.length; i++) {
    const n = flat[at++];
    if (n === undefined || !Number.isInteger(n) || n < 0 || at + n > flat.length) return null;
    const values = n > 0 ? Array.from(flat.subarray(at, at + n)) : undefined;
    if (values && !values.every(Number.isFinite)) return null;
    out.push(values);
    at += n;
  }
  return at === flat.length ? out : null;
}
