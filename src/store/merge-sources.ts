/**
 * What `merge` reads from its source results directories besides their
 * records: each boot's directory (copied) and each sample's raw fio JSON.
 * Both through the validated reader: regular files inside the source only —
 * a symbolic link in boots/ or a raw path out of the directory would copy a
 * host file into the merged results — and a problem becomes a diagnostic.
 */
import { lstat, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../model/sample.js';
import { BootRecordSchema } from '../model/schemas/boot.js';
import { parseJsonText } from '../util/file-read.js';
import { BOOTS_DIR } from './layout.js';
import type { StoredRun } from './run-reader.js';
import { FileProblem, MAX_FILE_BYTES, checkSchema, listFilesUnder, readTextUnder } from './stored-file.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';

const BOOT_RECORD_FILE = 'boot.json';
/** Boot directory names as runs write them: `b001-g1-r0`, `b003-g2-r1-a2-s2`, `m1-b001-…` after a merge. */
const BOOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Every boot directory of a run (real directories only; anything else is a diagnostic). */
export async function bootIdsOf(run: StoredRun, diagnostics: StoredDiagnostic[]): Promise<string[]> {
  const info = await lstat(join(run.dir, BOOTS_DIR)).catch(() => null);
  if (!info) return [];
  if (!info.isDirectory()) {
    const problem = info.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a directory';
    diagnostics.push({ kind: 'StoredFileSkipped', what: 'boot file', file: join(run.dir, BOOTS_DIR), problem });
    return [];
  }
  const ids: string[] = [];
  for (const e of await readdir(join(run.dir, BOOTS_DIR), { withFileTypes: true })) {
    if (e.isDirectory() && BOOT_ID.test(e.name)) ids.push(e.name);
    else
      diagnostics.push({
        kind: 'StoredFileSkipped',
        what: 'boot file',
        file: join(run.dir, BOOTS_DIR, e.name),
        problem: e.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a boot directory',
      });
  }
  return ids.sort();
}

/** Copies one boot's directory into `target`: regular files only, and boot.json only when it is a boot record. */
export async function copyBootDir(
  run: StoredRun,
  bootId: string,
  target: string,
  diagnostics: StoredDiagnostic[],
): Promise<void> {
  const rel = `${BOOTS_DIR}/${bootId}`;
  const listing = await listFilesUnder(run.dir, rel);
  for (const s of listing.skipped)
    diagnostics.push({
      kind: 'StoredFileSkipped',
      what: 'boot file',
      file: join(run.dir, rel, s.name),
      problem: s.problem,
    });
  for (const name of listing.files) {
    const isRecord = name === BOOT_RECORD_FILE;
    try {
      const text = await readTextUnder(
        run.dir,
        `${rel}/${name}`,
        isRecord ? MAX_FILE_BYTES.boot : MAX_FILE_BYTES.bootLog,
      );
      if (isRecord)
        checkSchema(BootRecordSchema, parseJsonText(text, join(run.dir, rel, name)), join(run.dir, rel, name));
      await writeFile(join(target, name), text, { flag: 'wx' });
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      diagnostics.push({
        kind: 'StoredFileSkipped',
        what: isRecord ? 'boot record' : 'boot file',
        file: err.file,
        problem: err.problem,
      });
    }
  }
}

/** A sample's raw fio JSON, read inside its results directory; undefined when it has none, null (with a diagnostic) when it cannot be used. */
export async function rawFioOf(run: StoredRun, sample: Sample, diagnostics: StoredDiagnostic[]): Promise<unknown> {
  if (!sample.rawFioPath) return undefined;
  try {
    return parseJsonText(
      await readTextUnder(run.dir, sample.rawFioPath, MAX_FILE_BYTES.rawFio),
      join(run.dir, sample.rawFioPath),
    );
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    diagnostics.push({
      kind: 'StoredFileSkipped',
      what: 'raw fio JSON',
      file: err.file,
      problem: `${err.problem}; its sample is left out (it counts as missing)`,
    });
    return null;
  }
}
