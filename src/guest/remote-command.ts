/**
 * One command over an open SSH connection (ssh-session.ts), from exec to its
 * exit status: stdout and stderr collected up to a bound, a time limit, and —
 * on a timeout or runaway output — the remote command stopped (TERM, then
 * KILL) before the failure is reported.
 */
import type { Client as SshClient, ClientChannel } from 'ssh2';
import { RunStepError } from '../model/errors.js';
import type { ActivityJournal } from '../util/activity-journal.js';

export interface ExecOptions {
  timeoutMs: number;
  /** Upper bound on stdout + stderr kept in memory (default 64 MiB). */
  maxOutputBytes?: number;
  /**
   * Each chunk of stdout as it arrives, with a writer to the command's stdin:
   * for a command that talks with the host while it runs (insight/fio-bracket.ts).
   * Called before the chunk is journaled, so a mark it sets precedes it.
   */
  onStdout?: (chunk: Buffer, writeStdin: (text: string) => void) => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command was killed by a signal or the server sent none. */
  code: number | null;
  /** Signal name without `SIG` (as SSH reports it), when the command died from one. */
  signal?: string;
}

/** A guest command did not finish within its time limit; it was killed (see `stopped`). */
export class GuestTimeoutError extends RunStepError {
  constructor(
    message: string,
    readonly timeoutMs: number,
    /** The server confirmed the command ended after the kill; if false it may still run (reboot before measuring again). */
    readonly stopped: boolean,
    details: string[] = [],
  ) {
    super(message, 'guest', details, 'GuestCommandTimeout');
    this.name = 'GuestTimeoutError';
  }
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
/** After a timeout: how long a command gets to end after SIGTERM, then after SIGKILL. */
const TERM_GRACE_MS = 2000;
const KILL_GRACE_MS = 2000;

/** Last non-empty lines of a text (for error details). */
export function lastLines(text: string, n: number): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  return lines.slice(-n);
}

/** A command line short enough for one line of an error message. */
export function shorten(cmd: string, max = 200): string {
  const oneLine = cmd.replace(/\n/g, '\\n');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** Best effort: the channel may already be gone. */
function signalChannel(ch: ClientChannel, sig: string): void {
  try {
    ch.signal(sig);
  } catch {
    /* channel already gone */
  }
}

function closeChannel(ch: ClientChannel): void {
  try {
    ch.close();
  } catch {
    /* channel already gone */
  }
}

/** How a command ends for its session: the promise, and whether it counts as failed. */
export interface CommandCallbacks {
  resolve(result: ExecResult): void;
  reject(err: Error): void;
  /** Called once, when the command is settled: failed = rejected, or a non-zero exit status. */
  settled(failed: boolean): void;
}

export class RemoteCommand {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private size = 0;
  private readonly maxOutput: number;
  private channel: ClientChannel | undefined;
  private done = false;
  private code: number | null = null;
  private signal: string | undefined;
  /** Set while a timed-out or runaway command is being killed. */
  private stopping: ((stopped: boolean) => Error) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  /** `cmd`: the quoted command line as sent; `journal`: where its channel's activity is recorded. */
  constructor(
    private readonly cmd: string,
    private readonly opts: ExecOptions,
    private readonly callbacks: CommandCallbacks,
    private readonly journal?: ActivityJournal,
  ) {
    this.maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  }

  /** Starts the time limit and the command. */
  start(client: SshClient): void {
    this.timer = setTimeout(() => this.timedOut(), this.opts.timeoutMs);
    this.journal?.record('ssh-exec', shorten(this.cmd, 80));
    try {
      client.exec(this.cmd, (openErr, stream) => {
        if (openErr)
          this.finish(
            new RunStepError(`could not start guest command (${openErr.message}): ${shorten(this.cmd)}`, 'ssh'),
          );
        else this.opened(stream);
      });
    } catch (e) {
      this.finish(
        new RunStepError(`could not start guest command (${(e as Error).message}): ${shorten(this.cmd)}`, 'ssh'),
      );
    }
  }

  /** Ends the command with this error (the connection was lost). */
  fail(e: Error): void {
    this.finish(e);
  }

  private opened(stream: ClientChannel): void {
    if (this.done) {
      this.abandon(stream); // timed out before the channel opened
      stream.resume();
      return;
    }
    this.channel = stream;
    const what = shorten(this.cmd, 80);
    const writeStdin = (text: string) => {
      this.journal?.record('ssh-stdin', what);
      stream.write(text);
    };
    stream.on('data', (chunk: Buffer) => {
      this.collect(this.out, chunk);
      if (!this.stopping) this.opts.onStdout?.(chunk, writeStdin);
      this.journal?.record('ssh-stdout', what);
    });
    stream.stderr.on('data', (chunk: Buffer) => {
      this.collect(this.err, chunk);
      this.journal?.record('ssh-stderr', what);
    });
    stream.on('exit', (c: number | null, sig?: string) => {
      this.code = typeof c === 'number' ? c : null;
      if (sig) this.signal = sig;
    });
    stream.on('close', () => {
      this.journal?.record('ssh-close', what);
      if (this.stopping) this.finish(this.stopping(true));
      else this.finish();
    });
    stream.on('error', (e: Error) =>
      this.finish(new RunStepError(`guest command channel failed: ${e.message}`, 'ssh')),
    );
  }

  private abandon(ch: ClientChannel | undefined): void {
    if (!ch) return;
    signalChannel(ch, 'KILL');
    closeChannel(ch);
  }

  private finish(failure?: Error): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    clearTimeout(this.killTimer);
    if (failure) {
      this.callbacks.settled(true);
      this.abandon(this.channel);
      this.callbacks.reject(failure);
      return;
    }
    const result: ExecResult = {
      stdout: Buffer.concat(this.out).toString('utf8'),
      stderr: Buffer.concat(this.err).toString('utf8'),
      code: this.code,
    };
    if (this.signal !== undefined) result.signal = this.signal;
    this.callbacks.settled(this.code !== 0);
    this.callbacks.resolve(result);
  }

  private timedOut(): void {
    const { timeoutMs } = this.opts;
    this.stopThenFail(
      (stopped) =>
        new GuestTimeoutError(
          `guest command timed out after ${timeoutMs} ms ` +
            `(${stopped ? 'killed' : 'kill not confirmed: it may still run in the guest'}): ${shorten(this.cmd)}`,
          timeoutMs,
          stopped,
          lastLines(Buffer.concat(this.err).toString('utf8'), 5),
        ),
    );
  }

  private collect(into: Buffer[], chunk: Buffer): void {
    if (this.stopping) return;
    this.size += chunk.length;
    if (this.size > this.maxOutput) {
      this.stopThenFail(
        (stopped) =>
          new RunStepError(
            `guest command printed more than ${this.maxOutput} bytes (${stopped ? 'killed' : 'kill not confirmed'}): ${shorten(this.cmd)}`,
            'guest',
          ),
      );
      return;
    }
    into.push(chunk);
  }

  /**
   * Stop the remote command — SSH "signal" TERM (fio then stops its jobs
   * and exits), KILL if it is still there after a grace period — and wait
   * for the server to close the channel before rejecting. Closing the
   * channel alone does not stop a command under dropbear (it keeps running,
   * orphaned), and an exec sent while dropbear is still reaping a killed
   * command can be refused ("Unable to exec"); waiting avoids both.
   */
  private stopThenFail(makeError: (stopped: boolean) => Error): void {
    if (this.done || this.stopping) return;
    this.stopping = makeError;
    clearTimeout(this.timer);
    const ch = this.channel;
    if (!ch) {
      this.finish(makeError(false)); // not started yet; abandoned when it opens
      return;
    }
    signalChannel(ch, 'TERM');
    this.killTimer = setTimeout(() => {
      signalChannel(ch, 'KILL');
      this.killTimer = setTimeout(() => {
        closeChannel(ch);
        this.finish(makeError(false));
      }, KILL_GRACE_MS);
    }, TERM_GRACE_MS);
  }
}
