/**
 * What a run leaves behind if vblk-bench itself is SIGKILLed (no handler
 * runs then), and how the next start cleans it up:
 *
 *  - `<results dir>/pids/<pid>.json`: one file per live child (QEMU, storage
 *    daemons, helpers — whatever registers in src/vm/children.ts), with its
 *    process start time; removed when the child exits;
 *  - `<lock dir>/runs/<pid>-<start>.json`: the host-wide list of runs in
 *    progress, with their results directory and temporary files (the tmpfs
 *    backing file), removed when the run ends.
 *
 * The sweep (run while holding the host lock) takes every entry whose owner
 * is gone and kills each recorded child only after checking it really is
 * that child: same pid AND same start time, AND its command line names the
 * results directory or its environment carries VBLK_BENCH_RUN_DIR of it.
 * A pid reused by an unrelated process is left alone.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeJsonAtomicSync } from '../util/atomic-file.js';
import { watchChildren } from '../vm/children.js';
import { BOOTS_DIR, PIDS_DIR } from '../store/layout.js';
import { onExit } from './exit-guard.js';
import {
  isAlive,
  processCmdline,
  processEnviron,
  processStartTicks,
  selfIdentity,
  waitGone,
  type ProcessIdentity,
} from './proc.js';

/** Set in vblk-bench's environment during a run, so every child inherits it: marks children as the run's. */
export const RUN_DIR_ENV = 'VBLK_BENCH_RUN_DIR';
/** Temporary files vblk-bench creates are named like this; the sweep removes nothing else. */
const TEMP_FILE_PREFIX = 'vblk-bench-';

export interface ChildRecord extends ProcessIdentity {
  label: string;
  runDir: string;
  owner: ProcessIdentity;
  startedAt: string;
}

export interface RegistryEntry {
  owner: ProcessIdentity;
  runDir: string;
  startedAt: string;
  tempPaths: string[];
}

function readJsonSync<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Removes the socket files in one directory (QEMU leaves its QMP socket behind when it is killed). */
export function removeSocketsIn(dir: string): string[] {
  const removed: string[] = [];
  for (const name of listDir(dir)) {
    const path = join(dir, name);
    try {
      if (lstatSync(path).isSocket()) {
        unlinkSync(path);
        removed.push(path);
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}

/** Removes the socket files in every boot directory of a run. */
function removeSockets(runDir: string): string[] {
  const boots = join(runDir, BOOTS_DIR);
  return listDir(boots).flatMap((boot) => removeSocketsIn(join(boots, boot)));
}

/** Whether a live process is the child the record describes (not a later process that reuses its pid). */
function isRecordedChild(rec: ChildRecord): boolean {
  if (processStartTicks(rec.pid) !== rec.startTicks) return false;
  const cmdline = processCmdline(rec.pid) ?? [];
  if (cmdline.some((arg) => arg.includes(rec.runDir))) return true;
  return (processEnviron(rec.pid) ?? []).includes(`${RUN_DIR_ENV}=${rec.runDir}`);
}

/**
 * The lifecycle records of one run in progress. `close()` on a normal end;
 * at process exit the records are removed too (children are killed by the
 * exit guard first).
 */
export class RunLifecycle {
  private readonly entryPath: string;
  private readonly entry: RegistryEntry;
  private readonly pidsDir: string;
  private readonly unwatch: () => void;
  private readonly forgetExit: () => void;
  private closed = false;

  private constructor(registryDir: string, runDir: string) {
    const owner = selfIdentity();
    this.entryPath = join(registryDir, `${owner.pid}-${owner.startTicks}.json`);
    this.entry = { owner, runDir, startedAt: new Date().toISOString(), tempPaths: [] };
    this.pidsDir = join(runDir, PIDS_DIR);
    mkdirSync(this.pidsDir, { recursive: true });
    mkdirSync(registryDir, { recursive: true });
    writeJsonAtomicSync(this.entryPath, this.entry);
    process.env[RUN_DIR_ENV] = runDir;
    this.unwatch = watchChildren((child, event) => {
      const path = join(this.pidsDir, `${child.pid}.json`);
      if (event === 'exited') return unlinkQuiet(path);
      const startTicks = processStartTicks(child.pid);
      if (!startTicks) return; // already gone
      const rec: ChildRecord = {
        pid: child.pid,
        startTicks,
        label: child.label,
        runDir,
        owner,
        startedAt: new Date().toISOString(),
      };
      writeJsonAtomicSync(path, rec);
    });
    this.forgetExit = onExit(() => this.closeSync());
  }

  /** Starts recording for `runDir`; `registryDir` is the host-wide list of runs (under the lock directory). */
  static start(registryDir: string, runDir: string): RunLifecycle {
    return new RunLifecycle(registryDir, runDir);
  }

  /** A temporary file of this run: removed at the end, at exit, or by the next start's sweep. */
  trackTemp(path: string): void {
    if (!basename(path).startsWith(TEMP_FILE_PREFIX))
      throw new Error(`temporary files must be named ${TEMP_FILE_PREFIX}*: ${path}`);
    this.entry.tempPaths.push(path);
    writeJsonAtomicSync(this.entryPath, this.entry);
  }

  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.forgetExit();
    for (const p of this.entry.tempPaths) unlinkQuiet(p);
    removeSockets(this.entry.runDir);
    try {
      rmdirSync(this.pidsDir); // only when empty: a pid file left means a child we could not end
    } catch {
      /* not empty or gone */
    }
    unlinkQuiet(this.entryPath);
    if (process.env[RUN_DIR_ENV] === this.entry.runDir) delete process.env[RUN_DIR_ENV];
  }

  /** Normal end of the run (children have been stopped). */
  close(): void {
    this.closeSync();
  }
}

export interface SweepReport {
  /** One line per action, for the log. */
  actions: string[];
}

/**
 * Kills the recorded children of `runDir` whose owner (the vblk-bench that
 * started them) is gone and that really are those children, then removes
 * their pid files and the directory's sockets. Records of a live owner are
 * left as they are.
 */
export async function sweepRunDir(runDir: string): Promise<SweepReport> {
  const actions: string[] = [];
  const pidsDir = join(runDir, PIDS_DIR);
  for (const name of listDir(pidsDir).filter((n) => n.endsWith('.json'))) {
    const path = join(pidsDir, name);
    const rec = readJsonSync<ChildRecord>(path);
    if (rec?.owner && isAlive(rec.owner)) continue; // its run is still going
    if (rec && typeof rec.pid === 'number') {
      if (isRecordedChild(rec)) {
        try {
          process.kill(rec.pid, 'SIGKILL');
        } catch {
          /* ended meanwhile */
        }
        const gone = await waitGone(rec, 3000);
        actions.push(
          `killed leftover ${rec.label} pid ${rec.pid} of ${rec.runDir}${gone ? '' : ' (still there after SIGKILL)'}`,
        );
      } else if (processStartTicks(rec.pid) !== null) {
        actions.push(`pid ${rec.pid} (recorded as ${rec.label} of ${rec.runDir}) is now another process: left alone`);
      }
    }
    unlinkQuiet(path);
  }
  try {
    rmdirSync(pidsDir);
  } catch {
    /* not empty or absent */
  }
  for (const s of removeSockets(runDir)) actions.push(`removed stale socket ${s}`);
  return { actions };
}

/** Sweeps every run in the host-wide registry whose owner is gone. Call while holding the host lock. */
export async function sweepStaleRuns(registryDir: string): Promise<SweepReport> {
  const actions: string[] = [];
  for (const name of listDir(registryDir).filter((n) => n.endsWith('.json'))) {
    const path = join(registryDir, name);
    const entry = readJsonSync<RegistryEntry>(path);
    if (entry?.owner && isAlive(entry.owner)) continue;
    if (entry && typeof entry.runDir === 'string') {
      actions.push(`run ${entry.runDir} (vblk-bench pid ${entry.owner?.pid}) ended without cleaning up; sweeping`);
      actions.push(...(await sweepRunDir(entry.runDir)).actions);
      for (const temp of entry.tempPaths ?? []) {
        if (!basename(temp).startsWith(TEMP_FILE_PREFIX)) continue;
        try {
          unlinkSync(temp);
          actions.push(`removed leftover temporary file ${temp}`);
        } catch {
          /* already gone */
        }
      }
    }
    unlinkQuiet(path);
  }
  return { actions };
}
