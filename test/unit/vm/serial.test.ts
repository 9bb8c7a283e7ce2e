import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStepError } from '../../../src/model/errors.js';
import { tailLines, waitForSerialMarker } from '../../../src/vm/serial.js';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-serial-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('resolves once the marker appears, even split across writes and before the file exists', () =>
  withDir(async (dir) => {
    const log = join(dir, 'serial.log');
    const waiting = waitForSerialMarker(log, 'VBLK-GUEST-READY', { timeoutMs: 5000, pollMs: 20 });
    await sleep(80);
    await writeFile(log, 'Linux version 6.1\r\nbooting...\r\nVBLK-GU');
    await sleep(80);
    await appendFile(log, 'EST-READY\r\n');
    const ms = await waiting;
    assert.ok(ms >= 100 && ms < 5000, `elapsed ${ms}`);
  }));

test('rejects on timeout with the last 20 lines of the log', () =>
  withDir(async (dir) => {
    const log = join(dir, 'serial.log');
    await writeFile(log, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\r\n') + '\r\n');
    await assert.rejects(waitForSerialMarker(log, 'NEVER', { timeoutMs: 150, pollMs: 20 }), (err: unknown) => {
      assert.ok(err instanceof RunStepError);
      assert.equal(err.step, 'boot');
      assert.match(err.message, /did not show "NEVER" within 150 ms/);
      assert.equal(err.details.length, 20);
      assert.equal(err.details[0], 'line 11');
      assert.equal(err.details[19], 'line 30');
      return true;
    });
  }));

test('rejects as soon as QEMU exits, after a last read of the log', () =>
  withDir(async (dir) => {
    const log = join(dir, 'serial.log');
    await writeFile(log, 'Kernel panic - not syncing\n');
    let exit!: (v: { code: number; signal: null }) => void;
    const exited = new Promise<{ code: number; signal: null }>((r) => (exit = r));
    const started = Date.now();
    const waiting = waitForSerialMarker(log, 'READY', { timeoutMs: 10_000, exited, pollMs: 20 });
    setTimeout(() => exit({ code: 0, signal: null }), 50);
    await assert.rejects(waiting, (err: unknown) => {
      assert.ok(err instanceof RunStepError);
      assert.match(err.message, /QEMU exited \(exit code 0\) before the serial console showed "READY"/);
      assert.deepEqual(err.details, ['Kernel panic - not syncing']);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  }));

test('a marker written just before the exit still counts', () =>
  withDir(async (dir) => {
    const log = join(dir, 'serial.log');
    await writeFile(log, 'x\nREADY\n');
    const ms = await waitForSerialMarker(log, 'READY', { timeoutMs: 1000, exited: Promise.resolve({ code: 0 }) });
    assert.ok(ms >= 0);
  }));

test('tailLines: last n lines, CRLF stripped, missing file is empty', () =>
  withDir(async (dir) => {
    const log = join(dir, 'l');
    assert.deepEqual(await tailLines(log, 5), []);
    await writeFile(log, 'a\r\nb\r\nc');
    assert.deepEqual(await tailLines(log, 2), ['b', 'c']);
    assert.deepEqual(await tailLines(log, 10), ['a', 'b', 'c']);
    assert.deepEqual(await tailLines(log, 0), []);
    await writeFile(log, 'x'.repeat(300 * 1024) + '\nlast\n');
    assert.deepEqual(await tailLines(log, 5), ['last']);
  }));
