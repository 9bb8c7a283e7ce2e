/**
 * A seeded, format-exact synthetic nightly tree for `npm run bench:store` and
 * the results-index tests: one results directory per night, made from a real
 * recorded run (test/fixtures/runs/gate/small: run.json, profile.json,
 * environment.json, plan.json, a sample with its insight, raw fio JSON, a
 * boot record) with the matrix widened to `cells` cells (ioeventfd on/off ×
 * scheduler × iodepth), `repetitions` rounds, timestamps one night apart and
 * IOPS varied per cell, night and repetition (a step in some cells part-way,
 * so history has change points to find). Each run is what `run` leaves:
 * every sample file, run.json complete, and summary.json — the same record
 * `writeRunSummary` builds (a test checks it). Raw fio JSON is one real
 * document per run, hard-linked under every sample's name (no reader of
 * list/history/compare/gate opens it); boots hold boot.json only.
 */
import { link, mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, type Rng } from '../src/util/prng.js';
import { cellKeyOf } from '../src/model/cell-key.js';
import { runDirName, sampleBaseName, rawFioRelPath, SUMMARY_FILE } from '../src/store/layout.js';
import { assembleRunSummary } from '../src/store/run-summary.js';
import type { Sample } from '../src/model/sample.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEMPLATE = join(ROOT, 'test', 'fixtures', 'runs', 'gate', 'small');
const SCHEDULERS = ['none', 'mq-deadline', 'bfq', 'kyber'];
const DAY_MS = 86_400_000;
/** The profile name of the synthetic tree (`history --profile nightly200`). */
export const SYNTHETIC_PROFILE = 'nightly200';

export interface TreeOptions {
  out: string;
  profile?: string;
  /** Nights to write, numbered from `from` (so a tree can be grown: 100, then 265 more). */
  runs: number;
  from?: number;
  cells?: number;
  repetitions?: number;
  seed?: number;
  /** Leave summary.json out (a directory written before summaries existed). */
  summary?: boolean;
}

interface Template {
  manifest: Record<string, unknown>;
  profile: Record<string, unknown>;
  environmentText: string;
  plan: Record<string, unknown>;
  sample: Sample;
  rawText: string;
  boot: Record<string, unknown>;
}

async function loadTemplate(): Promise<Template> {
  const json = async (rel: string) => JSON.parse(await readFile(join(TEMPLATE, rel), 'utf8'));
  const samples = (await readdir(join(TEMPLATE, 'samples'))).sort();
  const raws = (await readdir(join(TEMPLATE, 'raw'))).sort();
  const boots = (await readdir(join(TEMPLATE, 'boots'))).sort();
  return {
    manifest: await json('run.json'),
    profile: await json('profile.json'),
    environmentText: await readFile(join(TEMPLATE, 'environment.json'), 'utf8'),
    plan: await json('plan.json'),
    sample: await json(`samples/${samples[0]}`),
    rawText: await readFile(join(TEMPLATE, 'raw', raws[0]!), 'utf8'),
    boot: await json(`boots/${boots[0]}/boot.json`),
  };
}

interface Cell {
  key: string;
  values: Record<string, string | number>;
  group: 'g1' | 'g2';
}

/** ioeventfd (the boot group) × scheduler × iodepth, the first `n` of them, group by group. */
function cellsOf(n: number): Cell[] {
  const perGroup = Math.ceil(n / 2);
  const depths = Math.ceil(perGroup / SCHEDULERS.length);
  const out: Cell[] = [];
  for (const [group, ioeventfd] of [
    ['g1', 'on'],
    ['g2', 'off'],
  ] as const) {
    const mine: Cell[] = [];
    for (let d = 1; d <= depths; d++)
      for (const scheduler of SCHEDULERS) {
        const values = { backend: 'virtio-blk', ioeventfd, scheduler, iodepth: d };
        mine.push({ key: cellKeyOf(values), values, group });
      }
    out.push(...mine.slice(0, Math.min(perGroup, n - out.length)));
  }
  return out;
}

const axisEntries = (values: (string | number)[]) => values.map((v) => ({ requested: v, options: {} }));

function planOf(t: Template, profile: string, cells: Cell[], reps: number): Record<string, unknown> {
  const groups = (['g1', 'g2'] as const).map((id) => {
    const mine = cells.filter((c) => c.group === id);
    const ioeventfd = id === 'g1' ? 'on' : 'off';
    return {
      id,
      key: `backend=virtio-blk,ioeventfd=${ioeventfd}`,
      boot: { backend: 'virtio-blk', ioeventfd },
      options: { backend: {}, ioeventfd: {} },
      cells: mine.map((c) => ({
        key: c.key,
        values: c.values,
        requested: c.values,
        options: { backend: {}, ioeventfd: {}, scheduler: {}, iodepth: {} },
        notices: [],
      })),
    };
  });
  const visits = Array.from({ length: reps }, (_, round) =>
    groups.map((g) => ({ round, groupId: g.id, rounds: [round] })),
  ).flat();
  const estimate = t.plan.estimate as Record<string, number>;
  const scale = (cells.length * reps) / (t.plan.sampleCount as number);
  return {
    ...t.plan,
    profileName: profile,
    groups,
    visits,
    sampleCount: cells.length * reps,
    estimate: Object.fromEntries(Object.entries(estimate).map(([k, v]) => [k, Math.round(v * scale)])),
  };
}

function profileOf(t: Template, profile: string, cells: Cell[], reps: number): Record<string, unknown> {
  const distinct = (axis: string) => [...new Set(cells.map((c) => c.values[axis]!))];
  return {
    ...t.profile,
    name: profile,
    repetitions: reps,
    matrix: {
      ioeventfd: axisEntries(distinct('ioeventfd')),
      scheduler: axisEntries(distinct('scheduler')),
      iodepth: axisEntries(distinct('iodepth')),
    },
  };
}

/** A cell's IOPS on one night: a base from its axes, a 12 % drop from night 200 on in a quarter of the cells, ±3 % noise. */
function iopsOf(cell: Cell, index: number, night: number, rng: Rng): number {
  const depth = Number(cell.values.iodepth);
  const sched = 1 - SCHEDULERS.indexOf(String(cell.values.scheduler)) * 0.04;
  const base = 9000 * Math.log2(1 + depth) * sched * (cell.values.ioeventfd === 'on' ? 1.1 : 1);
  const step = index % 4 === 0 && night >= 200 ? 0.88 : 1;
  return Math.round(base * step * (1 + (rng() - 0.5) * 0.06) * 1000) / 1000;
}

function sampleOf(t: Template, cell: Cell, rep: number, bootId: string, at: Date, iops: number, base: string): Sample {
  const ratio = iops / t.sample.metrics.iops!.value;
  const metrics = Object.fromEntries(
    Object.entries(t.sample.metrics).map(([name, m]) => {
      const scaled = ['iops', 'bw_bytes_per_s', 'total_ios'].includes(name) ? m.value * ratio : m.value;
      return [name, { ...m, value: name === 'iops' ? iops : Math.round(scaled * 1000) / 1000 }];
    }),
  );
  const observed = { ...t.sample.observed, scheduler: cell.values.scheduler, ioeventfd: cell.values.ioeventfd };
  return {
    ...t.sample,
    cellKey: cell.key,
    cell: cell.values,
    requested: cell.values,
    groupId: cell.group,
    bootId,
    repetition: rep,
    startedAt: at.toISOString(),
    finishedAt: new Date(at.getTime() + 3000).toISOString(),
    metrics,
    observed,
    rawFioPath: rawFioRelPath(base),
  } as Sample;
}

/** File writes in flight at a time. */
const WRITE_CONCURRENCY = 64;

async function inBatches(jobs: readonly (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += WRITE_CONCURRENCY)
    await Promise.all(jobs.slice(i, i + WRITE_CONCURRENCY).map((j) => j()));
}

const indented = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** One night's results directory; returns its path. */
async function writeNight(t: Template, o: Required<TreeOptions>, night: number, cells: Cell[]): Promise<string> {
  const rng = mulberry32((o.seed * 1_000_003 + night) >>> 0);
  const started = new Date(Date.UTC(2025, 0, 1, 2, 0, 0) + night * DAY_MS + Math.floor(rng() * 600) * 1000);
  const dir = join(o.out, runDirName(o.profile, started));
  for (const sub of ['samples', 'raw', 'boots']) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, 'profile.json'), indented(profileOf(t, o.profile, cells, o.repetitions)));
  await writeFile(join(dir, 'environment.json'), t.environmentText);
  await writeFile(join(dir, 'plan.json'), indented(planOf(t, o.profile, cells, o.repetitions)));
  let seq = 0;
  let clock = started.getTime() + 20_000;
  const rawFirst = join(dir, 'raw', 'fio.template.json');
  await writeFile(rawFirst, t.rawText);
  const jobs: (() => Promise<void>)[] = [];
  const reads: { name: string; sample: Sample }[] = [];
  for (let rep = 0; rep < o.repetitions; rep++) {
    for (const [v, group] of (['g1', 'g2'] as const).entries()) {
      const bootId = `b${String(rep * 2 + v + 1).padStart(3, '0')}-${group}-r${rep}`;
      await mkdir(join(dir, 'boots', bootId));
      await writeFile(join(dir, 'boots', bootId, 'boot.json'), indented({ ...t.boot, bootId, groupId: group }));
      clock += 5000;
      for (const [i, cell] of cells.entries()) {
        if (cell.group !== group) continue;
        const base = sampleBaseName(++seq, cell.key, rep);
        const sample = sampleOf(t, cell, rep, bootId, new Date(clock), iopsOf(cell, i, night, rng), base);
        clock += 3500;
        jobs.push(async () => {
          await link(rawFirst, join(dir, rawFioRelPath(base)));
          await writeFile(join(dir, 'samples', `${base}.json`), indented(sample));
        });
        reads.push({ name: `${base}.json`, sample });
      }
    }
  }
  await inBatches(jobs);
  await unlink(rawFirst);
  const names = reads.map((r) => r.name);
  const manifest = {
    ...t.manifest,
    profileName: o.profile,
    profilePath: `/etc/vblk-bench/${o.profile}.yaml`,
    startedAt: started.toISOString(),
    finishedAt: new Date(clock).toISOString(),
    plannedSamples: seq,
    counts: { ok: seq },
  };
  const manifestText = indented(manifest);
  await writeFile(join(dir, 'run.json'), manifestText);
  if (o.summary) {
    const files: { name: string; size: number; mtimeMs: number }[] = [];
    await inBatches(
      names.map((name, i) => async () => {
        const s = await stat(join(dir, 'samples', name));
        files[i] = { name, size: s.size, mtimeMs: s.mtimeMs };
      }),
    );
    const summary = assembleRunSummary(manifestText, files, reads);
    await writeFile(join(dir, SUMMARY_FILE), JSON.stringify(summary) + '\n');
  }
  return dir;
}

/** Writes nights `from` … `from + runs - 1` of the tree; returns their directories. */
export async function writeSyntheticTree(opts: TreeOptions): Promise<string[]> {
  const o: Required<TreeOptions> = {
    profile: SYNTHETIC_PROFILE,
    from: 0,
    cells: 200,
    repetitions: 5,
    seed: 1,
    summary: true,
    ...opts,
  };
  const t = await loadTemplate();
  const cells = cellsOf(o.cells);
  await mkdir(o.out, { recursive: true });
  const dirs: string[] = [];
  for (let night = o.from; night < o.from + o.runs; night++) dirs.push(await writeNight(t, o, night, cells));
  return dirs;
}
