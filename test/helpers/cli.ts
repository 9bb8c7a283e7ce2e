/** Runs the real CLI (bin/vblk-bench) as a child process, the way users do. */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';

/** Repository root (this file runs from dist/test/helpers). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = resolve(REPO_ROOT, 'bin', 'vblk-bench');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: opts.timeoutMs ?? 600_000,
    env: opts.env,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A stack trace in user-facing output is a bug. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+:\d+:\d+/.test(text);
}
