/**
 * Records why a cell's traced pass produced no latency map
 * (`traces/<cell>/failed.json`), so `explain --latency` and the report say
 * why instead of just "missing". Evidence, not a result: a record that
 * cannot be written is dropped (the run's log line still says it).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TracedPassFailureSchema, type TracedPassFailure } from '../model/schemas/latency.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { TRACE_FAILURE_FILE, traceDir } from './layout.js';

/** At most this many characters of the reason are kept (the schema's bound). */
const MAX_REASON = 1000;

export async function recordTracedPassFailure(runDir: string, cellKey: string, reason: string): Promise<void> {
  const record: TracedPassFailure = TracedPassFailureSchema.parse({
    schemaVersion: 1,
    cellKey,
    failedAt: new Date().toISOString(),
    reason: reason.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON),
  });
  const dir = traceDir(runDir, cellKey);
  await mkdir(dir, { recursive: true })
    .then(() => writeJsonAtomic(join(dir, TRACE_FAILURE_FILE), record))
    .catch(() => undefined);
}
