/** Runs the real CLI (bin/vblk-bench) as a child process, the way users do. */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, dirname, join } from 'node:path';

/** Repository root (this file runs from dist/test/helpers). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = resolve(REPO_ROOT, 'bin', 'vblk-bench');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

/**
 * Host-wide locks of runs started by this test process live in a directory
 * of their own (VBLK_BENCH_LOCK_DIR), so test runs of other checkouts on the
 * same machine neither wait for nor fail on them (exit 4). Tests of the lock
 * itself pass their own VBLK_BENCH_LOCK_DIR.
 */
let testLockDir: string | undefined;
export function testLockDirectory(): string {
  if (!testLockDir) {
    const dir = mkdtempSync(join(tmpdir(), 'vblk-test-locks-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    testLockDir = dir;
  }
  return testLockDir;
}

/** Starts the real CLI; the handle gives its pid (for signals) and its result. */
export function startCli(args: string[], opts: CliOptions = {}) {
  return execa(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: opts.timeoutMs ?? 600_000,
    env: { VBLK_BENCH_LOCK_DIR: testLockDirectory(), ...opts.env },
    stdin: 'ignore',
  });
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const r = await startCli(args, opts);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A stack trace in user-facing output is a bug. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+:\d+:\d+/.test(text);
}
