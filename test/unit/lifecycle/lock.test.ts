/** Lock files: exclusive, holder named, waiting, stale locks of dead processes taken over. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LockHeldError } from '../../../src/lifecycle/lock.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp.js';

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('vblk-lock', fn);

/** Another process holding `path` for `holdMs`: a tiny node program using the same lock code. */
function holdInChild(path: string, holdMs: number) {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/lifecycle/lock.js'))});
    const lock = await acquireLock(${JSON.stringify(path)}, { purpose: 'test holder', waitMs: 0 });
    process.stdout.write('held\\n');
    setTimeout(() => { lock.release(); process.exit(0); }, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const held = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, held, exited };
}

test('a lock is exclusive, records its holder, and is removed on release', () =>
  withDir(async (dir) => {
    const path = join(dir, 'x.lock');
    const lock = await acquireLock(path, { purpose: 'unit test', waitMs: 0 });
    const rec = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(rec.pid, process.pid);
    assert.equal(rec.hostname, hostname());
    assert.equal(rec.purpose, 'unit test');
    lock.update({ runDir: '/r' });
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).runDir, '/r');
    await assert.rejects(acquireLock(path, { purpose: 'again', waitMs: 0 }), /already held by this process/);
    lock.release();
    assert.ok(!existsSync(path));
    lock.release(); // idempotent
  }));

test('held by another live process: LockHeldError names it; waiting succeeds once it is released', () =>
  withDir(async (dir) => {
    const path = join(dir, 'host.lock');
    const holder = holdInChild(path, 1500);
    await holder.held;
    const err = await acquireLock(path, { purpose: 'second', waitMs: 0 }).then(
      () => assert.fail('acquired a held lock'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof LockHeldError);
    assert.equal(err.holder.pid, holder.child.pid);
    assert.match(err.message, new RegExp(`pid ${holder.child.pid}, started .*test holder`));
    let waited = false;
    const lock = await acquireLock(path, {
      purpose: 'third',
      waitMs: 20_000,
      pollMs: 100,
      onWait: () => (waited = true),
    });
    assert.ok(waited);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    lock.release();
    await holder.exited;
  }));

test('waiting is bounded and abortable', () =>
  withDir(async (dir) => {
    const path = join(dir, 'host.lock');
    const holder = holdInChild(path, 5000);
    await holder.held;
    const t0 = Date.now();
    await assert.rejects(acquireLock(path, { purpose: 'p', waitMs: 400, pollMs: 50 }), LockHeldError);
    assert.ok(Date.now() - t0 >= 400);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 200);
    await assert.rejects(acquireLock(path, { purpose: 'p', waitMs: Infinity, signal: ac.signal }), /interrupted/);
    holder.child.kill('SIGKILL');
    await holder.exited;
  }));

test('a stale lock (its holder is dead, or the pid now belongs to another process) is taken over', () =>
  withDir(async (dir) => {
    const path = join(dir, 'host.lock');
    const dead = spawnSync('true').pid!;
    const takeovers: string[] = [];
    for (const stale of [
      { pid: dead, startTicks: '1', hostname: hostname(), since: 'then', purpose: 'dead run' },
      // pid reuse: this very process' pid with another start time is not this process
      { pid: process.pid, startTicks: '1', hostname: hostname(), since: 'then', purpose: 'reused pid' },
    ]) {
      writeFileSync(path, JSON.stringify(stale));
      const lock = await acquireLock(path, { purpose: 'new', waitMs: 0, onTakeover: (l) => takeovers.push(l) });
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).purpose, 'new');
      lock.release();
    }
    assert.equal(takeovers.length, 2);
    assert.match(takeovers[0]!, /taking over a stale lock: its holder \(pid \d+.*dead run\) is no longer running/);
  }));

test("a damaged lock file is taken over only once it is old; another host's lock is never", () =>
  withDir(async (dir) => {
    const path = join(dir, 'host.lock');
    writeFileSync(path, '{"pid": 12');
    await assert.rejects(acquireLock(path, { purpose: 'p', waitMs: 0 }), LockHeldError);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(path, old, old);
    (await acquireLock(path, { purpose: 'p', waitMs: 0 })).release();

    writeFileSync(
      path,
      JSON.stringify({ pid: 1, startTicks: '1', hostname: 'elsewhere', since: 'x', purpose: 'remote run' }),
    );
    await assert.rejects(acquireLock(path, { purpose: 'p', waitMs: 0 }), /pid 1 on host elsewhere/);
  }));
