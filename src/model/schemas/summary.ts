/**
 * Schema of a run summary (`summary.json` in a results directory, written by
 * src/store/run-summary.ts): every sample record without its insight, and
 * what the reader skipped, so `compare`, `gate` and the results index need
 * not parse every sample file. A cache of the samples, never trusted over
 * them: a summary that fails this schema, or that no longer matches the
 * files it was built from, is ignored.
 */
import { z } from 'zod';
import { Line } from './common.js';
import { SampleSchema } from './sample.js';

export const RUN_SUMMARY_KIND = 'vblk-bench-run-summary';
export const RUN_SUMMARY_SCHEMA_VERSION = 1;

/** A sample file's name under samples/: what the summary was built from. */
const FileName = z.string().regex(/^[^/\u0000]{1,255}$/, { error: 'expected a file name' });

const SourceFileSchema = z.object({
  name: FileName,
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
});

export const RunSummarySchema = z.object(
  {
    kind: z.literal(RUN_SUMMARY_KIND, { error: `expected "kind": "${RUN_SUMMARY_KIND}"` }),
    schemaVersion: z.literal(RUN_SUMMARY_SCHEMA_VERSION, {
      error: `expected summary schemaVersion ${RUN_SUMMARY_SCHEMA_VERSION}`,
    }),
    /** sha256 of run.json's bytes when the summary was written: a rewritten manifest (resume) makes it stale. */
    manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256' }),
    /** Every *.json file of samples/ (name, size, mtime) it was built from, sorted by name. */
    files: z.array(SourceFileSchema),
    /** The records that passed the sample schema, without `insight`, in file order. */
    samples: z.array(z.object({ name: FileName, sample: SampleSchema })),
    /** The files that did not, with the reader's problem line. */
    skipped: z.array(z.object({ name: FileName, problem: Line() })),
  },
  { error: 'expected a run summary (a JSON object)' },
);

export type RunSummary = z.output<typeof RunSummarySchema>;
