/**
 * Places the measurement window inside fio's measured phase.
 *
 * fio runs over SSH, so the host does not see when it really starts: the
 * SSH exec, fio's start-up and the device open take from ~10 ms (KVM) to
 * ~300 ms (TCG). So the host polls a cheap counter that moves with the first
 * I/O (the disk node's QMP rd_operations), then takes the first snapshot
 * `ramp + AFTER_RAMP_MS` after that I/O and the second `BEFORE_END_MS` before
 * fio's runtime ends. Both snapshots lie in fio's steady state: no ramp, no
 * start-up, no exit in the window. Per-I/O figures divide by the I/Os counted
 * in the same window, so a window shorter than fio's does not bias them.
 *
 * The clock is injectable so the placement is unit-tested without sleeping.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

export const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

export const WINDOW = {
  /** After the ramp, before the first snapshot: fio's stats reset and the poll's lag. */
  afterRampMs: 100,
  /** Before fio's planned end: the I/O-start detection can be this late, and fio must still run. */
  beforeEndMs: 250,
  /** Interval of the I/O-start probe. */
  pollMs: 20,
  /** How long after the planned ramp fio may take to issue its first I/O. */
  startTimeoutMs: 20_000,
  /** A shorter window measures nothing useful. */
  minWindowMs: 300,
} as const;

/** `ioStartMs`: null when the window is not placed from fio's first I/O (the default sampling, around-fio.ts). */
export type WindowOutcome<S> =
  | { ok: true; before: S; after: S; ioStartMs: number | null; startMs: number; endMs: number }
  | { ok: false; reason: string };

export interface WindowRequest<R, S> {
  /** Starts the workload; settles when it has ended. */
  run: () => Promise<R>;
  /** A counter that grows once the workload's I/O runs (read before start, then polled). */
  probe: () => Promise<number>;
  snapshot: () => Promise<S>;
  rampMs: number;
  runtimeMs: number;
  clock?: Clock;
}

/**
 * Runs the workload and, alongside, takes two snapshots inside its steady
 * state. The workload's own result (or error) is returned as is; the window
 * never makes it fail — it says why it could not be placed instead.
 */
export async function runWithWindow<R, S>(req: WindowRequest<R, S>): Promise<{ result: R; window: WindowOutcome<S> }> {
  const clock = req.clock ?? realClock;
  let baseline: number | null = null;
  let probeError = '';
  try {
    baseline = await req.probe();
  } catch (err) {
    probeError = (err as Error).message.split('\n')[0] ?? '';
  }
  const t0 = clock.now();
  let ended = false;
  const running = req.run().finally(() => {
    ended = true;
  });
  // Observed by the `await running` below; this only keeps Node from reporting it early.
  running.catch(() => undefined);
  const window: WindowOutcome<S> =
    baseline === null
      ? { ok: false, reason: `cannot detect fio's first I/O: ${probeError}` }
      : await place(req, clock, t0, baseline, () => ended);
  return { result: await running, window };
}

async function place<R, S>(
  req: WindowRequest<R, S>,
  clock: Clock,
  t0: number,
  baseline: number,
  ended: () => boolean,
): Promise<WindowOutcome<S>> {
  const since = () => clock.now() - t0;
  const fail = (reason: string): WindowOutcome<S> => ({ ok: false, reason });
  try {
    let ioStartMs: number | undefined;
    while (ioStartMs === undefined) {
      if (ended()) return fail('fio ended before its first I/O was seen');
      if ((await req.probe()) > baseline) ioStartMs = since();
      else if (since() > req.rampMs + WINDOW.startTimeoutMs)
        return fail(
          `no I/O on the disk within ${((req.rampMs + WINDOW.startTimeoutMs) / 1000).toFixed(0)} s of starting fio`,
        );
      else await clock.sleep(WINDOW.pollMs);
    }
    const startAt = ioStartMs + req.rampMs + WINDOW.afterRampMs;
    const endAt = ioStartMs + req.rampMs + req.runtimeMs - WINDOW.beforeEndMs;
    if (endAt - startAt < WINDOW.minWindowMs)
      return fail(`fio's runtime leaves a window of ${Math.round(endAt - startAt)} ms, under ${WINDOW.minWindowMs} ms`);
    await clock.sleep(Math.max(0, startAt - since()));
    if (ended()) return fail('fio ended before the window began');
    const startMs = since();
    const before = await req.snapshot();
    await clock.sleep(Math.max(0, endAt - since()));
    if (ended()) return fail('fio ended before the window did (it ran shorter than planned)');
    const endMs = since();
    const after = await req.snapshot();
    return { ok: true, before, after, ioStartMs, startMs, endMs };
  } catch (err) {
    return fail(`snapshot failed: ${(err as Error).message.split('\n')[0]}`);
  }
}
