/** Progress: the TTY line as a pure function, the ETA, and a logger that writes escape codes only to a TTY. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import {
  estimateRemainingMs,
  renderProgressLine,
  RunProgress,
  type ProgressSnapshot,
} from '../../../src/cli/progress.js';
import { createLogger, type TerminalLogger } from '../../../src/cli/log.js';

const ESC = /\x1b/;

const snap = (over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  done: 6,
  total: 24,
  phase: 'measure',
  group: 'backend=virtio-blk,ioeventfd=on',
  cell: 'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4 r1',
  elapsedMs: 62_000,
  etaMs: 190_000,
  ...over,
});

describe('renderProgressLine', () => {
  it('bar, cells done/total, current cell, elapsed and ETA', () => {
    const line = renderProgressLine(snap(), 160);
    assert.equal(
      line,
      '[#####...............] 6/24 samples 25% · backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4 r1 · 1m02s elapsed · ETA 3m10s',
    );
  });
  it('while booting it names the QEMU configuration', () => {
    assert.match(renderProgressLine(snap({ phase: 'boot' }), 160), / · booting backend=virtio-blk,ioeventfd=on · /);
  });
  it('fits the terminal: the cell is shortened, never the counts or the times', () => {
    for (const columns of [40, 60, 80, 100]) {
      const line = renderProgressLine(snap(), columns);
      assert.ok(line.length <= Math.max(columns - 1, 47), `${columns}: ${line.length} ${line}`);
      assert.match(line, /6\/24 samples/);
      assert.match(line, /ETA 3m10s$/);
    }
  });
  it('no escape codes in the line itself, and an unknown ETA shows as —', () => {
    const line = renderProgressLine(snap({ etaMs: null, done: 0 }));
    assert.ok(!ESC.test(line));
    assert.match(line, /ETA —/);
  });
});

describe('estimateRemainingMs', () => {
  it('uses the plan estimate until something is measured', () => {
    assert.equal(
      estimateRemainingMs({
        remainingBoots: 2,
        remainingCells: 4,
        bootMs: [],
        cellMs: [],
        fallbackBootMs: 8000,
        fallbackCellMs: 5500,
        inPhaseMs: 0,
      }),
      38_000,
    );
  });
  it('then the measured means, less the time spent in the current step', () => {
    assert.equal(
      estimateRemainingMs({
        remainingBoots: 1,
        remainingCells: 2,
        bootMs: [4000, 6000],
        cellMs: [3000],
        fallbackBootMs: 8000,
        fallbackCellMs: 5500,
        inPhaseMs: 1000,
      }),
      10_000,
    );
    assert.equal(
      estimateRemainingMs({
        remainingBoots: 0,
        remainingCells: 1,
        bootMs: [],
        cellMs: [3000],
        fallbackBootMs: 8000,
        fallbackCellMs: 5500,
        inPhaseMs: 9000,
      }),
      0,
    );
  });
});

class Capture extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('RunProgress', () => {
  const drive = (log: TerminalLogger, clock: { t: number }) => {
    const p = new RunProgress(log, {
      total: 2,
      visits: 1,
      accel: 'tcg',
      runtimeS: 3,
      rampTimeS: 1,
      now: () => clock.t,
    });
    p.bootStarting('backend=virtio-blk,ioeventfd=on');
    clock.t += 7000;
    p.bootEnded();
    p.cellStarting('c1', 0);
    clock.t += 4000;
    p.sampleStored();
    log.info(`[1/2] c1 r0: 5142 IOPS${p.timing()}`);
    p.stop();
    return p;
  };

  it('no TTY: plain timestamped lines, ETA from measured times, no escape codes', () => {
    const out = new Capture(false);
    const clock = { t: 0 };
    const p = drive(createLogger('normal', out as unknown as NodeJS.WriteStream), clock);
    assert.ok(!ESC.test(out.text), JSON.stringify(out.text));
    assert.match(out.text, /^\d{4}-\d\d-\d\dT[\d:.]+Z \[1\/2\] c1 r0: 5142 IOPS · 11s elapsed · ETA 4s\n$/);
    assert.equal(p.snapshot().done, 1);
  });

  it('TTY: a status line redrawn under the log lines and cleared at the end', () => {
    const out = new Capture(true, 120);
    drive(createLogger('normal', out as unknown as NodeJS.WriteStream), { t: 0 });
    assert.match(out.text, /\r\x1b\[2K\[\.+\] 0\/2 samples 0% · booting backend=virtio-blk,ioeventfd=on/);
    assert.match(out.text, /\r\x1b\[2K\[1\/2\] c1 r0: 5142 IOPS · 11s elapsed · ETA 4s\n\[#+\.+\] 1\/2 samples 50%/);
    assert.ok(out.text.endsWith('\r\x1b[2K'), 'the status line is cleared when the run ends');
  });

  it('--quiet on a TTY: no status line at all', () => {
    const out = new Capture(true);
    drive(createLogger('quiet', out as unknown as NodeJS.WriteStream), { t: 0 });
    assert.equal(out.text, '');
  });
});
