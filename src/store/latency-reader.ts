/**
 * Reads the latency maps of a run's traced pass: `traces/<cell>/latency.json`
 * (src/model/latency.ts), through the validated reader (stored-file.ts) with
 * its size cap. Traced runs are never samples: only `explain --latency` and
 * the HTML report's latency section come here, never a reader of
 * statistics. A map that cannot be used (a link, too large, not JSON, a
 * field of the wrong type, a cell key that is not its directory's) is one
 * StoredFileSkipped diagnostic naming the file and the field; the others are
 * read.
 */
import { join } from 'node:path';
import type { CellLatency } from '../model/latency.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import { CellLatencySchema, TracedPassFailureSchema } from '../model/schemas/latency.js';
import { LATENCY_FILE, TRACES_DIR, TRACE_FAILURE_FILE, cellSlug } from './layout.js';
import { FileProblem, MAX_FILE_BYTES, listDirectoriesUnder, readJsonUnder } from './stored-file.js';
import { printable } from '../util/file-read.js';

export interface StoredLatency {
  /** The file it was read from. */
  file: string;
  latency: CellLatency;
}

export interface LatencyListing {
  /** Valid maps, in directory-name order. */
  cells: StoredLatency[];
  /** Maps (or entries of traces/) that were skipped. */
  diagnostics: StoredDiagnostic[];
}

const skipped = (file: string, problem: string): StoredDiagnostic => ({
  kind: 'StoredFileSkipped',
  what: 'latency map',
  file,
  problem,
});

/** One map; a diagnostic when it cannot be used. */
async function readOne(runDir: string, slug: string): Promise<StoredLatency | StoredDiagnostic> {
  const rel = `${TRACES_DIR}/${slug}/${LATENCY_FILE}`;
  const file = join(runDir, rel);
  try {
    const latency = await readJsonUnder(runDir, rel, CellLatencySchema, MAX_FILE_BYTES.latency);
    if (cellSlug(latency.cellKey) !== slug)
      return skipped(file, `cellKey: names another cell than its directory ${TRACES_DIR}/${slug}/`);
    return { file, latency };
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    if (err.problem === 'missing') return skipped(file, await whyMissing(runDir, slug));
    return skipped(file, err.problem);
  }
}

/**
 * Why a cell's map is missing: the run recorded its traced pass's failure
 * in failed.json (written by vblk-bench; read through the same validated
 * reader, its reason one line of at most 1000 characters), else just missing.
 */
async function whyMissing(runDir: string, slug: string): Promise<string> {
  const rel = `${TRACES_DIR}/${slug}/${TRACE_FAILURE_FILE}`;
  try {
    const failure = await readJsonUnder(runDir, rel, TracedPassFailureSchema, MAX_FILE_BYTES.traceFailure);
    return `missing: the traced pass failed during the run (${rel}): ${printable(failure.reason)}`;
  } catch (err) {
    if (err instanceof FileProblem) return 'missing';
    throw err;
  }
}

/**
 * Every latency map of the run at `runDir`; none when it has no traces/
 * directory. A traces/ that is not a real directory is one diagnostic (no
 * maps): the samples of the run are still whole.
 */
export async function readLatencyMaps(runDir: string): Promise<LatencyListing> {
  let listing: Awaited<ReturnType<typeof listDirectoriesUnder>>;
  try {
    listing = await listDirectoriesUnder(runDir, TRACES_DIR);
  } catch (err) {
    if (err instanceof FileProblem) return { cells: [], diagnostics: [skipped(err.file, err.problem)] };
    throw err;
  }
  const diagnostics: StoredDiagnostic[] = listing.skipped.map((s) =>
    skipped(join(runDir, TRACES_DIR, s.name), s.problem),
  );
  const cells: StoredLatency[] = [];
  for (const slug of listing.directories) {
    const one = await readOne(runDir, slug);
    if ('kind' in one) diagnostics.push(one);
    else cells.push(one);
  }
  return { cells, diagnostics };
}
