/**
 * The host-native reference of a run (`reference: host`): one record per
 * fio-scope cell, measured by fio on the host against the run's backing
 * store before any guest boots. Kept apart from samples/ on purpose: a
 * reference is not a cell of the matrix, and every reader of samples
 * (statistics, compare, gate, exporters) stays unaware of it.
 *
 *   reference/NNNN-<fio key>.json       one ReferenceRecord
 *   reference/NNNN-<fio key>.fio.json   fio's own JSON, untouched
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellValues, Metric } from '../model/sample.js';
import { ReferenceRecordSchema } from '../model/schemas/reference.js';
import { REFERENCE_DIR } from '../model/schemas/paths.js';
import { MAX_FILE_BYTES, FileProblem, checkOwnOutput, listFilesUnder, readJsonUnder } from './stored-file.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import { impossibleMetrics } from '../model/metric-limits.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { cellSlug } from './layout.js';
import type { FailureKind } from '../model/diagnostic.js';

export interface ReferenceRecord {
  schemaVersion: number;
  kind: 'host-reference';
  /** Canonical key of the fio-scope axis values, e.g. `iodepth=4`: which guest cells it is the reference of. */
  fioKey: string;
  fio: CellValues;
  /** The backing store fio read (the same one the guests use). */
  target: string;
  /** The exact host command (argv). */
  argv: string[];
  startedAt: string;
  finishedAt: string;
  status: 'ok' | 'failed';
  reason?: string;
  /** The kind of that reason (FioFailed, FioOutputUnusable); absent in records stored before kinds existed. */
  failureKind?: FailureKind;
  metrics: Record<string, Metric>;
  /** Relative to the run directory. */
  rawFioPath?: string;
  notices: string[];
}

export async function writeReferenceRecord(
  runDir: string,
  seq: number,
  record: Omit<ReferenceRecord, 'rawFioPath'>,
  rawFio?: unknown,
): Promise<ReferenceRecord> {
  await mkdir(join(runDir, REFERENCE_DIR), { recursive: true });
  const base = `${String(seq).padStart(4, '0')}-${cellSlug(record.fioKey) || 'job'}`;
  const out: ReferenceRecord = { ...record };
  const bad = impossibleMetrics(out.metrics);
  if (bad.length > 0) {
    // Values no device produces are not a reference: stored failed with the reason (fio's raw JSON keeps them).
    out.metrics = Object.fromEntries(Object.entries(out.metrics).filter(([name]) => !bad.some((b) => b.name === name)));
    if (out.status === 'ok')
      Object.assign(out, {
        status: 'failed',
        reason: `impossible metric values: ${bad.map((b) => `${b.name}: ${b.why}`).join('; ')}`,
        failureKind: 'ImpossibleValue',
      });
  }
  checkOwnOutput(ReferenceRecordSchema, JSON.parse(JSON.stringify(out)), `reference record ${base}`);
  if (rawFio !== undefined) {
    out.rawFioPath = join(REFERENCE_DIR, `${base}.fio.json`);
    await writeJsonAtomic(join(runDir, out.rawFioPath), rawFio);
  }
  await writeJsonAtomic(join(runDir, REFERENCE_DIR, `${base}.json`), out);
  return out;
}

/**
 * The run's reference records in the order measured; none when the run has
 * none. A record that cannot be used is skipped and reported to `onSkipped`
 * (its fio-scope cells then have no reference column).
 */
export async function loadReference(
  runDir: string,
  onSkipped: (d: StoredDiagnostic) => void = () => undefined,
): Promise<ReferenceRecord[]> {
  let listing;
  try {
    listing = await listFilesUnder(runDir, REFERENCE_DIR);
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    onSkipped({ kind: 'StoredFileSkipped', what: 'reference record', file: err.file, problem: err.problem });
    return [];
  }
  const isRecord = (n: string) => n.endsWith('.json') && !n.endsWith('.fio.json') && !n.startsWith('.');
  for (const s of listing.skipped)
    if (isRecord(s.name))
      onSkipped({
        kind: 'StoredFileSkipped',
        what: 'reference record',
        file: join(runDir, REFERENCE_DIR, s.name),
        problem: s.problem,
      });
  const out: ReferenceRecord[] = [];
  for (const name of listing.files.filter(isRecord)) {
    try {
      out.push(
        (await readJsonUnder(
          runDir,
          `${REFERENCE_DIR}/${name}`,
          ReferenceRecordSchema,
          MAX_FILE_BYTES.reference,
        )) as ReferenceRecord,
      );
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      onSkipped({ kind: 'StoredFileSkipped', what: 'reference record', file: err.file, problem: err.problem });
    }
  }
  return out;
}
