/**
 * The sample files of a results directory (samples/*.json), each read and
 * checked against the sample schema: what the run reader admits and what a
 * run summary (run-summary.ts) records. One implementation for both.
 */
import { join } from 'node:path';
import type { Sample } from '../model/sample.js';
import { SampleSchema } from '../model/schemas/sample.js';
import { SAMPLES_DIR } from './layout.js';
import { FileProblem, MAX_FILE_BYTES, listFilesUnder, readJsonUnder, type DirectoryListing } from './stored-file.js';

/** Samples read in parallel, this many at a time. */
const READ_CONCURRENCY = 16;

/** One sample file: its record, or why it was not usable. */
export type SampleFileRead = { name: string; sample: Sample } | { name: string; problem: string };

/** The listing of samples/ (none when it does not exist); a samples/ that is a link or a file is a FileProblem. */
export function listSampleDir(dir: string): Promise<DirectoryListing> {
  return listFilesUnder(dir, SAMPLES_DIR);
}

/** The names a reader reads: `*.json`, not hidden (temporary files of an atomic write are hidden). */
export function sampleFileNames(listing: DirectoryListing): string[] {
  return listing.files.filter((n) => n.endsWith('.json') && !n.startsWith('.'));
}

/** Every named sample file read and validated, in the order of `names`. */
export async function readSampleFiles(dir: string, names: readonly string[]): Promise<SampleFileRead[]> {
  const out: SampleFileRead[] = [];
  for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
    const batch = names.slice(i, i + READ_CONCURRENCY).map(async (name): Promise<SampleFileRead> => {
      try {
        const sample = await readJsonUnder(dir, `${SAMPLES_DIR}/${name}`, SampleSchema, MAX_FILE_BYTES.sample);
        return { name, sample: sample as Sample };
      } catch (err) {
        if (!(err instanceof FileProblem)) throw err;
        return { name, problem: err.problem };
      }
    });
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** A sample without its insight: what commands that read values, statuses and observed facts need. */
export function withoutInsight(sample: Sample): Sample {
  if (sample.insight === undefined) return sample;
  const { insight: _insight, ...rest } = sample;
  return rest;
}

export function samplePathOf(dir: string, name: string): string {
  return join(dir, SAMPLES_DIR, name);
}
