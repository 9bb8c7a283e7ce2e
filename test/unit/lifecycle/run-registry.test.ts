/**
 * Pid files and the sweep of a dead run's leftovers: a recorded child is
 * killed only when it really is that child (pid + start time + run marker);
 * a pid reused by another process is left alone. Plain programs stand in for
 * QEMU (the real thing: test/faults/signals.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTicks, waitGone } from '../../../src/lifecycle/proc.js';
import {
  RUN_DIR_ENV,
  RunLifecycle,
  sweepRunDir,
  sweepStaleRuns,
  type ChildRecord,
} from '../../../src/lifecycle/run-registry.js';
import { startQemu } from '../../../src/vm/process.js';
import { withTempDir } from '../../helpers/temp.js';

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('vblk-registry', fn);

const deadOwner = () => ({ pid: spawnSync('true').pid!, startTicks: '1' });

function sleeper(env: Record<string, string> = {}): ChildProcess {
  return spawn('sleep', ['60'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

function record(runDir: string, child: ChildProcess, startTicks = processStartTicks(child.pid!)!): void {
  const rec: ChildRecord = {
    pid: child.pid!,
    startTicks,
    label: 'fake-qemu',
    runDir,
    owner: deadOwner(),
    startedAt: 'then',
  };
  mkdirSync(join(runDir, 'pids'), { recursive: true });
  writeFileSync(join(runDir, 'pids', `${child.pid}.json`), JSON.stringify(rec));
}

test('RunLifecycle keeps a pid file per live child and cleans up on close', () =>
  withDir(async (dir) => {
    const registry = join(dir, 'runs');
    const runDir = join(dir, 'run');
    const life = RunLifecycle.start(registry, runDir);
    assert.equal(process.env[RUN_DIR_ENV], runDir);
    const temp = join(dir, 'vblk-bench-test.raw');
    writeFileSync(temp, 'x');
    life.trackTemp(temp);
    assert.throws(() => life.trackTemp(join(dir, 'other.raw')), /must be named vblk-bench-/);
    const p = await startQemu('sleep', ['30'], { stderrLog: join(dir, 'err'), label: 'sleeper' });
    const pidFile = join(runDir, 'pids', `${p.pid}.json`);
    const rec = JSON.parse(readFileSync(pidFile, 'utf8')) as ChildRecord;
    assert.equal(rec.label, 'sleeper');
    assert.equal(rec.startTicks, processStartTicks(p.pid));
    assert.equal(rec.owner.pid, process.pid);
    const [entry] = readdirSync(registry);
    assert.deepEqual(JSON.parse(readFileSync(join(registry, entry!), 'utf8')).tempPaths, [temp]);
    await p.stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!existsSync(pidFile), 'removed when the child exits');
    life.close();
    assert.ok(!existsSync(temp), 'temporary file removed');
    assert.deepEqual(readdirSync(registry), [], 'left the registry');
    assert.ok(!existsSync(join(runDir, 'pids')));
    assert.equal(process.env[RUN_DIR_ENV], undefined);
  }));

test('the sweep kills a recorded child of a dead run, and spares a pid that is now another process', () =>
  withDir(async (dir) => {
    const runDir = join(dir, 'run');
    const ours = sleeper({ [RUN_DIR_ENV]: runDir });
    const reused = sleeper({ [RUN_DIR_ENV]: runDir }); // recorded with another start time: a pid reused
    const unmarked = sleeper(); // same pid and start time, but nothing says it belongs to the run
    await new Promise((r) => setTimeout(r, 100));
    record(runDir, ours);
    record(runDir, reused, '1');
    record(runDir, unmarked);
    try {
      const { actions } = await sweepRunDir(runDir);
      assert.ok(await waitGone({ pid: ours.pid!, startTicks: processStartTicks(ours.pid!) ?? 'gone' }, 3000));
      assert.equal(processStartTicks(ours.pid!), null, 'our leftover is killed');
      assert.ok(processStartTicks(reused.pid!), 'the reused pid is left alone');
      assert.ok(processStartTicks(unmarked.pid!), 'a process without our marker is left alone');
      assert.ok(
        actions.some((a) => a.startsWith(`killed leftover fake-qemu pid ${ours.pid}`)),
        actions.join('\n'),
      );
      assert.ok(
        actions.some((a) => a.includes(`pid ${reused.pid} (recorded as fake-qemu`) && a.endsWith('left alone')),
        actions.join('\n'),
      );
      assert.ok(!existsSync(join(runDir, 'pids')), 'pid files removed');
    } finally {
      for (const c of [ours, reused, unmarked]) c.kill('SIGKILL');
    }
  }));

test('sweepStaleRuns: only entries of dead owners; removes their temporary files (and nothing not named like ours)', () =>
  withDir(async (dir) => {
    const registry = join(dir, 'runs');
    mkdirSync(registry);
    const temp = join(dir, 'vblk-bench-dead.raw');
    const foreign = join(dir, 'precious.raw');
    writeFileSync(temp, 'x');
    writeFileSync(foreign, 'x');
    const dead = deadOwner();
    writeFileSync(
      join(registry, 'dead.json'),
      JSON.stringify({ owner: dead, runDir: join(dir, 'r1'), startedAt: 'x', tempPaths: [temp, foreign] }),
    );
    const alive = { pid: process.pid, startTicks: processStartTicks(process.pid)! };
    writeFileSync(
      join(registry, 'alive.json'),
      JSON.stringify({ owner: alive, runDir: join(dir, 'r2'), startedAt: 'x', tempPaths: [] }),
    );
    const { actions } = await sweepStaleRuns(registry);
    assert.ok(!existsSync(temp));
    assert.ok(existsSync(foreign), 'only vblk-bench-* files are ever removed');
    assert.deepEqual(readdirSync(registry), ['alive.json']);
    assert.ok(
      actions.some((a) => a.includes(`run ${join(dir, 'r1')} (vblk-bench pid ${dead.pid}) ended without cleaning up`)),
    );
  }));
