/**
 * Seeded damage to a real results directory (test/e2e/reader-fuzz.test.ts):
 * files deleted, duplicated, truncated, filled with garbage, made huge,
 * nested a million deep, replaced by FIFOs, directories or symbolic links to
 * a planted file outside; fields set to null, arrays, wrong types, negative,
 * huge or non-finite values; paths with `..`. Each mutation says which stored
 * files it damages, so the suite knows which commands must not exit 0.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt, type Rng } from '../../src/util/prng.js';

/** What a mutation breaks: the records every reader needs, or what only some commands read. */
export type Damage = 'records' | 'raw' | 'boots' | 'calibration' | 'latency' | 'none';

export interface Mutation {
  what: string;
  damages: Damage;
  /** Applies the damage inside `run`; returns 'none' when the file had nothing to damage (e.g. a field it lacks). */
  apply(run: string): Promise<Damage | void>;
}

/** Where a mutation may reach outside the results directory: files with the marker, which no output may ever show. */
export interface Outside {
  dir: string;
  marker: string;
  /** A valid-looking sample, fio document and text, each full of the marker. */
  sampleFile: string;
  fioFile: string;
  textFile: string;
  /** A directory of valid-looking samples carrying the marker. */
  samplesDir: string;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, items.length)]!;

/** Placeholders written as raw JSON text (JSON.stringify cannot say them). */
const INFINITY = '__INFINITY__';
const DELETE = Symbol('delete');
type Bad = unknown;

/** Field paths (dot-separated; `(root)` is the document) and values that no reader may accept there. */
const SAMPLE_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x', 5]],
  ['schemaVersion', [2, '1', null, DELETE]],
  ['cellKey', [5, null, 'backend=x', DELETE]],
  ['cell', [null, [], 'x', DELETE]],
  ['cell.iodepth', [5, 'abc', -1, null, [], DELETE]],
  ['requested', [null, 'x', DELETE]],
  ['groupId', [null, 5, '../../etc', DELETE]],
  ['bootId', [null, 5, 'a/b']],
  ['repetition', [-1, 1.5, 'x', 99, INFINITY, DELETE]],
  ['startedAt', [null, 5, 'yesterday', DELETE]],
  ['finishedAt', [[], '2026-13-45T99:99:99Z']],
  ['status', ['complete', null, 5, DELETE]],
  ['failureKind', ['NoSuchKind', 5]],
  ['accel', ['xen', null, DELETE]],
  ['metrics', [null, [], 'abc', DELETE]],
  ['metrics.iops', [null, [], 5, 'x']],
  ['metrics.iops.value', [null, 'abc', -5000, 1e308, INFINITY, [], DELETE]],
  ['metrics.iops.unit', ['furlongs', null]],
  ['metrics.iops.better', ['lower', 'sideways', null]],
  ['metrics.clat_p99_ns.value', [-1, 1e300, 'x']],
  ['metrics.bw_bytes_per_s.value', [1e200, -0.5]],
  ['observed', [null, [], 'x', DELETE]],
  ['observed.guestFio', [[], {}]],
  ['notices', [null, 'x', [5], DELETE]],
  ['rawFioPath', ['../../outside/secret.json', '/etc/passwd', 'raw/../../outside/secret.json', 'raw/', 5]],
  ['insight', ['x', [], 5]],
  ['insight.version', [2, 'x']],
  ['insight.hostCpu.roles', [null, 'x', [{ role: 'nope' }]]],
  ['insight.window.hostMs', ['abc', [], {}]],
  ['insight.config.checks', [null, [5]]],
  ['bootRetries', ['x', [null]]],
];
const RUN_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x']],
  ['schemaVersion', [2, null, DELETE]],
  ['status', ['done', null, 'incomplete', DELETE]],
  ['startedAt', [null, 'x', DELETE]],
  ['finishedAt', [5, 'x']],
  ['plannedSamples', [-1, 'x', INFINITY, DELETE]],
  ['warnings', [null, 'x', [5]]],
  ['accel', ['x', DELETE]],
  ['profileName', [null, '../x', 5, DELETE]],
  ['tool', [null, 'x', DELETE]],
  ['counts', ['x', { ok: -1 }]],
  ['stopReason', [5]],
  ['resumes', ['x', [{ startedAt: 'x' }]]],
];
const PLAN_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], {}, 'x']],
  ['groups', [null, 'x', []]],
  ['visits', [null, [], 'x']],
  ['visits.0.groupId', ['g99', null]],
  ['visits.0.rounds', ['x', [-1]]],
  ['groups.0.cells', [null, []]],
  ['groups.0.cells.0.key', ['backend=other', null]],
  ['groups.0.cells.0.values', [null, 'x']],
  ['sampleCount', ['x', -1]],
];
const PROFILE_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x']],
  ['name', [null, 5, '../x', DELETE]],
  ['matrix', ['x', 5]],
  ['repetitions', [-1, 'x']],
];
const ENVIRONMENT_FIELDS: [string, Bad[]][] = [['(root)', [null, [], 'x', 5]]];
const BOOT_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, 'x', []]],
  ['bootId', ['../x', null, DELETE]],
  ['timings', ['x', { readyMs: -5 }]],
];
export const CALIBRATION_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x']],
  ['kind', ['x', DELETE]],
  ['schemaVersion', [2]],
  ['settings', [null, 'x']],
  ['settings.simulations', [1e12, -1, 'x', 0.5]],
  ['settings.alpha', [2, 0, 'x']],
  ['settings.effectPct', [-5, INFINITY]],
  ['cells', ['x', null]],
  ['cells.0.residuals', [[], 'x', [1, -1], [1, INFINITY]]],
  ['cells.0.n', [[1e9, 3], 'x']],
  ['cells.0.better', ['sideways']],
  ['fingerprint', [null, { a: 5 }]],
];

/** traces/<cell>/latency.json (src/model/schemas/latency.ts), as the hand-built maps of test/helpers/latency-fixture.ts have it. */
const LATENCY_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x', 5]],
  ['cellKey', [5, null, 'backend=x', 'backend=vhost-user-blk,ioeventfd=n/a,scheduler=none,iodepth=4', DELETE]],
  ['config', [null, 'x', []]],
  ['tracedIops', [-1, 'x', 1e12, INFINITY, DELETE]],
  ['untracedMedianIops', [-5, 'x', INFINITY]],
  ['layers', [null, 'x', [5], DELETE]],
  ['layers.0.id', ['guest.nope', 5, null]],
  ['layers.0.domain', ['moon', 5]],
  ['layers.0.result', [null, { available: true }, { available: 'yes' }]],
  ['layers.0.result.stats.meanUs', [-3, 1e300, INFINITY, 'x', null]],
  ['layers.0.result.stats.count', [-1, 1.5, 'x']],
  ['unexplainedUs', ['x', INFINITY, []]],
  ['checks', ['x', [{ kind: 'nope' }], DELETE]],
  ['checks.0.kind', ['nope', 5]],
  ['timelines', ['x', [5], DELETE]],
  ['timelines.0.events.0.atUs', ['x', INFINITY, -1e300]],
  ['timelines.0.events.0.thread', [5, null]],
  ['notes', [[5], 'x']],
  ['notes.0', ['x'.repeat(5000), 5]],
];

/** The document with `path` set to `value`; `changed` is false when the file has no such field (nothing damaged). */
function setPath(doc: unknown, path: string, value: Bad): { doc: unknown; changed: boolean } {
  if (path === '(root)') return { doc: value === DELETE ? {} : value, changed: true };
  const parts = path.split('.');
  let cur = doc as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    const next = cur?.[part];
    if (next === null || typeof next !== 'object') return { doc, changed: false };
    cur = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (!(last in cur)) return { doc, changed: false };
  if (value === DELETE) delete cur[last];
  else cur[last] = value;
  return { doc, changed: true };
}

function showValue(v: Bad): string {
  if (v === DELETE) return '(deleted)';
  if (v === INFINITY) return '1e400';
  return JSON.stringify(v) ?? String(v);
}

/** Sets one field of a JSON file to a bad value (JSON text, with 1e400 where INFINITY was). */
export function fieldMutation(rel: string, fields: [string, Bad[]][], rng: Rng, damages: Damage): Mutation {
  const [path, values] = pick(rng, fields);
  const value = pick(rng, values);
  return {
    what: `${rel}: ${path} = ${showValue(value)}`,
    damages,
    apply: async (run) => {
      const file = join(run, rel);
      const { doc, changed } = setPath(JSON.parse(await readFile(file, 'utf8')), path, value);
      await writeFile(file, JSON.stringify(doc, null, 2).replaceAll(`"${INFINITY}"`, '1e400'));
      return changed ? undefined : 'none';
    },
  };
}

/** Garbage that is not JSON: printable junk, NUL and invalid UTF-8. */
function garbage(rng: Rng): Buffer {
  const bytes = Buffer.alloc(1 + randomInt(rng, 4000));
  for (let i = 0; i < bytes.length; i++) bytes[i] = randomInt(rng, 256);
  return bytes;
}

/** One file-level damage of `rel` (a file of the results directory). */
export function fileMutation(rel: string, rng: Rng, damages: Damage, outside: Outside, capBytes: number): Mutation {
  const ops: Mutation[] = [
    { what: `${rel}: deleted`, damages, apply: (run) => rm(join(run, rel), { force: true }) },
    {
      what: `${rel}: truncated`,
      damages,
      apply: async (run) => {
        const text = await readFile(join(run, rel));
        await writeFile(join(run, rel), text.subarray(0, randomInt(rng, Math.max(1, text.length - 1))));
      },
    },
    { what: `${rel}: garbage bytes`, damages, apply: (run) => writeFile(join(run, rel), garbage(rng)) },
    {
      what: `${rel}: a symbolic link to a file outside`,
      damages,
      apply: async (run) => {
        await rm(join(run, rel), { force: true });
        await symlink(
          rel.endsWith('.fio.json') ? outside.fioFile : pick(rng, [outside.sampleFile, outside.textFile]),
          join(run, rel),
        );
      },
    },
    {
      what: `${rel}: a FIFO`,
      damages,
      apply: async (run) => {
        await rm(join(run, rel), { force: true });
        execFileSync('mkfifo', [join(run, rel)]);
      },
    },
    {
      what: `${rel}: a directory`,
      damages,
      apply: async (run) => {
        await rm(join(run, rel), { force: true });
        await mkdir(join(run, rel));
      },
    },
    {
      what: `${rel}: larger than its cap (sparse)`,
      damages,
      apply: (run) => truncate(join(run, rel), capBytes + 1),
    },
    {
      what: `${rel}: JSON nested 100 000 deep`,
      damages,
      apply: (run) => writeFile(join(run, rel), `${'['.repeat(100_000)}"deep"${']'.repeat(100_000)}`),
    },
    { what: `${rel}: empty`, damages, apply: (run) => writeFile(join(run, rel), '') },
  ];
  return pick(rng, ops);
}

/** Damage of a whole subdirectory: removed, or a symbolic link to a directory outside. */
export function directoryMutation(
  rel: 'samples' | 'raw' | 'boots' | 'traces',
  rng: Rng,
  damages: Damage,
  outside: Outside,
): Mutation {
  return pick(rng, [
    { what: `${rel}/: removed`, damages, apply: (run: string) => rm(join(run, rel), { recursive: true, force: true }) },
    {
      what: `${rel}/: a symbolic link to a directory outside (valid-looking files carrying the marker)`,
      damages,
      apply: async (run: string) => {
        await rm(join(run, rel), { recursive: true, force: true });
        await symlink(rel === 'samples' ? outside.samplesDir : outside.dir, join(run, rel));
      },
    },
  ]);
}

/** A second copy of a sample: under another number, or under a name with a newline and an escape sequence. */
export function duplicateMutation(sampleRel: string, rng: Rng): Mutation {
  const name = pick(rng, ['9999-copy.json', '0000-copy.json', '0100-\n\u001b[31mred.json']);
  return {
    what: `${sampleRel}: duplicated as ${JSON.stringify(name)}`,
    damages: 'records',
    apply: (run) => cp(join(run, sampleRel), join(run, 'samples', name)),
  };
}

/** summary.json is a cache of the samples: whatever is wrong with it, readers ignore it and read the samples. */
const SUMMARY_FIELDS: [string, Bad[]][] = [
  ['(root)', [null, [], 'x', 5]],
  ['kind', ['vblk-bench-baseline', null, DELETE]],
  ['schemaVersion', [2, '1', null]],
  ['manifestSha256', ['0'.repeat(64), 'x', null, DELETE]],
  ['files', [null, 'x', [], [{ name: '../../outside/secret.json', size: 1, mtimeMs: 1 }]]],
  ['samples', [null, [null], [{ name: 'x.json', sample: 5 }], DELETE]],
  ['skipped', [null, [{ name: 'a/b', problem: 5 }], [{ name: 'x.json', problem: 'x' }]]],
];

export const FIELD_TABLES = {
  summary: SUMMARY_FIELDS,
  sample: SAMPLE_FIELDS,
  run: RUN_FIELDS,
  plan: PLAN_FIELDS,
  profile: PROFILE_FIELDS,
  environment: ENVIRONMENT_FIELDS,
  boot: BOOT_FIELDS,
  latency: LATENCY_FIELDS,
};

/** Plants the marker files outside the results directory. */
export async function plantOutside(dir: string, marker: string, sampleText: string): Promise<Outside> {
  await mkdir(join(dir, 'evil-samples'), { recursive: true });
  const sample = JSON.parse(sampleText) as Record<string, unknown>;
  const marked = { ...sample, notices: [marker], reason: marker, observed: { ...(sample.observed as object), marker } };
  const sampleFile = join(dir, 'secret.json');
  await writeFile(sampleFile, JSON.stringify(marked));
  await writeFile(join(dir, 'evil-samples', '0001-evil.json'), JSON.stringify(marked));
  const fioFile = join(dir, 'secret.fio.json');
  await writeFile(fioFile, JSON.stringify({ 'fio version': marker, jobs: [{ jobname: marker }] }));
  const textFile = join(dir, 'secret.txt');
  await writeFile(textFile, `root:${marker}:0:0:root:/root:/bin/bash\n${marker}: ${marker}\n`);
  return { dir, marker, sampleFile, fioFile, textFile, samplesDir: join(dir, 'evil-samples') };
}
