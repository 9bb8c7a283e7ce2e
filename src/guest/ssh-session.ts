/**
 * One SSH connection to a benchmark guest (ssh2's Client), with:
 *  - retries while the guest boots (refused / reset / closed before the SSH
 *    banner / handshake timeout), up to an absolute deadline;
 *  - a pinned host key (raw key blob compared with the OpenSSH public key line
 *    the image build recorded) — never accept-any;
 *  - no retry for a host key mismatch or refused authentication: those do not
 *    fix themselves, and retrying would only hide them;
 *  - commands built from an argv with POSIX quoting (util/shell-quote.ts),
 *    each run, bounded and stopped by remote-command.ts;
 *  - byte and command counters for a verbose summary.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader.
import ssh2 from 'ssh2';
import type { Client as SshClient, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import { RunStepError } from '../model/errors.js';
import type { FailureKind } from '../model/diagnostic.js';
import { commandLine } from '../util/shell-quote.js';
import type { ActivityJournal } from '../util/activity-journal.js';
import { lastLines, RemoteCommand, shorten, type ExecOptions, type ExecResult } from './remote-command.js';

const { Client, utils } = ssh2;

export interface ConnectOptions {
  /** Guests are always reached through a host-local forward (QEMU user-net hostfwd). */
  host: '127.0.0.1';
  port: number;
  username: string;
  privateKey: Buffer | string;
  /** The guest's host key as one OpenSSH line, e.g. `ssh-ed25519 AAAA... comment`. */
  hostPublicKey: string;
  /** Per attempt: TCP connect plus SSH handshake and authentication. */
  timeoutMs: number;
  /**
   * Absolute deadline (a `Date.now()` value) until which refused, reset or
   * timed-out attempts are retried. Omitted: a single attempt.
   */
  retryUntilMs?: number;
  /** Progress lines for verbose output (one per failed attempt). */
  log?: (line: string) => void;
  /** Put before every command's argv, e.g. `['sudo', '-n']` for a guest user that is not root. */
  commandPrefix?: string[];
}

/** The part of a session that guest helpers need (lets them be tested with a fake). */
export interface GuestRunner {
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult>;
  run(argv: string[], opts: ExecOptions): Promise<ExecResult>;
}

export type SshConnectFailure = 'host-key-mismatch' | 'auth-refused' | 'unreachable' | 'protocol';

const SSH_CONNECT_FAILURE: Record<SshConnectFailure, FailureKind> = {
  'host-key-mismatch': 'HostKeyMismatch',
  'auth-refused': 'SshAuthRefused',
  unreachable: 'SshFailed',
  protocol: 'SshFailed',
};

/** Connecting failed; `kind` says whether waiting longer could have helped. */
export class SshConnectError extends RunStepError {
  constructor(
    message: string,
    readonly kind: SshConnectFailure,
    readonly attempts: number,
    details: string[] = [],
  ) {
    super(message, 'ssh', details, SSH_CONNECT_FAILURE[kind]);
    this.name = 'SshConnectError';
  }
}

export interface SessionStats {
  bytesSent: number;
  bytesReceived: number;
  commands: number;
  /** Non-zero exit, death by signal, timeout or channel failure. */
  failedCommands: number;
  connectAttempts: number;
  /** From the first attempt to an authenticated session. */
  connectMs: number;
}

const FIRST_RETRY_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 2000;
/** Anything below this cannot be a `Date.now()` deadline (it is 2001-09-09). */
const PLAUSIBLE_EPOCH_MS = 1e12;

/** OpenSSH-style fingerprint of a raw public key blob: `SHA256:base64-without-padding`. */
export function sshKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parse the pinned OpenSSH public key line; a malformed pin is a configuration error. */
export function parsePinnedHostKey(line: string): { type: string; blob: Buffer; fingerprint: string } {
  const parsed = utils.parseKey(line.trim());
  const key: ParsedKey | undefined = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || parsed instanceof Error) {
    const why = parsed instanceof Error ? parsed.message : 'no key found';
    throw new RunStepError(`pinned host key is not an OpenSSH public key line (${why})`, 'ssh');
  }
  if (key.isPrivateKey()) {
    throw new RunStepError('pinned host key must be the public key line, not a private key', 'ssh');
  }
  const blob = key.getPublicSSH();
  return { type: key.type, blob, fingerprint: sshKeyFingerprint(blob) };
}

/** Host key algorithms that present a key of this type (RSA keys sign with several). */
function hostKeyAlgorithmsFor(type: string): ServerHostKeyAlgorithm[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type as ServerHostKeyAlgorithm];
}

/** Error an attempt failed with, and whether another attempt may succeed. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly kind: SshConnectFailure,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class GuestSession implements GuestRunner {
  private closed = false;
  private closing: Promise<void> | undefined;
  private lostReason: string | undefined;
  private readonly pending = new Set<RemoteCommand>();
  private commands = 0;
  private failedCommands = 0;
  /** Where every exec and its channel's traffic is recorded (set by the boot that owns the session). */
  journal: ActivityJournal | undefined;

  private constructor(
    private readonly client: SshClient,
    private readonly sock: net.Socket,
    readonly target: string,
    private readonly connectAttempts: number,
    private readonly connectMs: number,
    private readonly commandPrefix: readonly string[] = [],
  ) {
    client.on('error', (err: Error) => {
      this.lostReason ??= err.message;
    });
    client.on('close', () => {
      this.closed = true;
      const why = this.lostReason ?? 'connection closed';
      for (const p of this.pending) {
        p.fail(
          new RunStepError(`SSH connection to ${this.target} lost while a command ran: ${why}`, 'ssh', [], 'GuestLost'),
        );
      }
      this.pending.clear();
    });
  }

  static async connect(opts: ConnectOptions): Promise<GuestSession> {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw new TypeError(`port must be an integer 1..65535, got ${opts.port}`);
    }
    if (!(opts.timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
    if (opts.retryUntilMs !== undefined && opts.retryUntilMs < PLAUSIBLE_EPOCH_MS) {
      throw new TypeError(
        `retryUntilMs is an absolute Date.now() deadline; ${opts.retryUntilMs} looks like a duration (use Date.now() + ${opts.retryUntilMs})`,
      );
    }
    const pin = parsePinnedHostKey(opts.hostPublicKey);
    const privateKey = utils.parseKey(opts.privateKey);
    if (privateKey instanceof Error) {
      throw new RunStepError(`SSH client private key cannot be parsed: ${privateKey.message}`, 'ssh');
    }

    const target = `${opts.username}@${opts.host}:${opts.port}`;
    const started = Date.now();
    const deadline = opts.retryUntilMs ?? 0;
    let delay = FIRST_RETRY_DELAY_MS;
    const seen: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      // The last attempt still gets at least a second so a slow handshake can finish.
      const attemptTimeout = attempt === 1 ? opts.timeoutMs : Math.min(opts.timeoutMs, Math.max(remaining, 1000));
      try {
        const { client, sock } = await attemptConnect(opts, pin, attemptTimeout);
        return new GuestSession(client, sock, target, attempt, Date.now() - started, opts.commandPrefix);
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        if (!err.retryable) {
          throw new SshConnectError(`SSH to ${target}: ${err.message}`, err.kind, attempt, seen);
        }
        if (seen[seen.length - 1] !== err.message) seen.push(err.message);
        if (seen.length > 5) seen.splice(0, seen.length - 5);
        if (Date.now() + delay >= deadline) {
          const waited = ((Date.now() - started) / 1000).toFixed(1);
          const msg =
            deadline === 0
              ? `SSH to ${target} failed: ${err.message}`
              : `SSH to ${target} not reachable after ${attempt} attempts in ${waited} s (last error: ${err.message})`;
          throw new SshConnectError(msg, err.kind, attempt, seen);
        }
        opts.log?.(`ssh ${target}: attempt ${attempt} failed (${err.message}), retrying`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  /** Run one command (argv, quoted here); resolves with its output and exit status whatever the status. */
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    let cmd: string;
    try {
      cmd = commandLine([...this.commandPrefix, ...argv]);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.closed) {
      return Promise.reject(
        new RunStepError(
          `SSH session to ${this.target} is closed; cannot run: ${shorten(cmd)}`,
          'ssh',
          [],
          'GuestLost',
        ),
      );
    }
    this.commands++;
    return new Promise<ExecResult>((resolve, reject) => {
      const command: RemoteCommand = new RemoteCommand(
        cmd,
        opts,
        {
          resolve,
          reject,
          settled: (failed) => {
            this.pending.delete(command);
            if (failed) this.failedCommands++;
          },
        },
        this.journal,
      );
      this.pending.add(command);
      command.start(this.client);
    });
  }

  /** Like exec, but a non-zero exit (or death by signal) throws RunStepError with stderr's last lines. */
  async run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const r = await this.exec(argv, opts);
    if (r.code !== 0) {
      const status =
        r.signal !== undefined ? `signal ${r.signal}` : r.code === null ? 'no exit status' : `exit ${r.code}`;
      const tail = lastLines(r.stderr, 10);
      throw new RunStepError(
        `guest command failed (${status}): ${shorten(commandLine(argv))}`,
        'guest',
        tail.length > 0 ? tail : lastLines(r.stdout, 5),
      );
    }
    return r;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): SessionStats {
    return {
      bytesSent: this.sock.bytesWritten,
      bytesReceived: this.sock.bytesRead,
      commands: this.commands,
      failedCommands: this.failedCommands,
      connectAttempts: this.connectAttempts,
      connectMs: this.connectMs,
    };
  }

  /** One line for `--verbose`. */
  summary(): string {
    const s = this.stats();
    return (
      `ssh ${this.target}: connected after ${s.connectAttempts} attempt(s) in ${(s.connectMs / 1000).toFixed(1)} s; ` +
      `${s.commands} command(s) (${s.failedCommands} failed), ` +
      `${formatBytes(s.bytesSent)} sent, ${formatBytes(s.bytesReceived)} received`
    );
  }

  /** Close the connection (idempotent; resolves once the socket is closed, at most ~2 s). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.sock.destroyed) {
        this.closed = true;
        resolve();
        return;
      }
      const t = setTimeout(() => {
        this.sock.destroy();
        resolve();
      }, 2000);
      this.sock.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.lostReason ??= 'closed by us';
      this.client.end();
    }).then(() => {
      this.closed = true;
    });
    return this.closing;
  }
}

type PinnedKey = { type: string; blob: Buffer; fingerprint: string };

/** Why an attempt's SSH client failed, and whether another attempt may succeed. */
function attemptErrorOf(
  e: Error & { level?: string; code?: string },
  hostKeyMismatch: string | undefined,
  opts: ConnectOptions,
  pin: PinnedKey,
): AttemptError {
  if (hostKeyMismatch !== undefined) return new AttemptError(hostKeyMismatch, 'host-key-mismatch', false);
  if (e.level === 'client-authentication') {
    return new AttemptError(
      `authentication refused for user '${opts.username}' (${e.message}); the guest does not accept this private key`,
      'auth-refused',
      false,
    );
  }
  if (e.level === 'client-socket' || e.level === 'client-timeout')
    return new AttemptError(`${e.code ?? e.message}`, 'unreachable', true);
  // QEMU user-net accepts TCP before the guest's sshd listens, then drops it.
  if (e.level === 'protocol' && /before handshake/i.test(e.message))
    return new AttemptError(e.message, 'unreachable', true);
  if (/no matching host key/i.test(e.message)) {
    return new AttemptError(
      `the server offers no ${pin.type} host key, which is the type pinned (${e.message})`,
      'host-key-mismatch',
      false,
    );
  }
  return new AttemptError(`SSH protocol error: ${e.message}`, 'protocol', false);
}

/** The mismatch message when `key` is not the pinned key, else null. */
function hostKeyMismatchOf(key: Buffer, pin: PinnedKey): string | null {
  if (key.length === pin.blob.length && timingSafeEqual(key, pin.blob)) return null;
  return (
    `host key mismatch: the server presented ${sshKeyFingerprint(key)} but ${pin.fingerprint} (${pin.type}) is pinned; ` +
    `refusing to connect (was the guest image rebuilt? re-read its host key)`
  );
}

/** One TCP connect + SSH handshake + authentication, within `timeoutMs`. */
function attemptConnect(
  opts: ConnectOptions,
  pin: PinnedKey,
  timeoutMs: number,
): Promise<{ client: SshClient; sock: net.Socket }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let hostKeyMismatch: string | undefined;
    const client = new Client();
    const sock = net.connect({ host: opts.host, port: opts.port });
    sock.setNoDelay(true);

    const fail = (e: AttemptError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.on('error', () => {}); // late errors of an abandoned attempt are not interesting
      sock.destroy();
      client.end();
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(new AttemptError(`no SSH session within ${timeoutMs} ms`, 'unreachable', true));
    }, timeoutMs);

    const onTcpError = (e: NodeJS.ErrnoException): void => {
      fail(new AttemptError(`TCP connect: ${e.code ?? e.message}`, 'unreachable', true));
    };
    sock.once('error', onTcpError);
    sock.once('connect', () => {
      sock.removeListener('error', onTcpError);
      if (settled) return;
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ client, sock });
      });
      client.on('error', (e: Error & { level?: string; code?: string }) =>
        fail(attemptErrorOf(e, hostKeyMismatch, opts, pin)),
      );
      client.on('close', () => {
        fail(new AttemptError('connection closed before the SSH session was ready', 'unreachable', true));
      });
      try {
        client.connect({
          sock,
          username: opts.username,
          privateKey: opts.privateKey,
          readyTimeout: timeoutMs,
          algorithms: { serverHostKey: hostKeyAlgorithmsFor(pin.type) },
          hostVerifier: (key: Buffer): boolean => {
            hostKeyMismatch = hostKeyMismatchOf(key, pin) ?? undefined;
            return hostKeyMismatch === undefined;
          },
        });
      } catch (e) {
        fail(new AttemptError(`SSH client setup failed: ${(e as Error).message}`, 'protocol', false));
      }
    });
  });
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
