/** The runs stored under a parent directory (`list`, `history`): every results directory in it, read. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { RUN_FILE } from './layout.js';
import { loadRun, type StoredRun } from './run-reader.js';

export interface ListedRun {
  dir: string;
  run: StoredRun | null;
  /** Why the directory could not be read. */
  error?: string;
}

/** Every subdirectory holding a run.json, read; unreadable ones keep their reason. Newest first. */
export async function findRuns(parent: string): Promise<ListedRun[]> {
  const info = await stat(parent).catch(() => null);
  if (!info?.isDirectory()) throw new InputError(`${parent}: not a directory`);
  const out: ListedRun[] = [];
  for (const name of (await readdir(parent)).sort()) {
    const dir = join(parent, name);
    if (!(await stat(join(dir, RUN_FILE)).catch(() => null))) continue;
    try {
      out.push({ dir, run: await loadRun(dir) });
    } catch (err) {
      // One unreadable run must not stop the listing; anything but bad input is still a bug.
      if (!(err instanceof InputError)) throw err;
      out.push({ dir, run: null, error: err.lines.join('; ') });
    }
  }
  const started = (r: ListedRun) => r.run?.manifest.startedAt ?? '';
  return out.sort((a, b) => started(b).localeCompare(started(a)) || b.dir.localeCompare(a.dir));
}
