/**
 * `npm run bench:store [-- --runs 100,365,1000 --cells 200 --reps 5 --dir /work/tmp/store-bench --keep]`:
 * how long `history` and `list` take over a year of nightly results, through
 * the real CLI (each timing includes the CLI's start), with the peak RSS of
 * the child (GNU time's maximum resident set size). A seeded synthetic tree
 * (scripts/synthetic-results.ts) is grown to each size in turn; at each size:
 * the first read (a cold results index, built from the runs' summaries), then
 * warm `history` and `list` (median of several). At the first size also the
 * first read of directories without summary.json (old runs: every sample
 * file read). The bar (issue 15): on 365 runs × 200 cells × 5 samples,
 * warm `history` ≤ 2 s, `list` ≤ 1 s, peak RSS ≤ 300 MB.
 *
 * One function per source (`SOURCES`): results directories through the
 * index; another store (a database) adds its own. At each size also the
 * bare CLI start (`--version`, median of several) and the load average, so
 * figures from a shared machine can be read as ratios to the start.
 */
import { execa } from 'execa';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeSyntheticTree } from './synthetic-results.js';
import { scriptOptions } from './script-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'vblk-bench');
const PROFILE = 'nightly200';
/** Warm timings per command and size: the median is reported. */
const REPEATS = 5;

interface Timing {
  seconds: number;
  rssMb: number;
  exitCode: number;
}

/** One CLI call under GNU time: wall seconds and the child's peak RSS. */
async function timed(args: string[], env: Record<string, string>): Promise<Timing> {
  const r = await execa('/usr/bin/time', ['-f', 'VBLK_TIME %e %M', process.execPath, CLI, ...args], {
    cwd: ROOT,
    reject: false,
    env,
    stdin: 'ignore',
  });
  const m = /VBLK_TIME ([\d.]+) (\d+)/.exec(String(r.stderr));
  if (!m) throw new Error(`no timing from ${args.join(' ')}: ${String(r.stderr).slice(-400)}`);
  return { seconds: Number(m[1]), rssMb: Number(m[2]) / 1024, exitCode: r.exitCode ?? -1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface SourceResult {
  source: string;
  runs: number;
  /** `--version`: the CLI's start alone, measured next to the others. */
  bare: Timing;
  /** 1-minute load average before and after the timings. */
  load: [number, number];
  firstRead: Timing;
  history: Timing;
  historyLast30: Timing;
  list: Timing;
}

interface Source {
  name: string;
  /** Timings on the tree as it is now (`runs` runs). */
  measure(tree: string, runs: number, work: string): Promise<SourceResult>;
}

async function warm(args: string[], env: Record<string, string>): Promise<Timing> {
  const all: Timing[] = [];
  for (let i = 0; i < REPEATS; i++) all.push(await timed(args, env));
  return {
    seconds: median(all.map((t) => t.seconds)),
    rssMb: Math.max(...all.map((t) => t.rssMb)),
    exitCode: Math.max(...all.map((t) => t.exitCode)),
  };
}

/** Results directories through the results index (a fresh cache for the first read). */
async function measureDirectories(tree: string, runs: number, work: string): Promise<SourceResult> {
  const cache = join(work, `cache-${runs}`);
  await rm(cache, { recursive: true, force: true });
  const env = { VBLK_BENCH_CACHE: cache };
  const history = ['history', tree, '--profile', PROFILE];
  const loadBefore = loadavg()[0]!;
  const firstRead = await timed(history, env);
  const bare = await warm(['--version'], env);
  const r = {
    history: await warm(history, env),
    historyLast30: await warm([...history, '--last', '30'], env),
    list: await warm(['list', tree], env),
  };
  return { source: 'directories (results index)', runs, bare, load: [loadBefore, loadavg()[0]!], firstRead, ...r };
}

const SOURCES: Source[] = [{ name: 'directories', measure: measureDirectories }];

/** The first read of runs without summary.json (written before summaries existed): every sample file. */
async function firstReadWithoutSummaries(tree: string, runs: number, work: string): Promise<Timing> {
  const dirs = (await readdir(tree)).map((d) => join(tree, d));
  for (const d of dirs) await rename(join(d, 'summary.json'), join(d, '.summary.json.bench'));
  try {
    const cache = join(work, `cache-nosummary-${runs}`);
    await rm(cache, { recursive: true, force: true });
    return await timed(['list', tree], { VBLK_BENCH_CACHE: cache });
  } finally {
    for (const d of dirs) await rename(join(d, '.summary.json.bench'), join(d, 'summary.json'));
  }
}

function args(): { runs: number[]; cells: number; reps: number; dir: string; keep: boolean } {
  const o = scriptOptions('store-bench', 'Times history and list over a synthetic nightly tree grown to each size.', {
    runs: { kind: 'value', fallback: '100,365,1000', help: 'tree sizes, comma-separated' },
    cells: { kind: 'value', fallback: '200', help: 'cells per run' },
    reps: { kind: 'value', fallback: '5', help: 'samples per cell' },
    dir: { kind: 'value', fallback: join(ROOT, '..', 'tmp', 'store-bench'), help: 'work directory (emptied first)' },
    keep: { kind: 'flag', help: 'keep the tree and its caches' },
  });
  return {
    runs: o.runs.split(',').map(Number),
    cells: Number(o.cells),
    reps: Number(o.reps),
    dir: o.dir,
    keep: o.keep,
  };
}

const fmt = (t: Timing) =>
  `${t.seconds.toFixed(2)} s, ${Math.round(t.rssMb)} MB${t.exitCode ? ` (exit ${t.exitCode})` : ''}`;

async function main(): Promise<void> {
  const o = args();
  const tree = join(o.dir, 'results');
  await rm(o.dir, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  let have = 0;
  const rows: SourceResult[] = [];
  try {
    for (const n of o.runs) {
      const started = Date.now();
      await writeSyntheticTree({ out: tree, from: have, runs: n - have, cells: o.cells, repetitions: o.reps });
      console.log(`generated runs ${have}–${n - 1} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (have === 0)
        console.log(
          `  first read without summaries (${n} old runs): ${fmt(await firstReadWithoutSummaries(tree, n, o.dir))}`,
        );
      have = n;
      for (const source of SOURCES) {
        const r = await source.measure(tree, n, o.dir);
        rows.push(r);
        console.log(
          `  ${source.name} @ ${n} runs (load ${r.load.map((l) => l.toFixed(1)).join('–')}): bare start ${fmt(r.bare)}; ` +
            `first read ${fmt(r.firstRead)}; history ${fmt(r.history)}; ` +
            `history --last 30 ${fmt(r.historyLast30)}; list ${fmt(r.list)}`,
        );
      }
    }
  } finally {
    if (!o.keep) await rm(o.dir, { recursive: true, force: true });
  }
  console.log(
    '\n| source | runs | load (1 min) | bare start | first read (indexing) | history | history --last 30 | list | peak RSS (warm) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const rss = Math.round(Math.max(r.history.rssMb, r.list.rssMb, r.historyLast30.rssMb));
    const s = (t: Timing) => `${t.seconds.toFixed(2)} s`;
    console.log(
      `| ${r.source} | ${r.runs} | ${r.load.map((l) => l.toFixed(1)).join('–')} | ${s(r.bare)} | ` +
        `${r.firstRead.seconds.toFixed(1)} s (${Math.round(r.firstRead.rssMb)} MB) | ${s(r.history)} | ` +
        `${s(r.historyLast30)} | ${s(r.list)} | ${rss} MB |`,
    );
  }
}

await main();
