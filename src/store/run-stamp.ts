/**
 * A results directory's file stamp: the inode, size and mtime of each file a
 * reader of the whole run opens (run.json, profile.json, environment.json,
 * plan.json, summary.json, adaptive.json) and the mtime of samples/ and
 * raw/, with the directory's name. Every writer of vblk-bench replaces files
 * by rename, so a run resumed, merged into or re-imported gets a new stamp
 * (the rule of the results index, docs/results-store.md). `publish` keeps
 * the stamp of what it published: the same stamp again means the run need
 * not be read to know nothing changed. A stamp is local to one host's files
 * (inodes): elsewhere the run is read and its content hash decides.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sha256Of } from '../util/sha256.js';
import {
  ADAPTIVE_FILE,
  ENVIRONMENT_FILE,
  PLAN_FILE,
  PROFILE_FILE,
  RAW_DIR,
  RUN_FILE,
  RUN_LOCK_FILE,
  SAMPLES_DIR,
  SUMMARY_FILE,
} from './layout.js';

const FILES = [RUN_FILE, PROFILE_FILE, ENVIRONMENT_FILE, PLAN_FILE, SUMMARY_FILE, ADAPTIVE_FILE];
const DIRS = [SAMPLES_DIR, RAW_DIR];

/**
 * The stamp of `dir` (sha256, with `salt` — what else decides the published
 * form, e.g. the tool and schema versions); null when it has no run.json or
 * is in progress (a `.lock`): such a run is always read.
 */
export async function runStampOf(dir: string, salt: string): Promise<string | null> {
  const look = (name: string) => stat(join(dir, name)).catch(() => null);
  const [lock, ...found] = await Promise.all([RUN_LOCK_FILE, ...FILES, ...DIRS].map(look));
  if (lock || !found[0]) return null;
  const parts = found.map((s, i) =>
    !s ? '-' : i < FILES.length ? `${s.ino}:${s.size}:${s.mtimeMs}` : `${s.ino}:${s.mtimeMs}`,
  );
  return sha256Of([salt, basename(dir), ...parts].join('\n'));
}
