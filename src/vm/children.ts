/**
 * Every host process vblk-bench starts (QEMU, later qemu-storage-daemon) is
 * registered here, so the CLI can end them all on SIGINT/SIGTERM/uncaught
 * errors. Entries unregister themselves when the process exits.
 */

export interface ChildHandle {
  pid: number;
  /** What it is, for messages: `qemu vblk-g1`. */
  label: string;
  /** Sends a signal; false if the process is already gone. */
  kill(signal: NodeJS.Signals): boolean;
  /** Settles once the process has exited and been reaped. */
  exited: Promise<unknown>;
}

const children = new Map<number, ChildHandle>();

/** Told about every child as it is registered and as it exits (e.g. to keep pid files: src/lifecycle). */
export type ChildWatcher = (child: ChildHandle, event: 'started' | 'exited') => void;
const watchers = new Set<ChildWatcher>();

/** Subscribes to child start/exit; returns the unsubscribe function. */
export function watchChildren(watcher: ChildWatcher): () => void {
  watchers.add(watcher);
  return () => {
    watchers.delete(watcher);
  };
}

function notify(child: ChildHandle, event: 'started' | 'exited'): void {
  for (const w of watchers) {
    try {
      w(child, event);
    } catch {
      // a watcher's failure (e.g. a full disk for pid files) must not break process handling
    }
  }
}

export function registerChild(child: ChildHandle): void {
  children.set(child.pid, child);
  notify(child, 'started');
  const forget = () => {
    if (children.get(child.pid) === child) children.delete(child.pid);
    notify(child, 'exited');
  };
  child.exited.then(forget, forget);
}

export function liveChildren(): ChildHandle[] {
  return [...children.values()];
}

const settledWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    p.then(done, done);
  });

/**
 * Ends every registered child: SIGTERM, up to `graceMs` to exit, then SIGKILL
 * and wait until reaped. Resolves with the labels of the children it ended.
 */
export async function killAllChildren(opts: { graceMs?: number; killWaitMs?: number } = {}): Promise<string[]> {
  const graceMs = opts.graceMs ?? 2000;
  const list = liveChildren();
  await Promise.all(
    list.map(async (child) => {
      child.kill('SIGTERM');
      if (await settledWithin(child.exited, graceMs)) return;
      child.kill('SIGKILL');
      await settledWithin(child.exited, opts.killWaitMs ?? 5000);
    }),
  );
  return list.map((c) => `${c.label} (pid ${c.pid})`);
}

/** Synchronous last resort for `process.on('exit')`: SIGKILL everything still registered. */
export function killAllChildrenSync(): void {
  for (const child of children.values()) child.kill('SIGKILL');
}
