/**
 * Exclusive locks as files: created complete-or-not-at-all (write a private
 * temp file, then link(2) it to the lock name — link fails if the name
 * exists), holding the holder's pid, process start time, host and purpose.
 *
 * A lock whose holder is gone (no process with that pid and start time on
 * this host) is stale and taken over. The takeover itself is serialised by a
 * `<lock>.takeover` directory (mkdir is atomic), and only removes the exact
 * lock content that was judged stale, so two processes finding the same
 * stale lock cannot both end up holding it.
 */
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAlive, selfIdentity, type ProcessIdentity } from './proc.js';
import { onExit } from './exit-guard.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

export interface LockRecord extends ProcessIdentity {
  hostname: string;
  /** When the holder took the lock (ISO). */
  since: string;
  /** What the holder is doing, for the message the next run prints. */
  purpose: string;
  /** The holder's results directory, once it has one. */
  runDir?: string;
}

/** Another live process holds the lock (exit code 4). */
export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockRecord,
    readonly waitedMs: number,
  ) {
    super(
      `another vblk-bench run holds ${lockPath}: ${describeHolder(holder)}${waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : ''}`,
    );
    this.name = 'LockHeldError';
  }
}

export function describeHolder(h: LockRecord): string {
  const where = h.hostname === hostname() ? '' : ` on host ${h.hostname}`;
  return `pid ${h.pid}${where}, started ${h.since}, ${h.purpose}${h.runDir ? `, results ${h.runDir}` : ''}`;
}

export interface HeldLock {
  readonly path: string;
  readonly record: LockRecord;
  /** Records more about what the holder does (e.g. its results directory once created). */
  update(patch: Partial<Pick<LockRecord, 'purpose' | 'runDir'>>): void;
  /** Removes the lock if it is still ours. Idempotent; also runs at process exit. */
  release(): void;
}

export interface AcquireOptions {
  purpose: string;
  runDir?: string;
  /** How long to wait for a live holder: 0 = not at all, Infinity = until it ends. */
  waitMs: number;
  /** Aborting stops the wait (the abort reason is thrown). */
  signal?: AbortSignal;
  /** Called once, when the lock is found held and we start waiting. */
  onWait?: (holder: LockRecord) => void;
  /** Called when a stale lock is taken over. */
  onTakeover?: (stale: string) => void;
  pollMs?: number;
}

/** A damaged lock file (not written by us: ours are created whole) counts as stale after this long. */
const CORRUPT_GRACE_MS = 5_000;
/** A takeover marker older than this belongs to a process that died mid-takeover. */
const TAKEOVER_STALE_MS = 10_000;

type Observed =
  | { kind: 'missing' }
  | { kind: 'held'; text: string; record: LockRecord }
  | { kind: 'corrupt'; text: string; ageMs: number };

function parseRecord(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (typeof r.pid !== 'number' || typeof r.startTicks !== 'string' || typeof r.hostname !== 'string') return null;
    return { since: '?', purpose: '?', ...r } as LockRecord;
  } catch {
    return null;
  }
}

function observe(path: string): Observed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  const record = parseRecord(text);
  if (record) return { kind: 'held', text, record };
  let ageMs = 0;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return { kind: 'missing' };
  }
  return { kind: 'corrupt', text, ageMs };
}

/** Why the observed lock is stale, or null when its holder may still be running. */
function staleness(o: Observed): string | null {
  if (o.kind === 'corrupt') return o.ageMs > CORRUPT_GRACE_MS ? 'its content is damaged' : null;
  if (o.kind !== 'held') return null;
  // Another host's process cannot be checked from here: assume it is alive.
  if (o.record.hostname !== hostname()) return null;
  return isAlive(o.record) ? null : `its holder (${describeHolder(o.record)}) is no longer running`;
}

const recordText = (record: LockRecord): string => JSON.stringify(record, null, 2) + '\n';

/** Creates the lock whole, or returns false when it exists: link(2) of a private file never replaces a name. */
function tryCreate(path: string, record: LockRecord): boolean {
  const tmp = `${path}.${record.pid}.${record.startTicks}.tmp`;
  writeFileSync(tmp, recordText(record), { mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Removes the lock if it still holds exactly `staleText`; serialised by the takeover marker. */
function removeStale(path: string, staleText: string): void {
  const marker = `${path}.takeover`;
  try {
    mkdirSync(marker);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(marker).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(marker);
    } catch {
      /* someone else cleaned it */
    }
    return; // someone else is taking over right now: look again
  }
  try {
    let current: string | null = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* gone already */
    }
    if (current === staleText) unlinkSync(path);
  } finally {
    rmdirSync(marker);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function acquireLock(path: string, opts: AcquireOptions): Promise<HeldLock> {
  const me = selfIdentity();
  let record: LockRecord = { ...me, hostname: hostname(), since: new Date().toISOString(), purpose: opts.purpose };
  if (opts.runDir) record.runDir = opts.runDir;
  const started = Date.now();
  let told = false;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (tryCreate(path, record)) break;
    const seen = observe(path);
    if (seen.kind === 'missing') continue;
    const stale = staleness(seen);
    if (stale) {
      removeStale(path, seen.text);
      opts.onTakeover?.(`${path}: taking over a stale lock: ${stale}`);
      continue;
    }
    const waited = Date.now() - started;
    const holder =
      seen.kind === 'held'
        ? seen.record
        : { pid: 0, startTicks: '?', hostname: '?', since: '?', purpose: 'a lock being written' };
    if (holder.pid === me.pid && holder.startTicks === me.startTicks) {
      throw new Error(`${path} is already held by this process`);
    }
    if (waited >= opts.waitMs) throw new LockHeldError(path, holder, waited);
    if (!told) {
      told = true;
      opts.onWait?.(holder);
    }
    await sleep(Math.min(opts.pollMs ?? 500, Math.max(1, opts.waitMs - waited)), opts.signal);
  }

  const ours = (): boolean => {
    const now = observe(path);
    return now.kind === 'held' && now.record.pid === me.pid && now.record.startTicks === me.startTicks;
  };
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    forget();
    if (ours()) unlinkSync(path);
  };
  const forget = onExit(release);
  return {
    path,
    get record() {
      return record;
    },
    update(patch) {
      if (released || !ours()) return;
      record = { ...record, ...patch };
      // replaced atomically: readers see the old record or the new one, never none.
      writeFileAtomicSync(path, recordText(record), { mode: 0o644 });
    },
    release,
  };
}
