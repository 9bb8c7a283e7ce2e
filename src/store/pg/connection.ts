/**
 * Where the PostgreSQL connection string comes from, and opening a
 * connection that can neither hang nor leak the string. The string comes
 * from the environment (VBLK_BENCH_DB) or from a file (`--db-file`, checked
 * like a private key: a regular file only its owner can read) — never from
 * the profile, which is copied into profile.json, baselines and the
 * fingerprint. Every problem is one line that names the source, never the
 * string (it may hold a password).
 */
import { open } from 'node:fs/promises';
import pg from 'pg';
import { InputError } from '../../model/errors.js';

export const DB_ENV = 'VBLK_BENCH_DB';
const MAX_DB_FILE_BYTES = 16 * 1024;

/** How long connecting and one statement may take before the operation is given up. */
export interface DbTimeouts {
  connectMs: number;
  statementMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 10_000, statementMs: 300_000 };

export interface DbSource {
  /** The connection string. */
  url: string;
  /** Where it came from, for messages: `VBLK_BENCH_DB` or `--db-file <path>`. */
  from: string;
}

/** The connection string of a `--db-file`: the first non-empty line of a private regular file. */
async function readDbFile(path: string): Promise<string> {
  const where = `--db-file ${path}`;
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`${where}: cannot open (${err.code ?? 'error'})`);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InputError(`${where}: not a regular file`);
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new InputError(
        `${where}: mode ${mode.toString(8).padStart(4, '0')} lets others read the connection string; chmod 600 ${path}`,
      );
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid)
      throw new InputError(`${where}: belongs to uid ${st.uid}, not to us (uid ${uid}); refusing to use it`);
    if (st.size > MAX_DB_FILE_BYTES) throw new InputError(`${where}: larger than ${MAX_DB_FILE_BYTES} bytes`);
    const line = (await fh.readFile('utf8'))
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('#'));
    if (!line) throw new InputError(`${where}: holds no connection string`);
    return line;
  } finally {
    await fh.close();
  }
}

/** The connection string from `--db-file` when given, else from VBLK_BENCH_DB; one line when neither has one. */
export async function dbSource(
  opts: { dbFile?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<DbSource> {
  if (opts.dbFile !== undefined) return { url: await readDbFile(opts.dbFile), from: `--db-file ${opts.dbFile}` };
  const url = env[DB_ENV]?.trim();
  if (!url)
    throw new InputError(
      `no database: set ${DB_ENV} to a PostgreSQL connection string, or give --db-file <file> (docs/sharing-results.md)`,
    );
  return { url, from: DB_ENV };
}

/** A message with every occurrence of the connection string and its password removed. */
export function redact(message: string, url: string): string {
  const secrets = [url];
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) secrets.push(password, encodeURIComponent(password));
  } catch {
    // not a URL (a keyword/value string): the whole string is removed
  }
  const pw = /password\s*=\s*\S+/gi;
  let out = message;
  for (const s of secrets.filter((x) => x.length > 0).sort((a, b) => b.length - a.length))
    out = out.split(s).join('***');
  return out.replace(pw, 'password=***').replace(/\s+/g, ' ').trim();
}

/** One line for a failure of the database: source, what was being done, and the cause (redacted). */
export function dbProblem(source: DbSource, doing: string, err: unknown): InputError {
  const e = err as { code?: string; message?: string };
  const cause = e?.message || e?.code || String(err);
  return new InputError(`database (${source.from}): ${doing}: ${redact(cause, source.url)}`);
}

/** A connected client with bounded waits; any failure is one line (dbProblem). The caller ends it. */
export async function connectDb(source: DbSource, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): Promise<pg.Client> {
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: source.url,
      connectionTimeoutMillis: timeouts.connectMs,
      statement_timeout: timeouts.statementMs,
      query_timeout: timeouts.statementMs + 5_000,
      application_name: 'vblk-bench',
    });
  } catch (err) {
    throw dbProblem(source, 'not a usable connection string', err);
  }
  // A connection lost later is reported by the query that fails; an 'error' event must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw dbProblem(source, 'cannot connect', err);
  }
  return client;
}

/** Runs `fn` with a connected client and ends it whatever happens; a database error becomes one line. */
export async function withDb<T>(
  source: DbSource,
  doing: string,
  fn: (client: pg.Client) => Promise<T>,
  timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS,
): Promise<T> {
  const client = await connectDb(source, timeouts);
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof InputError) throw err;
    // A bug of ours is not the database's: only errors the server or the driver raised become a line.
    if (isDatabaseError(err)) throw dbProblem(source, doing, err);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isDatabaseError(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^(E[A-Z]+|[0-9A-Z]{5})$/.test(e.code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|Query read timeout|timeout/i.test(e.message);
}
