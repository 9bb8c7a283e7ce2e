/**
 * `repetitions: auto` under TCG, for real (docs/profiles.md, "Adaptive
 * repetitions"): a large real effect (iodepth 1 vs 8, one boot per round)
 * stops before the maximum with "different", the run complete; an A/A (two
 * labels of one backend: the same configuration, two boots per round) never
 * ends "different". 1 s fio windows, small maxima. Also refused without a
 * boot: `--shard` with auto.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';

const FIO = 'fio:\n  runtime: 1s\n  ramp_time: 0s\n';

async function runProfile(name: string, body: string) {
  const dir = await mkdtemp(join(tmpdir(), `vblk-e2e-${name}-`));
  const profile = join(dir, `${name}.yaml`);
  await writeFile(profile, `name: ${name}\nrepetitions: auto\n${FIO}${body}`);
  const out = join(dir, 'results');
  const r = await runCli(['run', profile, '--out', out, '--wait-lock', '900'], { timeoutMs: 1_200_000 });
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const [runName] = await readdir(out).catch(() => [] as string[]);
  return { r, profile, out, runDir: runName ? join(out, runName) : '' };
}

test('auto, iodepth 1 vs 8: "different" before the maximum; complete; resume has nothing to do; --shard refused', async () => {
  const { r, profile, out, runDir } = await runProfile(
    'auto-qd',
    'adaptive:\n  compare: {axis: iodepth, baseline: 1}\n  min_effect: 10\n  min: 6\n  max: 15\n  looks: 3\n' +
      'matrix:\n  iodepth: [1, 8]\n',
  );
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const run = await loadRun(runDir);
  const record = run.adaptive!;
  assert.equal(record.stop, 'decided');
  assert.equal(record.comparisons.length, 1);
  const [c] = record.comparisons;
  assert.equal(c!.decision, 'different', c!.reason);
  // Looks after 6, 9 and 15 rounds: under TCG's noise (CV 20–60 % here) the first or second decides it.
  assert.ok(c!.rounds < 15, `decided before the maximum (after ${c!.rounds} rounds)`);
  assert.equal(run.samples.length, 2 * c!.rounds, 'both cells stopped at the deciding look');
  assert.deepEqual(run.completeness?.missing, [], 'stopping early is complete');
  assert.match(r.stderr + r.stdout, /adaptive: iodepth=8 vs iodepth=1 at [^(]*\(iops\): different after (6|9) rounds/);
  assert.match(r.stderr + r.stdout, /adaptive: rounds stopped: every comparison decided/);
  assert.deepEqual(JSON.parse(await readFile(join(runDir, 'adaptive.json'), 'utf8')).stop, 'decided');

  const resumed = await runCli(['run', '--resume', runDir, '--wait-lock', '900'], { timeoutMs: 600_000 });
  assert.equal(resumed.exitCode, 0, resumed.stderr);
  assert.match(resumed.stderr + resumed.stdout, /nothing to measure/);

  const sharded = await runCli(['run', profile, '--out', out, '--shard', '1/2'], { timeoutMs: 600_000 });
  assert.equal(sharded.exitCode, 2, sharded.stderr);
  assert.match(sharded.stderr, /--shard: repetitions: auto is not sharded/);
  assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
});

test('auto, A/A (two labels of one backend): never "different"', async () => {
  const { r, out, runDir } = await runProfile(
    'auto-aa',
    'adaptive:\n  compare: {axis: backend, baseline: a}\n  min_effect: 50\n  min: 6\n  max: 6\n  looks: 1\n' +
      'matrix:\n  backend: [{name: virtio-blk, label: a}, {name: virtio-blk, label: b}]\n  iodepth: [1]\n',
  );
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const run = await loadRun(runDir);
  const [c] = run.adaptive!.comparisons;
  assert.ok(c!.decision === 'equivalent' || c!.decision === 'undecided', c!.reason);
  assert.equal(run.samples.length, 12);
  assert.deepEqual(run.completeness?.missing, []);
  assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
});
