/**
 * Where things live inside one results directory. Pure path arithmetic, so
 * every reader and writer agrees without talking to each other.
 *
 *   run.json                 manifest: schemaVersion, status, times, accel, warnings
 *   profile.json             the resolved profile (defaults filled in)
 *   environment.json         the measurement environment fingerprint
 *   plan.json                groups, cells, pruned cells with reasons, visit order
 *   samples/NNNN-….json      one Sample per measured repetition of one cell
 *   raw/NNNN-….fio.json      fio's own JSON for that sample, untouched
 *   boots/<bootId>/          serial.log, qemu.stderr.log, qemu.argv.json, boot.json, activity.jsonl
 *   pids/<pid>.json          one per live child process (removed when it exits)
 *   traces/<cell>/           one traced (never measured) run of a cell: raw trace text, latency.json;
 *                            not samples — outside statistics, gate, merge, resume and every index
 *   summary.json             every sample record without insight (run-summary.ts), when the run finished
 *   .lock                    held by the run (or resume) writing this directory
 */
import { join } from 'node:path';

export const RUN_FILE = 'run.json';
export const PROFILE_FILE = 'profile.json';
export const ENVIRONMENT_FILE = 'environment.json';
export const PLAN_FILE = 'plan.json';
export const SAMPLES_DIR = 'samples';
export const RAW_DIR = 'raw';
export const BOOTS_DIR = 'boots';
export const PIDS_DIR = 'pids';
export const TRACES_DIR = 'traces';
/** The per-layer latency map of a traced run (src/model/latency.ts: CellLatency). */
export const LATENCY_FILE = 'latency.json';
/** traces/<cell>/failed.json: why a cell's traced pass produced no latency.json (a guest command timed out, …). */
export const TRACE_FAILURE_FILE = 'failed.json';
/** What `repetitions: auto` decided and where its rounds stopped (src/model/schemas/adaptive.ts). */
export const ADAPTIVE_FILE = 'adaptive.json';
export const RUN_LOCK_FILE = '.lock';
/** The run summary (src/store/run-summary.ts): a cache of the sample files, never trusted over them. */
export const SUMMARY_FILE = 'summary.json';

/** A file-name-safe form of a cell key: `backend=virtio-blk,iodepth=4` → `backend-virtio-blk_iodepth-4`. */
export function cellSlug(cellKey: string): string {
  return cellKey
    .replace(/=/g, '-')
    .replace(/,/g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '');
}

export function sampleBaseName(seq: number, cellKey: string, repetition: number): string {
  return `${String(seq).padStart(4, '0')}-${cellSlug(cellKey)}-r${repetition}`;
}

export function samplePath(runDir: string, base: string): string {
  return join(runDir, SAMPLES_DIR, `${base}.json`);
}

/** Relative to the run directory: stored inside the Sample so the run can be moved. */
export function rawFioRelPath(base: string): string {
  return join(RAW_DIR, `${base}.fio.json`);
}

export function bootDir(runDir: string, bootId: string): string {
  return join(runDir, BOOTS_DIR, bootId);
}

/** Where the traced run of one cell keeps its trace text and latency.json. */
export function traceDir(runDir: string, cellKey: string): string {
  return join(runDir, TRACES_DIR, cellSlug(cellKey));
}

/** `quick-20261126T051500Z`: sortable, unique per second, safe in paths. */
export function runDirName(profileName: string, startedAt: Date): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${profileName}-${stamp}`;
}
