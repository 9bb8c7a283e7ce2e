/**
 * A small QMP client over QEMU's unix socket (node:net). Requests carry a
 * unique `id`; replies are matched by it, events that interleave are kept in
 * a bounded list. Parsing lives in qmp-protocol.ts.
 */
import { createConnection, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStepError } from '../model/errors.js';
import type { ActivityJournal } from '../util/activity-journal.js';
import { QmpLineParser, type QmpEvent, type QmpGreeting, type QmpMessage } from './qmp-protocol.js';

export * from './qmp-protocol.js';

export interface QmpConnectOptions {
  /** Total time for the socket to accept, the greeting and qmp_capabilities. Default 10 s. */
  timeoutMs?: number;
  /** Default per-command timeout of execute(). Default 10 s. */
  commandTimeoutMs?: number;
  /** Events kept (oldest dropped first). Default 1000. */
  maxEvents?: number;
  /** Pause between connection attempts while QEMU has not created the socket yet. Default 50 ms. */
  retryIntervalMs?: number;
  /** Settles when QEMU exits: connecting stops waiting then. */
  exited?: Promise<unknown>;
}

/** QEMU answered a command with an error; `desc` is QEMU's own text. */
export class QmpError extends RunStepError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${desc} (${errorClass})`, 'qmp');
    this.name = 'QmpError';
  }
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN']);

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export class QmpClient {
  /** Most recent events, oldest first, at most `maxEvents`. */
  readonly events: QmpEvent[] = [];
  eventsDropped = 0;
  /** Lines that were not QMP (bounded like events); kept as evidence. */
  readonly invalidLines: string[] = [];
  greeting: QmpGreeting | undefined;
  /** Where every command and its reply is recorded (set by the boot that owns the monitor). */
  journal: ActivityJournal | undefined;

  private readonly parser = new QmpLineParser();
  private readonly pending = new Map<string, Pending>();
  private readonly eventWaiters = new Set<(e: QmpEvent) => void>();
  private greetingWaiter: ((g: QmpGreeting) => void) | undefined;
  private nextId = 1;
  private closedReason: string | undefined;
  private readonly closeListeners = new Set<(reason: string) => void>();

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
    private readonly commandTimeoutMs: number,
    private readonly maxEvents: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const msg of this.parser.push(chunk)) this.dispatch(msg);
    });
    socket.on('error', (err) => this.shutdown(`QMP socket error: ${err.message}`));
    socket.on('close', () => this.shutdown('QMP connection closed by QEMU'));
  }

  /**
   * Connects to QEMU's QMP socket, retrying until it accepts (QEMU creates it
   * during start-up), reads the greeting and negotiates capabilities.
   */
  static async connect(path: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let exitedFirst = false;
    opts.exited?.then(
      () => (exitedFirst = true),
      () => (exitedFirst = true),
    );
    let lastError = 'no attempt';
    let socket: Socket | undefined;
    while (!socket) {
      if (exitedFirst)
        throw new RunStepError(`QEMU exited before its QMP socket ${path} accepted a connection`, 'qmp', [lastError]);
      try {
        socket = await connectOnce(path);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        lastError = `${e.code ?? 'error'}: ${e.message}`;
        if (!e.code || !RETRYABLE.has(e.code))
          throw new RunStepError(`cannot connect to QMP socket ${path}: ${lastError}`, 'qmp');
        if (Date.now() >= deadline) {
          throw new RunStepError(`QMP socket ${path} did not accept a connection within ${timeoutMs} ms`, 'qmp', [
            lastError,
          ]);
        }
        await sleep(opts.retryIntervalMs ?? 50);
      }
    }
    const client = new QmpClient(socket, path, opts.commandTimeoutMs ?? 10_000, opts.maxEvents ?? 1000);
    try {
      await client.waitForGreeting(Math.max(1, deadline - Date.now()));
      await client.execute('qmp_capabilities', undefined, { timeoutMs: Math.max(1, deadline - Date.now()) });
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Sends one command; resolves with its `return`, rejects with QmpError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new RunStepError(`QMP ${command}: ${this.closedReason}`, 'qmp'));
    }
    const id = `vblk-${this.nextId++}`;
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RunStepError(`QMP ${command} got no reply within ${timeoutMs} ms`, 'qmp'));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      const request = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.journal?.record('qmp-send', command);
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Resolves with the next event named `name` (or one already seen, if `includePast`). */
  waitForEvent(name: string, timeoutMs: number, includePast = false): Promise<QmpEvent> {
    const past = includePast ? this.events.find((e) => e.event === name) : undefined;
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const waiter = (e: QmpEvent) => {
        if (e.event !== name) return;
        cleanup();
        resolve(e);
      };
      const onClose = (reason: string) => {
        cleanup();
        reject(new RunStepError(`waiting for QMP event ${name}: ${reason}`, 'qmp'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new RunStepError(`no QMP event ${name} within ${timeoutMs} ms`, 'qmp'));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.eventWaiters.delete(waiter);
        this.closeListeners.delete(onClose);
      };
      if (this.closedReason !== undefined) return onClose(this.closedReason);
      this.eventWaiters.add(waiter);
      this.closeListeners.add(onClose);
    });
  }

  /** Closes the connection; pending requests reject. Idempotent. */
  close(): void {
    this.shutdown('QMP client closed');
    this.socket.destroy();
  }

  private waitForGreeting(timeoutMs: number): Promise<QmpGreeting> {
    if (this.greeting) return Promise.resolve(this.greeting);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new RunStepError(
            `no QMP greeting on ${this.path} within ${timeoutMs} ms (is another client connected?)`,
            'qmp',
          ),
        );
      }, timeoutMs);
      const onClose = (reason: string) => {
        cleanup();
        reject(new RunStepError(`no QMP greeting on ${this.path}: ${reason}`, 'qmp'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.greetingWaiter = undefined;
        this.closeListeners.delete(onClose);
      };
      if (this.closedReason !== undefined) return onClose(this.closedReason);
      this.closeListeners.add(onClose);
      this.greetingWaiter = (g) => {
        cleanup();
        resolve(g);
      };
    });
  }

  private dispatch(msg: QmpMessage): void {
    switch (msg.kind) {
      case 'greeting':
        this.greeting = msg;
        this.greetingWaiter?.(msg);
        return;
      case 'event':
        this.events.push(msg);
        while (this.events.length > this.maxEvents) {
          this.events.shift();
          this.eventsDropped++;
        }
        for (const w of [...this.eventWaiters]) w(msg);
        return;
      case 'return':
      case 'error': {
        const p = this.takePending(msg.id);
        if (!p) return; // late reply after a timeout, or not ours
        clearTimeout(p.timer);
        this.journal?.record('qmp-reply', p.command);
        if (msg.kind === 'return') p.resolve(msg.value);
        else p.reject(new QmpError(p.command, msg.errorClass, msg.desc));
        return;
      }
      case 'invalid':
        this.invalidLines.push(msg.line.slice(0, 500));
        if (this.invalidLines.length > this.maxEvents) this.invalidLines.shift();
        return;
    }
  }

  private takePending(id: unknown): Pending | undefined {
    if (typeof id === 'string' && this.pending.has(id)) {
      const p = this.pending.get(id);
      this.pending.delete(id);
      return p;
    }
    // QEMU answers a request it could not parse far enough to read `id`
    // without one; attribute it only when unambiguous.
    if (id === undefined && this.pending.size === 1) {
      const [key, p] = [...this.pending.entries()][0]!;
      this.pending.delete(key);
      return p;
    }
    return undefined;
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RunStepError(`QMP ${p.command}: ${reason}`, 'qmp'));
    }
    this.pending.clear();
    for (const l of [...this.closeListeners]) l(reason);
  }
}
