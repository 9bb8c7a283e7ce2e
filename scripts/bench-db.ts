/**
 * `npm run bench:db [-- --runs 100,365 --cells 200 --reps 5 --seed 1] [--tree <dir>]`: the
 * PostgreSQL path on a synthetic nightly tree (scripts/synthetic-results.ts, the generator of `npm run bench:store`):
 * wall time and peak RSS of the real CLI (process start included) for
 * `publish` of the tree into an empty database, `publish` again (nothing
 * changes), `history --db`, `history --db --last 30`, `list --db` and
 * `gate --db --baseline-run`, per tree size. The server is a throwaway
 * PostgreSQL 15 (test/helpers/postgres.ts; fsync off, so publish times are
 * a lower bound for a durable server). `--tree <dir>`: use (and keep) a tree
 * written there before by the same generator and shape, or write it there.
 * Figures for docs/benchmarks.md; nothing is asserted.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../test/helpers/postgres.js';
import { SYNTHETIC_PROFILE as PROFILE, writeSyntheticTree } from './synthetic-results.js';
import { runIdOf } from '../src/store/run-id.js';
import { loadRun } from '../src/store/run-reader.js';
import { scriptOptions } from './script-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'vblk-bench');

const OPTIONS = scriptOptions('bench-db', 'Times publish, history/list/gate --db on a synthetic nightly tree.', {
  runs: { kind: 'value', fallback: '100,365', help: 'tree sizes, comma-separated' },
  cells: { kind: 'value', fallback: '200', help: 'cells per run' },
  reps: { kind: 'value', fallback: '5', help: 'samples per cell' },
  seed: { kind: 'value', fallback: '1', help: "the generator's seed" },
  tree: { kind: 'value', fallback: '', help: 'reuse (and keep) a tree written there before, or write it there' },
  keep: { kind: 'flag', help: 'keep the work directory' },
});

interface Timed {
  seconds: number;
  rssMb: number;
  exitCode: number;
}

/** The CLI under /usr/bin/time: wall seconds and peak RSS of the whole process. */
async function timed(args: string[], db: string): Promise<Timed> {
  const r = await execa('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, CLI, ...args], {
    cwd: ROOT,
    reject: false,
    env: { VBLK_BENCH_DB: db },
    stdin: 'ignore',
  });
  const m = /TIME ([\d.]+) (\d+)\s*$/.exec(String(r.stderr));
  if (!m) throw new Error(`no timing for ${args.join(' ')}: ${String(r.stderr).slice(-500)}`);
  if (r.exitCode !== 0 && r.exitCode !== 3)
    throw new Error(`${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-500)}`);
  return { seconds: Number(m[1]), rssMb: Number(m[2]) / 1024, exitCode: r.exitCode ?? -1 };
}

const show = (t: Timed) => `${t.seconds.toFixed(2).padStart(7)} s ${t.rssMb.toFixed(0).padStart(5)} MB`;

type Shape = { runs: number; cells: number; reps: number; seed: number };

/** The tree's run directories, oldest first: the one `--tree` names when it holds enough runs, else written. */
async function treeOf(fallback: string, shape: Shape): Promise<string[]> {
  const given = OPTIONS.tree;
  const out = given ? resolve(given) : fallback;
  const present = given ? ((await readdir(out).catch(() => null)) ?? []).sort() : [];
  if (present.length >= shape.runs) return present.slice(0, shape.runs).map((name) => join(out, name));
  return writeSyntheticTree({ out, runs: shape.runs, cells: shape.cells, repetitions: shape.reps, seed: shape.seed });
}

async function main(): Promise<void> {
  const sizes = OPTIONS.runs.split(',').map(Number);
  const shape = {
    runs: Math.max(...sizes),
    cells: Number(OPTIONS.cells),
    reps: Number(OPTIONS.reps),
    seed: Number(OPTIONS.seed),
  };
  const work = await mkdtemp(join(tmpdir(), 'vblk-bench-db-'));
  const server = await startPostgres();
  try {
    const t0 = Date.now();
    const runs = await treeOf(join(work, 'results'), shape);
    console.log(
      `tree: ${shape.runs} runs × ${shape.cells} cells × ${shape.reps} samples (seed ${shape.seed}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    const start = await timed(['--version'], '');
    console.log(`bare CLI start (--version): ${show(start)}`);
    for (const n of sizes) {
      const db = await server.createDatabase(`bench${n}`);
      const dirs = runs.slice(0, n);
      const baseline = runIdOf(await loadRun(dirs[dirs.length - 2]!));
      console.log(`\n${n} runs (${n * shape.cells * shape.reps} samples):`);
      const step = async (what: string, args: string[]) =>
        console.log(`  ${what.padEnd(38)} ${show(await timed(args, db))}`);
      await step('publish (empty database)', ['publish', '-q', ...dirs]);
      await step('history --db', ['history', '--db', '--profile', PROFILE]);
      await step('history --db --last 30', ['history', '--db', '--profile', PROFILE, '--last', '30']);
      await step('list --db', ['list', '--db']);
      await step('gate --db --baseline-run <id> <dir>', ['gate', '--db', '--baseline-run', baseline, dirs[n - 1]!]);
      // Publishing again reads every run again (to hash it): the largest tree only.
      if (n === shape.runs) await step('publish again (unchanged)', ['publish', '-q', ...dirs]);
    }
  } finally {
    await server.stop();
    if (!OPTIONS.keep) await rm(work, { recursive: true, force: true });
  }
}

await main();
