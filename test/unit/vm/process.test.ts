/**
 * Process mechanics (escalation, registry, parent-death signal) with plain
 * programs; the same with the real QEMU is in test/e2e/vm-qemu.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostError } from '../../../src/model/errors.js';
import { killAllChildren, liveChildren } from '../../../src/vm/children.js';
import { findFreePort } from '../../../src/vm/free-port.js';
import { checkSetpriv, findExecutable, startQemu } from '../../../src/vm/process.js';

/** Gone = no /proc entry, or a zombie nobody has reaped yet. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-proc-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('setpriv --pdeathsig is available on this host', async () => {
  const r = await checkSetpriv();
  assert.ok(r.ok, r.ok ? '' : r.problem);
});

test('a missing binary is a HostError, not a spawn crash', async () => {
  await assert.rejects(startQemu('/nonexistent/qemu-system-x86_64', [], { stderrLog: '/dev/null' }), HostError);
  assert.equal(await findExecutable('definitely-not-a-command-vblk'), null);
  assert.ok(await findExecutable('sh'));
});

test('wrapped under setpriv; the pid is the program itself; stderr goes to the log', () =>
  withDir(async (dir) => {
    const log = join(dir, 'err.log');
    const p = await startQemu('sh', ['-c', 'echo to-stderr >&2; exec sleep 30'], { stderrLog: log });
    assert.equal(p.command[0], await findExecutable('setpriv'));
    assert.deepEqual(p.command.slice(1, 4), ['--pdeathsig', 'KILL', '--']);
    assert.deepEqual(p.warnings, []);
    // setpriv execs: /proc/<pid> is sh (then sleep), not setpriv.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim(), 'sleep');
    assert.ok(liveChildren().some((c) => c.pid === p.pid));
    const exit = await p.stop();
    assert.equal(exit.signal, 'SIGTERM');
    assert.ok(processGone(p.pid));
    assert.ok(!liveChildren().some((c) => c.pid === p.pid), 'unregistered on exit');
    assert.equal((await readFile(log, 'utf8')).trim(), 'to-stderr');
    assert.equal(p.running, false);
    // idempotent
    assert.deepEqual(await p.stop(), exit);
  }));

test('stop escalates to SIGKILL when SIGTERM is ignored', () =>
  withDir(async (dir) => {
    // The child notes every SIGTERM it ignores: SIGTERM came first, SIGKILL after it (no clock involved).
    const p = await startQemu(
      'sh',
      ['-c', 'trap "echo got-TERM >&2" TERM; echo started >&2; while :; do sleep 0.05; done'],
      { stderrLog: join(dir, 'e') },
    );
    while (!(await readFile(join(dir, 'e'), 'utf8').catch(() => '')).includes('started'))
      await new Promise((r) => setTimeout(r, 20));
    const exit = await p.stop(undefined, { termWaitMs: 300 });
    assert.equal(exit.signal, 'SIGKILL');
    assert.match(await readFile(join(dir, 'e'), 'utf8'), /got-TERM/, 'SIGTERM was sent (and ignored) before SIGKILL');
    assert.ok(processGone(p.pid));
  }));

test('killAllChildren ends every registered child (checked in /proc)', () =>
  withDir(async (dir) => {
    const a = await startQemu('sleep', ['30'], { stderrLog: join(dir, 'a'), label: 'a' });
    const b = await startQemu('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], {
      stderrLog: join(dir, 'b'),
      label: 'b',
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!processGone(a.pid) && !processGone(b.pid));
    const ended = await killAllChildren({ graceMs: 300 });
    assert.deepEqual(ended.sort(), [`a (pid ${a.pid})`, `b (pid ${b.pid})`].sort());
    assert.ok(processGone(a.pid), 'a gone');
    assert.ok(processGone(b.pid), 'b gone');
    assert.deepEqual(liveChildren(), []);
    assert.deepEqual(await killAllChildren(), []);
  }));

test('findFreePort gives a bindable 127.0.0.1 port', async () => {
  const port = await findFreePort();
  assert.ok(port > 0 && port < 65536);
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
});
