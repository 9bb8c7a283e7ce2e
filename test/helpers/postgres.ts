/**
 * A throwaway PostgreSQL 15 server for the tests of `publish` and `--db`:
 * Debian's server binaries (package postgresql-15, installed by scripts/setup-test.sh),
 * a cluster initialised in a temporary directory, reachable only through a
 * Unix socket inside that directory (no TCP port), stopped and removed at
 * the end — also when a test fails or the test process exits early. The
 * binaries refuse to run as root: as root, they run as `nobody` (setpriv),
 * in a directory handed to that user. No mock anywhere.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
const BINARIES = ['initdb', 'postgres'] as const;
const READY_TIMEOUT_MS = 60_000;

/** What is missing to start a test server, in one line; null when nothing is. */
export function missingPostgres(binDir = PG_BIN_DIR): string | null {
  const missing = BINARIES.map((b) => join(binDir, b)).filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return null;
  return `PostgreSQL 15 server binaries not found: ${missing.join(', ')} (install the Debian package postgresql-15 without its main cluster: run scripts/setup-test.sh as root)`;
}

export interface TestPostgres {
  /** Connection string of a fresh database `name` on the server. */
  createDatabase(name: string): Promise<string>;
  /** The socket directory (the connection strings' `host`). */
  socketDir: string;
  /** Stops the server (fast shutdown) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** uid and gid of `nobody` (from /etc/passwd), to run the server unprivileged when we are root. */
function nobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('no user nobody in /etc/passwd to run PostgreSQL as');
  return { uid: Number(uid), gid: Number(gid) };
}

/** argv prefix that drops root (the server refuses to run as root); nothing otherwise. */
function asUnprivileged(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const { uid, gid } = nobody();
  chownSync(dir, uid, gid);
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
}

export function connectionString(socketDir: string, database: string): string {
  return `postgresql://postgres@/${database}?host=${encodeURIComponent(socketDir)}`;
}

async function waitReady(socketDir: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`test PostgreSQL exited while starting (${server.exitCode ?? server.signalCode}): ${log()}`);
    const client = new pg.Client({ connectionString: connectionString(socketDir, 'postgres') });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`test PostgreSQL not ready after ${READY_TIMEOUT_MS} ms: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Initialises and starts a server; throws with what is missing when postgresql-15 is not installed. */
export async function startPostgres(binDir = PG_BIN_DIR): Promise<TestPostgres> {
  const missing = missingPostgres(binDir);
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'vblk-pg-'));
  const prefix = asUnprivileged(dir);
  const data = join(dir, 'data');
  const initArgv = [...prefix, join(binDir, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8'];
  initArgv.push('--locale=C', '--no-sync');
  const init = spawnSync(initArgv[0]!, initArgv.slice(1), {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);
  }
  const serverArgv = [
    join(binDir, 'postgres'),
    '-D',
    data,
    '-k',
    dir,
    '-c',
    'listen_addresses=',
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'synchronous_commit=off',
  ];
  const argv = [...prefix, ...serverArgv];
  const server = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: {} });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // setpriv execs the server: this pid is the postmaster. On an early exit of the test process, stop it at once.
  const immediateStop = () => {
    if (server.exitCode === null) server.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', immediateStop);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', immediateStop);
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGINT'); // fast shutdown: ends the sessions, stops every backend
      const timer = setTimeout(() => server.kill('SIGQUIT'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(dir, server, () => stderr.trim().split('\n').slice(-3).join(' | '));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    socketDir: dir,
    stop,
    async createDatabase(name: string) {
      const admin = new pg.Client({ connectionString: connectionString(dir, 'postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return connectionString(dir, name);
    },
  };
}
