/**
 * The fidelity file `calibrate --fidelity` writes into its directory after
 * every round, and reads back to render a verdict again
 * (`calibrate --fidelity <that directory>`): every sample of both paths, with
 * where its evidence lies (the normal run's results directory under
 * `<profile>-<time>/` beside it, the harness-free boots under `harness-free/`).
 */
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import {
  FIDELITY_FILE,
  FIDELITY_KIND,
  FIDELITY_SCHEMA_VERSION,
  FidelityFileSchema,
  type FidelityFile,
} from '../model/schemas/fidelity.js';
import { MAX_FILE_BYTES, FileProblem, checkOwnOutput, readNamedJson } from '../store/stored-file.js';
import { writeJsonAtomic } from '../util/atomic-file.js';

export { FIDELITY_FILE, FIDELITY_KIND, FIDELITY_SCHEMA_VERSION, type FidelityFile };

/** Writes `dir/fidelity.json`, checked first against the schema `loadFidelity` reads it with. */
export async function writeFidelity(dir: string, file: FidelityFile): Promise<void> {
  checkOwnOutput(FidelityFileSchema, file, 'a fidelity file');
  await writeJsonAtomic(join(dir, FIDELITY_FILE), file);
}

/** The fidelity file of a directory (or the file itself), validated; any problem is one line naming the field. */
export async function loadFidelity(path: string): Promise<{ file: FidelityFile; dir: string }> {
  const isDir = (await stat(path).catch(() => null))?.isDirectory() ?? false;
  const filePath = isDir ? join(path, FIDELITY_FILE) : path;
  try {
    const file = await readNamedJson(filePath, FidelityFileSchema, MAX_FILE_BYTES.calibration);
    return { file, dir: isDir ? path : join(filePath, '..') };
  } catch (err) {
    if (err instanceof FileProblem) throw new InputError(err.message);
    throw err;
  }
}

/** Whether `path` holds a fidelity file (a directory with fidelity.json): render it instead of measuring. */
export async function isFidelityResult(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) return (await stat(join(path, FIDELITY_FILE)).catch(() => null)) !== null;
  return path.endsWith(`/${FIDELITY_FILE}`) || path === FIDELITY_FILE;
}
