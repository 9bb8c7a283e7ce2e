/**
 * `vblk-bench import <fio JSON files...>` (cli/commands/import.ts): fio output produced elsewhere (fio
 * 2.x `clat` in µs or 3.x `clat_ns`; notes or errors before the JSON; several
 * jobs or group_reporting — all parsed by src/guest/fio-result.ts) becomes a
 * results directory that `report`, `compare` and `gate` accept. Configuration
 * labels come from `--label axis=value` and/or a mapping file:
 *
 *   name: legacy-2011            # profile name of the imported run
 *   accel: kvm                   # what the measurements ran under (default kvm)
 *   labels: {backend: virtio-blk}
 *   files:
 *     - match: "*ioeventfd-off*"  # glob (* ?) on the file's path
 *       labels: {ioeventfd: off}
 *
 * `iodepth` is taken from fio's own job options unless labelled. Files with the
 * same labels become repetitions of one cell. A file that cannot be read is
 * named with the reason; the others are imported (exit 3).
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { AXES, axisByName } from '../profile/axes.js';
import { capProblems, looksLikeAnotherFile, parseYaml } from '../profile/load.js';
import { FileProblem, readRegularFile } from '../util/file-read.js';
import { MAX_FILE_BYTES } from './stored-file.js';
import { formatIssues } from '../profile/issues.js';
import { SAFE, PATTERN_HINT } from '../profile/patterns.js';
import { parseFioOutput, fioSummaryToMetrics } from '../guest/fio-result.js';
import { cellKeyOf } from '../model/cell-key.js';
import type { Accel, AxisValue, CellValues } from '../model/sample.js';
import { RunWriter } from './run-writer.js';
import { runDirName } from './layout.js';
import { InputError } from '../model/errors.js';
import { TOOL_VERSION } from '../util/version.js';
import type { RunWarning } from '../model/diagnostic.js';

const LabelValue = z.union([z.string(), z.number(), z.boolean()]);
const Labels = z.record(z.string(), LabelValue);

const MappingSchema = z.strictObject({
  name: z
    .string()
    .regex(SAFE.name, { error: `expected ${PATTERN_HINT.name}` })
    .optional(),
  accel: z.enum(['kvm', 'tcg'], { error: 'expected kvm or tcg' }).optional(),
  labels: Labels.optional(),
  files: z.array(z.strictObject({ match: z.string().min(1), labels: Labels })).optional(),
});
export type Mapping = z.infer<typeof MappingSchema>;

/** `*` and `?` glob on a whole path or its base name. */
export function globMatches(pattern: string, path: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(path) || re.test(basename(path));
}

/** A mapping file (`--map`): a regular file of at most 1 MiB, validated; problems capped, content never echoed. */
async function loadMapping(path: string): Promise<Mapping> {
  let text: string;
  try {
    text = await readRegularFile(path, MAX_FILE_BYTES.mapping);
  } catch (err) {
    if (err instanceof FileProblem)
      throw new InputError(`${path}: ${err.problem === 'missing' ? 'no such file' : err.problem}`);
    throw err;
  }
  try {
    const data = parseYaml(text) ?? {};
    const known = Object.keys(MappingSchema.shape);
    if (looksLikeAnotherFile(data, known, 'files'))
      throw new InputError(`(top level): not a mapping file: most of its top-level keys are not ${known.join(', ')}`);
    const result = MappingSchema.safeParse(data);
    if (!result.success) throw new InputError(capProblems(formatIssues(result.error.issues)));
    return result.data;
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.lines.map((l) => `${path}: ${l}`));
    throw err;
  }
}

/** `key=value` → [key, value]. */
function parseLabel(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--label: expected axis=value, got ${JSON.stringify(text)}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Validated effective and requested values of one label, through the axis's own profile schema. */
export function labelValue(
  axis: string,
  value: unknown,
  where: string,
): { value: AxisValue; requested: AxisValue; notice?: string } {
  const def = axisByName(axis);
  if (!def)
    throw new InputError(
      `${where}: unknown axis ${JSON.stringify(axis)} (axes: ${AXES.map((a) => a.name).join(', ')})`,
    );
  let parsed = def.entrySchema.safeParse(value);
  if (!parsed.success && typeof value === 'string' && /^\d+$/.test(value))
    parsed = def.entrySchema.safeParse(Number(value));
  if (!parsed.success)
    throw new InputError(
      `${where}: ${axis}: ${formatIssues(parsed.error.issues)
        .map((l) => l.replace(/^\(top level\): /, ''))
        .join('; ')}`,
    );
  const requested = parsed.data.requested;
  const eff = def.effective(requested);
  return { value: eff.value, requested, ...(eff.notice ? { notice: eff.notice } : {}) };
}

/** fio's own iodepth for the first job (job options, then global options), if it states one. */
function fioIodepth(raw: unknown): number | undefined {
  const doc = raw as {
    jobs?: { 'job options'?: Record<string, unknown> }[];
    'global options'?: Record<string, unknown>;
  };
  const v = doc.jobs?.[0]?.['job options']?.iodepth ?? doc['global options']?.iodepth;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** 9999-12-31: the last time an ISO 8601 timestamp with a four-digit year can say. */
const LATEST_MS = Date.UTC(9999, 11, 31);

export interface ImportedFile {
  path: string;
  cell: CellValues;
  requested: CellValues;
  notices: string[];
  startedAt: string;
  finishedAt: string;
  metrics: ReturnType<typeof fioSummaryToMetrics>;
  raw: unknown;
}

/** One fio output file: a regular file of at most 64 MiB; its content is never quoted in a problem. */
async function readFioFile(path: string, labels: Record<string, unknown>): Promise<ImportedFile> {
  const text = await readRegularFile(path, MAX_FILE_BYTES.fioInput).catch((err: unknown) => {
    if (err instanceof FileProblem) throw new Error(err.problem === 'missing' ? 'no such file' : err.problem);
    throw err;
  });
  const parsed = parseFioOutput(text, { quoteOutput: false });
  const all: Record<string, unknown> = { ...labels };
  if (all.iodepth === undefined) all.iodepth = fioIodepth(parsed.raw) ?? 1;
  const cell: CellValues = {};
  const requested: CellValues = {};
  const notices = [...parsed.notes];
  for (const axis of AXES) {
    if (all[axis.name] === undefined) continue;
    const v = labelValue(axis.name, all[axis.name], path);
    cell[axis.name] = v.value;
    requested[axis.name] = v.requested;
    if (v.notice) notices.push(v.notice);
  }
  for (const key of Object.keys(all)) if (!axisByName(key)) labelValue(key, all[key], path);
  const doc = parsed.raw as { timestamp_ms?: unknown; timestamp?: unknown };
  // fio's own clock when it is a plausible epoch time, else the file's modification time.
  const plausible = (ms: unknown): ms is number => typeof ms === 'number' && ms > 0 && ms < LATEST_MS;
  const seconds = typeof doc.timestamp === 'number' ? doc.timestamp * 1000 : undefined;
  const endMs = [doc.timestamp_ms, seconds].find(plausible) ?? (await stat(path)).mtimeMs;
  const startMs = Math.max(0, endMs - parsed.summary.runtimeMs);
  return {
    path,
    cell,
    requested,
    notices,
    startedAt: new Date(startMs).toISOString(),
    finishedAt: new Date(endMs).toISOString(),
    metrics: fioSummaryToMetrics(parsed.summary),
    raw: parsed.raw,
  };
}

/** Labels for one file: mapping defaults, then every matching `files` entry in order, then --label. */
export function labelsFor(path: string, mapping: Mapping, cliLabels: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(mapping.labels ?? {}) };
  for (const f of mapping.files ?? []) if (globMatches(f.match, path)) Object.assign(out, f.labels);
  return { ...out, ...cliLabels };
}

export interface ImportOptions {
  label?: string[];
  map?: string;
  name?: string;
  accel?: string;
  out: string;
}

export async function importFiles(
  files: readonly string[],
  options: ImportOptions,
): Promise<{ dir: string; imported: number; failed: string[] }> {
  const mapping = options.map ? await loadMapping(options.map) : {};
  const cliLabels = Object.fromEntries((options.label ?? []).map(parseLabel));
  for (const [k, v] of Object.entries(cliLabels)) labelValue(k, v, '--label');
  const name = options.name ?? mapping.name ?? 'imported';
  if (!SAFE.name.test(name)) throw new InputError(`--name: expected ${PATTERN_HINT.name}, got ${JSON.stringify(name)}`);
  const accelText = options.accel ?? mapping.accel ?? 'kvm';
  if (accelText !== 'kvm' && accelText !== 'tcg')
    throw new InputError(`--accel: expected kvm or tcg, got ${accelText}`);
  const accel: Accel = accelText;

  const ok: ImportedFile[] = [];
  const failed: string[] = [];
  for (const path of files) {
    try {
      ok.push(await readFioFile(path, labelsFor(path, mapping, cliLabels)));
    } catch (err) {
      if (err instanceof InputError) throw err;
      failed.push(`${path}: ${(err as Error).message}`);
    }
  }
  if (ok.length === 0) throw new InputError(failed.length ? failed : 'no files given');

  ok.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const startedAt = new Date();
  const dir = resolve(options.out, runDirName(name, startedAt));
  const warnings: RunWarning[] = [
    { kind: 'ImportedRun', files: ok.length, accel, accelStated: Boolean(options.accel ?? mapping.accel) },
    ...failed.map((file): RunWarning => ({ kind: 'ImportFileSkipped', file })),
  ];
  const writer = await RunWriter.create(dir, {
    tool: { name: 'vblk-bench', version: TOOL_VERSION },
    profileName: name,
    profilePath: options.map ? resolve(options.map) : null,
    startedAt: startedAt.toISOString(),
    accel,
    warnings,
    plannedSamples: ok.length,
  });
  const fioVersions = [...new Set(ok.map((f) => (f.raw as { 'fio version'?: string })['fio version'] ?? 'unknown'))];
  await writer.writeProfile({ name, imported: true, mapping, labels: cliLabels });
  await writer.writePlan({
    imported: true,
    files: ok.map((f) => ({ path: resolve(f.path), cellKey: cellKeyOf(f.cell) })),
    failed,
  });
  await writer.writeEnvironment({ accel, imported: true, fio: fioVersions.join(', '), tool: TOOL_VERSION });
  const reps = new Map<string, number>();
  for (const f of ok) {
    const cellKey = cellKeyOf(f.cell);
    const repetition = reps.get(cellKey) ?? 0;
    reps.set(cellKey, repetition + 1);
    const stored = await writer.writeSample(
      {
        cellKey,
        cell: f.cell,
        requested: f.requested,
        groupId: 'import',
        bootId: 'import',
        repetition,
        startedAt: f.startedAt,
        finishedAt: f.finishedAt,
        status: 'ok',
        accel,
        metrics: f.metrics,
        observed: {},
        notices: [`imported from ${basename(f.path)}`, ...f.notices],
      },
      f.raw,
    );
    // The writer stores values no device produces as `invalid` (model/metric-limits.ts): say so, never exit 0 on them.
    if (stored.status !== 'ok') failed.push(`${f.path}: stored invalid: ${stored.reason ?? ''}`);
  }
  await writer.finish({ complete: true });
  return { dir, imported: ok.length, failed };
}
