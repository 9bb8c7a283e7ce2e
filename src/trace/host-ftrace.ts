/**
 * A host ftrace instance for qemu-storage-daemon's trace events (issue 14,
 * layer `daemon.block`). QSD 7.2 cannot switch events at run time and its
 * log backend prints no time; but its log backend can write into an ftrace
 * instance's `trace_marker`, and ftrace stamps each write with the writing
 * thread's id and the instance's trace_clock (mono: one clock for every
 * daemon thread). Lines written while the instance's `tracing_on` is 0 are
 * dropped by the kernel (verified on Linux 6.1: not buffered for later), so
 * tracing is on only around the traced fio run.
 *
 * tracefs: when /sys/kernel/tracing is not mounted and we run as root, it is
 * mounted here (`mount -t tracefs nodev /sys/kernel/tracing`); otherwise the
 * layer is n/a with the reason from `tracefsUnavailableReason`.
 *
 * Each instance is `vblk-bench-<pid>-<n>`, removed on every exit path (the
 * caller's finally, the exit guard); a leftover of a killed vblk-bench
 * (its pid gone) is swept when the next instance is created.
 */
import { access, mkdir, open, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { constants, rmdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onExit } from '../lifecycle/exit-guard.js';

export const HOST_TRACEFS = '/sys/kernel/tracing';
/** Per-CPU ring buffer of a daemon instance, KiB: ~5 events of ~120 bytes per request. */
export const DAEMON_TRACE_BUFFER_KB = 8192;
const INSTANCE_PREFIX = 'vblk-bench-';

/** What was found of host tracefs, for the reason when it cannot be used. */
export interface TracefsFacts {
  /** `<root>/instances` exists. */
  mounted: boolean;
  /** The effective uid is 0. */
  root: boolean;
  /** The mount attempted as root failed with this message. */
  mountError?: string;
  /** `<root>/instances` accepts a new directory (checked by access W_OK). */
  writable: boolean;
}

const NEEDS =
  'daemon.block needs a writable host tracefs at /sys/kernel/tracing with instances (run as root: the run mounts it with "mount -t tracefs nodev /sys/kernel/tracing")';

/** Null when tracefs can be used, else the exact reason (pure). */
export function tracefsUnavailableReason(f: TracefsFacts): string | null {
  if (f.mounted && f.writable) return null;
  if (!f.mounted && f.mountError !== undefined) return `${NEEDS}; mounting it failed: ${f.mountError}`;
  if (!f.mounted) return `${NEEDS}; it is not mounted and vblk-bench is not running as root`;
  return `${NEEDS}; ${HOST_TRACEFS}/instances is not writable${f.root ? '' : ' (not running as root)'}`;
}

const exists = (path: string, mode = constants.F_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  );

/** Finds host tracefs, mounting it when missing and root; the reason when it cannot be used. */
export async function ensureHostTracefs(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const instances = join(HOST_TRACEFS, 'instances');
  const root = process.getuid?.() === 0;
  const facts: TracefsFacts = { mounted: await exists(instances), root, writable: false };
  if (!facts.mounted && root) {
    // An argument array, no shell: the fixed mount of tracefs at its standard place.
    await promisify(execFile)('mount', ['-t', 'tracefs', 'nodev', HOST_TRACEFS]).catch((err: Error) => {
      facts.mountError = err.message.trim().split('\n').pop() ?? err.message;
    });
    facts.mounted = await exists(instances);
  }
  facts.writable = facts.mounted && (await exists(instances, constants.W_OK));
  const reason = tracefsUnavailableReason(facts);
  return reason === null ? { ok: true } : { ok: false, reason };
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes instances left by a vblk-bench that no longer runs (a SIGKILL skips every cleanup). */
async function sweepStale(): Promise<void> {
  const names = await readdir(join(HOST_TRACEFS, 'instances')).catch(() => [] as string[]);
  for (const name of names) {
    const m = new RegExp(`^${INSTANCE_PREFIX}(\\d+)-\\d+$`).exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])))
      await rmdir(join(HOST_TRACEFS, 'instances', name)).catch(() => undefined);
  }
}

export interface HostFtraceReading {
  text: string;
  /** The trace's full size; more than `text` when cut at the cap. */
  totalBytes: number;
  /** Per CPU: events lost to a full ring buffer (per_cpu/cpuN/stats `overrun`). */
  overruns: number[];
}

let instanceCount = 0;

export class HostFtraceInstance {
  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly forget: () => void,
  ) {}

  /** Where the daemon's log backend writes (`--trace file=`). */
  get marker(): string {
    return join(this.dir, 'trace_marker');
  }

  /** A new instance, tracing off, trace_clock mono, `bufferKb` per CPU. */
  static async create(bufferKb = DAEMON_TRACE_BUFFER_KB): Promise<HostFtraceInstance> {
    await sweepStale();
    const name = `${INSTANCE_PREFIX}${process.pid}-${++instanceCount}`;
    const dir = join(HOST_TRACEFS, 'instances', name);
    await mkdir(dir);
    const forget = onExit(() => rmdirSync(dir));
    const instance = new HostFtraceInstance(name, dir, forget);
    try {
      await instance.write('tracing_on', '0');
      await instance.write('trace_clock', 'mono');
      await instance.write('buffer_size_kb', String(bufferKb));
    } catch (err) {
      await instance.remove();
      throw err;
    }
    return instance;
  }

  private write(file: string, value: string): Promise<void> {
    return writeFile(join(this.dir, file), `${value}\n`);
  }

  /** Empties the buffer and switches tracing on. */
  async on(): Promise<void> {
    await this.write('trace', '');
    await this.write('tracing_on', '1');
  }

  async off(): Promise<void> {
    await this.write('tracing_on', '0');
  }

  /** The trace text cut at `capBytes` (at a line end), and the per-CPU overrun counters. */
  async read(capBytes: number): Promise<HostFtraceReading> {
    const cpus = (await readdir(join(this.dir, 'per_cpu')).catch(() => [] as string[]))
      .filter((d) => /^cpu\d+$/.test(d))
      .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    const overruns = await Promise.all(
      cpus.map(async (cpu) => {
        const stats = await readFile(join(this.dir, 'per_cpu', cpu, 'stats'), 'utf8');
        return Number(/^overrun: *(\d+)/m.exec(stats)?.[1] ?? 0);
      }),
    );
    // tracefs files report size 0: read until EOF, keeping at most the cap.
    const handle = await open(join(this.dir, 'trace'), 'r');
    const chunks: Buffer[] = [];
    let kept = 0;
    let totalBytes = 0;
    try {
      for (;;) {
        const buf = Buffer.alloc(1024 * 1024);
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        totalBytes += bytesRead;
        const take = Math.min(bytesRead, capBytes - kept);
        if (take > 0) chunks.push(buf.subarray(0, take));
        kept += Math.max(0, take);
      }
    } finally {
      await handle.close();
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return { text: totalBytes > kept ? text.slice(0, text.lastIndexOf('\n') + 1) : text, totalBytes, overruns };
  }

  /** Off and gone; the daemon holding `trace_marker` open must have exited first (else EBUSY). */
  async remove(): Promise<void> {
    await this.write('tracing_on', '0').catch(() => undefined);
    await rmdir(this.dir);
    this.forget();
  }
}
