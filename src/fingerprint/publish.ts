/**
 * `vblk-bench publish <results...>`: results directories (or directories of
 * them) into the PostgreSQL database, one transaction per run, one run in
 * memory at a time. The schema is brought up to date first. A run that
 * cannot be read is skipped with its reason; the others are published.
 */
import type pg from 'pg';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { RUN_FILE } from '../store/layout.js';
import { dbSource, withDb, type DbSource, type DbTimeouts } from '../store/pg/connection.js';
import { SCHEMA_VERSION, migrate } from '../store/pg/migrations.js';
import { publishRun, publishedStamps, type PublishOutcome } from '../store/pg/write-run.js';
import { runStampOf } from '../store/run-stamp.js';
import { TOOL_VERSION } from '../util/version.js';
import { publishableRun } from './published-set.js';

export type PublishResult =
  { dir: string; runId: string; outcome: PublishOutcome; samples: number } | { dir: string; error: string };

async function isRunDir(dir: string): Promise<boolean> {
  return (await stat(join(dir, RUN_FILE)).catch(() => null)) !== null;
}

/** Each argument: a results directory, or a directory whose subdirectories are (in name order). */
export async function runDirsOf(paths: readonly string[]): Promise<string[]> {
  const dirs: string[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) {
      problems.push(`${path}: not a directory`);
      continue;
    }
    if (await isRunDir(path)) {
      dirs.push(path);
      continue;
    }
    const inside: string[] = [];
    for (const name of (await readdir(path)).sort())
      if (await isRunDir(join(path, name))) inside.push(join(path, name));
    if (inside.length === 0) problems.push(`${path}: neither a results directory nor a directory of them`);
    dirs.push(...inside);
  }
  if (problems.length) throw new InputError(problems);
  return dirs;
}

/** What else decides a run's published form: a directory published by another version is read again. */
const STAMP_SALT = `vblk-bench ${TOOL_VERSION}; schema ${SCHEMA_VERSION}`;

type KnownStamps = Map<string, { runId: string; samples: number }>;

/** One directory: unchanged by its stamp, else read and published (or skipped with the reason it cannot be read). */
async function publishDir(client: pg.Client, dir: string, stamps: KnownStamps): Promise<PublishResult> {
  // Taken before the run is read: a change while it is read gives a new stamp next time.
  const stamp = await runStampOf(dir, STAMP_SALT);
  const known = stamp ? stamps.get(stamp) : undefined;
  if (known) return { dir, runId: known.runId, outcome: 'unchanged', samples: known.samples };
  let published;
  try {
    published = await publishableRun(dir);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { dir, error: err.lines.join('; ') };
  }
  const { run, fingerprint } = published;
  const outcome = await publishRun(client, run, fingerprint, stamp);
  return { dir, runId: run.runId, outcome, samples: run.samples.length };
}

/** Publishes every run under `paths`; `log` gets one line per run as it goes. */
export async function publishResults(
  paths: readonly string[],
  source: DbSource,
  log: (line: string) => void,
  timeouts?: DbTimeouts,
): Promise<PublishResult[]> {
  const dirs = await runDirsOf(paths);
  return withDb(
    source,
    'publishing',
    async (client) => {
      await migrate(client);
      const stamps = await publishedStamps(client);
      const results: PublishResult[] = [];
      for (const dir of dirs) {
        const result = await publishDir(client, dir, stamps);
        results.push(result);
        log(
          'error' in result
            ? `skipped ${dir}: ${result.error}`
            : `${result.outcome} ${result.runId} ${dir} (${result.samples} samples)`,
        );
      }
      return results;
    },
    timeouts,
  );
}

/** `run --publish` waits at most this long to connect, and this long for one statement. */
export const RUN_PUBLISH_TIMEOUTS: DbTimeouts = { connectMs: 5_000, statementMs: 60_000 };

/**
 * The end of `run --publish`: the run is on disk already; publish it, or say
 * why not. Never throws for the database: a measurement must not fail
 * because the shared store is down or not configured.
 */
export async function publishFinishedRun(
  dir: string,
  opts: { dbFile?: string },
  timeouts: DbTimeouts = RUN_PUBLISH_TIMEOUTS,
): Promise<{ published: PublishResult } | { notPublished: string }> {
  try {
    const source = await dbSource({ dbFile: opts.dbFile });
    const [result] = await publishResults([dir], source, () => undefined, timeouts);
    if (!result) return { notPublished: 'no run found' };
    if ('error' in result) return { notPublished: result.error };
    return { published: result };
  } catch (err) {
    if (err instanceof InputError) return { notPublished: err.lines.join('; ') };
    throw err;
  }
}
