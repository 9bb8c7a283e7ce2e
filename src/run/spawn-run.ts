/**
 * Runs `vblk-bench run` as a child process — the same code path a user runs —
 * for commands that measure on their own (`gate --confirm`, `calibrate`). The
 * child's progress and warnings go to our stderr (its table too unless
 * `quiet`), so our stdout stays the command's own output. Its results
 * directory is the new `<profile name>-<time>` entry of `out`.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode } from '../model/exit-codes.js';
import { repoRoot } from '../util/paths.js';

export interface ChildRun {
  /** The results directory the child wrote (null when it wrote none). */
  dir: string | null;
  exitCode: number;
}

/** `waitLock` is passed on as `run --wait-lock [seconds]`; `profileName` finds the new results directory. */
export async function spawnRun(
  profilePath: string,
  opts: {
    out: string;
    profileName: string;
    onlyCells?: readonly string[];
    quiet?: boolean;
    waitLock?: boolean | string;
  },
): Promise<ChildRun> {
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  const before = new Set(await readdir(out));
  const args = [
    join(repoRoot(), 'bin', 'vblk-bench'),
    'run',
    profilePath,
    '--out',
    out,
    ...(opts.quiet ? ['--quiet'] : []),
    ...(opts.waitLock === true
      ? ['--wait-lock']
      : typeof opts.waitLock === 'string'
        ? ['--wait-lock', opts.waitLock]
        : []),
    ...(opts.onlyCells ?? []).flatMap((key) => ['--only-cell', key]),
  ];
  const exitCode = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', opts.quiet ? 'ignore' : process.stderr, process.stderr],
    });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      done(code ?? (signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated)),
    );
  });
  const created = (await readdir(out))
    .filter((name) => !before.has(name) && name.startsWith(`${opts.profileName}-`))
    .sort();
  const name = created[created.length - 1];
  return { dir: name ? join(out, name) : null, exitCode };
}
