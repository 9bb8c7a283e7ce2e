import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWithWindow, WINDOW, type Clock } from '../../../src/insight/window.js';

/**
 * Virtual time: whenever the code under test waits only on the clock (every
 * microtask done), time jumps to the next timer and fires it.
 */
class FakeClock implements Clock {
  t = 0;
  private waiting: { at: number; fire: () => void }[] = [];
  private driving = false;
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.t + ms, resolve));
  }
  at(time: number, fire: () => void): void {
    this.waiting.push({ at: time, fire });
    if (!this.driving) {
      this.driving = true;
      setImmediate(() => this.step());
    }
  }
  private step(): void {
    this.driving = false;
    this.waiting.sort((x, y) => x.at - y.at);
    const next = this.waiting.shift();
    if (!next) return;
    this.t = Math.max(this.t, next.at);
    next.fire();
    if (this.waiting.length > 0 && !this.driving) {
      this.driving = true;
      setImmediate(() => this.step());
    }
  }
}

/** A fio that starts I/O `startDelay` ms after exec, then runs ramp + runtime (or fails at `failAt`). */
function fakeFio(
  clock: FakeClock,
  o: { startDelay: number; rampMs: number; runtimeMs: number; failAt?: number; noIo?: boolean },
) {
  const ioStart = o.startDelay;
  const end = ioStart + o.rampMs + o.runtimeMs + 50;
  let started = -1;
  return {
    run: () =>
      new Promise<string>((resolve, reject) => {
        started = clock.now();
        if (o.failAt !== undefined) clock.at(started + o.failAt, () => reject(new Error('fio: exited with 1')));
        else clock.at(started + end, () => resolve('fio output'));
      }),
    // rd_operations: 7 before fio, then one per ms of I/O.
    probe: async () =>
      started < 0 || o.noIo || clock.now() - started < ioStart
        ? 7
        : 7 + Math.floor(clock.now() - started - ioStart) + 1,
    snapshot: async () => {
      const at = clock.now() - started;
      await clock.sleep(30); // a snapshot takes time
      return at;
    },
  };
}

test('the window sits after the ramp and before the end, measured from the first I/O seen', async () => {
  const clock = new FakeClock();
  const fio = fakeFio(clock, { startDelay: 300, rampMs: 1000, runtimeMs: 2000 });
  const { result, window } = await runWithWindow({ ...fio, rampMs: 1000, runtimeMs: 2000, clock });
  assert.equal(result, 'fio output');
  assert.ok(window.ok, JSON.stringify(window));
  const ioStartMs = window.ioStartMs!;
  // The first I/O is seen within one poll of its start.
  assert.ok(ioStartMs >= 300 && ioStartMs <= 300 + WINDOW.pollMs, `${ioStartMs}`);
  assert.equal(window.startMs, ioStartMs + 1000 + WINDOW.afterRampMs);
  assert.equal(window.endMs, ioStartMs + 1000 + 2000 - WINDOW.beforeEndMs);
  assert.equal(window.before, window.startMs, 'the first snapshot began at the window start');
  assert.equal(window.after, window.endMs);
  assert.ok(window.endMs < 300 + 1000 + 2000, 'the window ends before fio’s measured phase does');
  assert.ok(window.startMs > 300 + 1000, 'and starts after its ramp');
});

test('a slow start (TCG) moves the window with it', async () => {
  const clock = new FakeClock();
  const fio = fakeFio(clock, { startDelay: 2500, rampMs: 0, runtimeMs: 2000 });
  const { window } = await runWithWindow({ ...fio, rampMs: 0, runtimeMs: 2000, clock });
  assert.ok(window.ok);
  assert.ok(window.startMs >= 2500 + WINDOW.afterRampMs);
});

test('fio failing early: its error comes through, the window says why it is missing', async () => {
  const clock = new FakeClock();
  const fio = fakeFio(clock, { startDelay: 300, rampMs: 1000, runtimeMs: 2000, failAt: 200 });
  await assert.rejects(runWithWindow({ ...fio, rampMs: 1000, runtimeMs: 2000, clock }), /fio: exited with 1/);
});

test('no I/O at all: the window gives up after ramp + the start timeout', async () => {
  const clock = new FakeClock();
  const fio = fakeFio(clock, { startDelay: 0, rampMs: 1000, runtimeMs: 60_000, noIo: true });
  const { window } = await runWithWindow({ ...fio, rampMs: 1000, runtimeMs: 60_000, clock });
  assert.equal(window.ok, false);
  assert.match(!window.ok ? window.reason : '', /^no I\/O on the disk within 21 s of starting fio$/);
});

test('a probe that cannot be read, and a runtime too short for a window', async () => {
  const clock = new FakeClock();
  const fio = fakeFio(clock, { startDelay: 10, rampMs: 0, runtimeMs: 1000 });
  const broken = await runWithWindow({
    ...fio,
    probe: async () => Promise.reject(new Error('QMP gone')),
    rampMs: 0,
    runtimeMs: 1000,
    clock,
  });
  assert.deepEqual(broken.window, { ok: false, reason: "cannot detect fio's first I/O: QMP gone" });
  const clock2 = new FakeClock();
  const short = fakeFio(clock2, { startDelay: 10, rampMs: 0, runtimeMs: 600 });
  const { window } = await runWithWindow({ ...short, rampMs: 0, runtimeMs: 600, clock: clock2 });
  assert.match(!window.ok ? window.reason : '', /leaves a window of 250 ms, under 300 ms/);
});
