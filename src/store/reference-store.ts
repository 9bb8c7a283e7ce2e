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
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellValues, Metric } from '../model/sample.js';
import { InputError } from '../model/errors.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { cellSlug } from './layout.js';
import type { FailureKind } from '../model/diagnostic.js';

const REFERENCE_DIR = 'reference';
const REFERENCE_SCHEMA_VERSION = 1;

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

export async function writeReferenceRecord(runDir: string, seq: number, record: Omit<ReferenceRecord, 'rawFioPath'>, rawFio?: unknown): Promise<ReferenceRecord> {
  await mkdir(join(runDir, REFERENCE_DIR), { recursive: true });
  const base = `${String(seq).padStart(4, '0')}-${cellSlug(record.fioKey) || 'job'}`;
  const out: ReferenceRecord = { ...record };
  if (rawFio !== undefined) {
    out.rawFioPath = join(REFERENCE_DIR, `${base}.fio.json`);
    await writeJsonAtomic(join(runDir, out.rawFioPath), rawFio);
  }
  await writeJsonAtomic(join(runDir, REFERENCE_DIR, `${base}.json`), out);
  return out;
}

/** The run's reference records in the order measured; none when the run has no reference. */
export async function loadReference(runDir: string): Promise<ReferenceRecord[]> {
  const dir = join(runDir, REFERENCE_DIR);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.endsWith('.fio.json') && !n.startsWith('.')).sort();
  const out: ReferenceRecord[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
    }
    const r = data as Partial<ReferenceRecord>;
    if (r.schemaVersion !== REFERENCE_SCHEMA_VERSION || r.kind !== 'host-reference' || typeof r.fioKey !== 'string' || typeof r.metrics !== 'object') {
      throw new InputError(`${path}: not a host reference record`);
    }
    out.push(r as ReferenceRecord);
  }
  return out;
}
