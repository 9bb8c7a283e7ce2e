/**
 * Starting and stopping QEMU. QEMU runs under `setpriv --pdeathsig KILL` so
 * that even a SIGKILL of vblk-bench (which runs no handlers) takes the guest
 * down with it; setpriv execs QEMU, so the pid is QEMU's own.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import { HostError, RunStepError } from '../model/errors.js';
import { registerChild } from './children.js';
import type { QmpClient } from './qmp.js';

export interface QemuExit {
  code: number | null;
  signal: string | null;
}

export interface QemuProcess {
  pid: number;
  /** The argv actually spawned, wrapper included (for logs). */
  command: string[];
  /** Notes about how it was started (e.g. no parent-death signal). */
  warnings: string[];
  /** Settles once QEMU has exited and been reaped; never rejects. */
  exited: Promise<QemuExit>;
  /** True until `exited` settles. */
  readonly running: boolean;
  /**
   * QMP `quit` (if a client is given), wait; then SIGTERM, wait; then SIGKILL.
   * Idempotent: later calls return the same promise.
   */
  stop(qmp?: QmpClient, opts?: StopOptions): Promise<QemuExit>;
}

export interface StopOptions {
  /** Wait after `quit`. Default 3000 ms. */
  quitWaitMs?: number;
  /** Wait after SIGTERM. Default 2000 ms. */
  termWaitMs?: number;
  /** Wait after SIGKILL before giving up with an error. Default 5000 ms. */
  killWaitMs?: number;
}

export interface StartOptions {
  /** QEMU's stderr goes to this file (appended). */
  stderrLog: string;
  cwd?: string;
  /** Label in the child registry. Default `qemu`. */
  label?: string;
  /** Use the setpriv wrapper when available. Default true. */
  pdeathsig?: boolean;
  /** What is started, for the not-found error (default: QEMU, hinting at qemu-system-x86). */
  program?: { name: string; hint: string };
}

/** Resolves a command like execvp would: a path as is, else the first executable in PATH. */
export async function findExecutable(command: string): Promise<string | null> {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(command)]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

export type SetprivCheck = { ok: true; path: string } | { ok: false; problem: string };
let setprivCheck: Promise<SetprivCheck> | undefined;

/**
 * Whether `setpriv --pdeathsig` works here. Checked once per process by
 * running `setpriv --pdeathsig KILL -- true`.
 */
export function checkSetpriv(): Promise<SetprivCheck> {
  setprivCheck ??= (async (): Promise<SetprivCheck> => {
    const path = await findExecutable('setpriv');
    if (!path) return { ok: false, problem: 'setpriv (util-linux) is not installed' };
    const r = await execa(path, ['--pdeathsig', 'KILL', '--', 'true'], { reject: false, timeout: 5000 });
    if (r.exitCode === 0) return { ok: true, path };
    return {
      ok: false,
      problem: `setpriv --pdeathsig does not work here: ${(String(r.stderr ?? '') || r.shortMessage || '').trim()}`,
    };
  })();
  return setprivCheck;
}

const settledWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((res) => {
    const timer = setTimeout(() => res(false), ms);
    p.then(() => {
      clearTimeout(timer);
      res(true);
    });
  });

export async function startQemu(binary: string, args: string[], opts: StartOptions): Promise<QemuProcess> {
  const resolved = await findExecutable(binary);
  if (!resolved) {
    const program = opts.program ?? {
      name: 'QEMU',
      hint: 'install qemu-system-x86 (Debian) or set qemu.binary in the profile',
    };
    throw new HostError(`${program.name} binary not found: ${binary}`, program.hint);
  }
  const warnings: string[] = [];
  let command = [resolved, ...args];
  if (opts.pdeathsig ?? true) {
    const setpriv = await checkSetpriv();
    if (setpriv.ok) command = [setpriv.path, '--pdeathsig', 'KILL', '--', ...command];
    else
      warnings.push(
        `${setpriv.problem}: ${opts.program?.name ?? 'QEMU'} will keep running if vblk-bench is killed with SIGKILL`,
      );
  }
  const [file, ...argv] = command as [string, ...string[]];
  const subprocess = execa(file, argv, {
    cwd: opts.cwd,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: { file: opts.stderrLog, append: true },
    reject: false,
    buffer: false,
    // stop() and the child registry do the escalation; execa's own is off.
    forceKillAfterDelay: false,
    // On a normal exit of vblk-bench, execa still SIGTERMs what is left.
    cleanup: true,
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const r = await subprocess;
    throw new RunStepError(`cannot start ${file}: ${r.shortMessage ?? r.message ?? 'spawn failed'}`, 'boot');
  }
  let running = true;
  const exited: Promise<QemuExit> = subprocess.then(
    (r) => {
      running = false;
      return { code: r.exitCode ?? null, signal: r.signal ?? null };
    },
    () => {
      running = false;
      return { code: null, signal: null };
    },
  );
  const kill = (signal: NodeJS.Signals) => (running ? subprocess.kill(signal) : false);
  registerChild({ pid, label: opts.label ?? 'qemu', kill, exited });

  let stopping: Promise<QemuExit> | undefined;
  const stop = (qmp?: QmpClient, s: StopOptions = {}): Promise<QemuExit> => {
    stopping ??= (async () => {
      if (!running) return exited;
      if (qmp && !qmp.closed) {
        // QEMU may close the socket before the reply arrives: that is fine.
        qmp.execute('quit', undefined, { timeoutMs: s.quitWaitMs ?? 3000 }).catch(() => undefined);
        if (await settledWithin(exited, s.quitWaitMs ?? 3000)) return exited;
      }
      kill('SIGTERM');
      if (await settledWithin(exited, s.termWaitMs ?? 2000)) return exited;
      kill('SIGKILL');
      if (await settledWithin(exited, s.killWaitMs ?? 5000)) return exited;
      throw new RunStepError(`QEMU pid ${pid} did not exit after SIGKILL`, 'boot');
    })();
    return stopping;
  };

  return {
    pid,
    command,
    warnings,
    exited,
    get running() {
      return running;
    },
    stop,
  };
}
