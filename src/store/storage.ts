/**
 * Storage problems of a results directory: checked before anything boots
 * (writable? room for what the plan will write?), recognised mid-run (a full
 * disk stops the run cleanly), and what was measured but could not be stored
 * is rescued to another filesystem — or printed — instead of being lost.
 */
import { mkdir, open, rm, stat, statfs, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { HostError } from '../model/errors.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { SAMPLES_DIR } from './layout.js';
import { SampleWriteError, type UnsavedSample } from './run-writer.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** errno codes that mean "the disk cannot take more": the run stops instead of failing cell after cell. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export function errnoCode(err: unknown): string | undefined {
  const inner = err instanceof SampleWriteError ? err.failure : err;
  const code = (inner as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isStorageFull(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && FULL_CODES.has(code);
}

/**
 * A generous upper bound of what a run writes into its results directory:
 * each sample (record + raw fio JSON, about 8 KiB today) and each boot
 * (serial console, QEMU stderr, argv, timings: a few KiB with a quiet kernel,
 * more with per-cell evidence) with a wide margin.
 */
export function estimateResultsBytes(samples: number, boots: number): number {
  return 256 * KiB + samples * 64 * KiB + boots * 512 * KiB;
}

export function formatBytes(n: number): string {
  if (n >= 10 * MiB) return `${Math.round(n / MiB)} MiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${Math.ceil(n / KiB)} KiB`;
}

async function freeBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return s.bavail * s.bsize;
}

/** `dir` has at least `needBytes` free, or a HostError says how much is missing. */
export async function checkFreeSpace(dir: string, needBytes: number, what: string, hint: string): Promise<void> {
  const free = await freeBytes(dir);
  if (free < needBytes) {
    throw new HostError(
      `not enough free space in ${dir} for ${what}: ${formatBytes(free)} free, about ${formatBytes(needBytes)} needed`,
      hint,
    );
  }
}

/**
 * The results location can be created, written (a probe file with fsync)
 * and has room for the estimate. Runs before anything boots.
 */
export async function checkResultsLocation(dir: string, needBytes: number, what: string): Promise<void> {
  const hint = 'free some space there, or choose another parent directory with --out';
  const fail = (action: string, err: unknown): never => {
    const code = errnoCode(err) ?? (err as Error).message;
    throw new HostError(
      `results directory ${dir}: cannot ${action} (${code})`,
      isStorageFull(err) ? hint : 'check its permissions, or choose another parent directory with --out',
    );
  };
  await mkdir(dir, { recursive: true }).catch((err) => fail('create it', err));
  const probe = join(dir, `.vblk-bench-probe-${process.pid}`);
  try {
    const fh = await open(probe, 'w', 0o600);
    try {
      await fh.writeFile(Buffer.alloc(4 * KiB));
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await unlink(probe).catch(() => undefined);
    fail('write to it', err);
  }
  await unlink(probe).catch(() => undefined);
  await checkFreeSpace(dir, needBytes, what, hint);
}

/** Where rescued samples may go: temporary directories on another filesystem than the results. */
async function rescueCandidates(runDir: string): Promise<string[]> {
  const runDev = await stat(runDir).then(
    (s) => s.dev,
    () => -1,
  );
  const out: string[] = [];
  for (const dir of [...new Set([tmpdir(), '/dev/shm', '/var/tmp'])]) {
    const dev = await stat(dir).then(
      (s) => s.dev,
      () => null,
    );
    if (dev !== null && dev !== runDev) out.push(dir);
  }
  return out;
}

/**
 * Writes samples that could not be stored to a directory laid out like a
 * results directory (samples/, raw/), on another filesystem. Returns it, or
 * null when no place would take them (the caller then prints them).
 */
export async function rescueSamples(runDir: string, unsaved: UnsavedSample[]): Promise<string | null> {
  for (const parent of await rescueCandidates(runDir)) {
    const dir = join(parent, `vblk-bench-rescue-${basename(runDir)}-${process.pid}`);
    try {
      for (const u of unsaved) {
        if (u.record.rawFioPath) await writeJsonAtomic(join(dir, u.record.rawFioPath), u.rawFio);
        await writeJsonAtomic(join(dir, SAMPLES_DIR, `${u.base}.json`), u.record);
      }
      return dir;
    } catch {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  return null;
}

/** The last resort: one JSON line per unsaved sample, for stderr. */
export function unsavedAsJsonLines(unsaved: UnsavedSample[]): string[] {
  return unsaved.map((u) =>
    JSON.stringify({
      file: join(SAMPLES_DIR, `${u.base}.json`),
      sample: u.record,
      rawFioFile: u.record.rawFioPath,
      rawFio: u.rawFio,
    }),
  );
}
