/**
 * History over stored runs: nightly runs built from the recorded TCG run
 * (its real samples, re-dated one night apart, IOPS scaled down by 15 % from
 * night 12 on in one cell), then the text and HTML summaries.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadFixtureRun } from '../../helpers/fixture-run.js';
import type { StoredRun } from '../../../src/store/run-reader.js';
import { mulberry32 } from '../../../src/util/prng.js';
import { buildHistory, type HistoryReport } from '../../../src/history/history.js';
import { renderHistoryText } from '../../../src/report/export/history-text.js';
import { renderHistoryHtml } from '../../../src/report/export/history-html.js';

const SHIFTED = 'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4';
const NIGHTS = 24;

/** Night i: the fixture's samples with ±3 % noise, the shifted cell ×0.85 from night 12. */
export function nightlyRuns(base: StoredRun, opts: { qemuFrom?: number } = {}): StoredRun[] {
  const rng = mulberry32(42);
  return Array.from({ length: NIGHTS }, (_, night) => {
    const date = new Date(Date.UTC(2026, 9, 1 + night, 2, 0, 0)).toISOString();
    const samples = base.samples.map((s) => {
      const factor = (1 + (rng() - 0.5) * 0.06) * (s.cellKey === SHIFTED && night >= 12 ? 0.85 : 1);
      // Nightly medians of the recorded run vary by ±30 % under TCG; use a steady level per cell instead.
      const level = s.cell.ioeventfd === 'on' ? 8000 : 9000;
      return { ...s, startedAt: date, metrics: { ...s.metrics, iops: { ...s.metrics.iops!, value: level * factor } } };
    });
    const env = base.environment as { qemu: Record<string, unknown> };
    const environment =
      opts.qemuFrom !== undefined && night >= opts.qemuFrom
        ? { ...base.environment, qemu: { ...env.qemu, version: '9.2.0' } }
        : base.environment;
    return {
      ...base,
      dir: `/results/nightly-2026${String(10).padStart(2, '0')}${String(night + 1).padStart(2, '0')}`,
      manifest: { ...base.manifest, profileName: 'nightly', startedAt: date },
      environment,
      samples,
    };
  });
}

let runs: StoredRun[];
let report: HistoryReport;
before(async () => {
  runs = nightlyRuns(await loadFixtureRun(), { qemuFrom: 12 });
  report = buildHistory(runs, { profile: 'nightly', metric: 'iops' });
});

describe('buildHistory', () => {
  it('a series of nightly medians per cell, oldest first, with their intervals', () => {
    assert.equal(report.runs.length, NIGHTS);
    assert.equal(report.cells.length, 4);
    for (const h of report.cells) {
      assert.equal(h.points.length, NIGHTS);
      assert.deepEqual(
        h.points.map((p) => p.run),
        [...Array(NIGHTS).keys()],
      );
      for (const p of h.points) assert.ok(p.n === 6 && p.low! <= p.median && p.median <= p.high!);
    }
  });

  it('the shifted cell has one change point, at night 12, a regression, with the QEMU update named', () => {
    for (const h of report.cells) {
      if (h.cellKey !== SHIFTED) {
        assert.deepEqual(h.changes, [], h.cellKey);
        continue;
      }
      assert.equal(h.changes.length, 1);
      const c = h.changes[0]!;
      assert.equal(c.run, 12);
      assert.equal(c.direction, 'regression');
      assert.ok(c.deltaPct < -10 && c.deltaPct > -20);
      assert.ok(
        c.environment.some((e) => /qemu\.version/.test(e)),
        c.environment.join(),
      );
    }
  });

  it('runs under another accelerator than the latest are left out, with the reason', () => {
    const mixed = runs.map((r, i) => (i === 3 ? { ...r, manifest: { ...r.manifest, accel: 'kvm' as const } } : r));
    const h = buildHistory(mixed, { profile: 'nightly', metric: 'iops' });
    assert.equal(h.runs.length, NIGHTS - 1);
    assert.match(h.excluded[0]!, /accel kvm \(the latest run used tcg\)/);
  });
});

describe('summaries', () => {
  it('text for an email: the change first, then the latest night per cell; no markup', () => {
    const text = renderHistoryText(report);
    assert.match(text, /^vblk-bench history: profile nightly, metric iops \(higher is better\)$/m);
    assert.match(
      text,
      new RegExp(
        `^  REGRESSION ${SHIFTED}: iops -1\\d\\.?\\d* % from 2026-10-13 02:00 UTC .*p = .*environment changed: qemu\\.version: 7\\.2\\.22 → 9\\.2\\.0`,
        'm',
      ),
    );
    assert.match(text, /accel tcg/);
    assert.ok(!/<\/?[a-z]/.test(text), 'no markup');
    assert.equal(text.split('\n').filter((l) => /^  backend=/.test(l)).length, 4);
  });

  it('HTML: a trend chart per cell with the change marked', () => {
    const html = renderHistoryHtml(report);
    assert.equal((html.match(/<svg /g) ?? []).length, 4);
    assert.equal((html.match(/class="point"/g) ?? []).length, 4 * NIGHTS);
    assert.equal((html.match(/data-marker=/g) ?? []).length, 1);
    assert.ok(!/<script/i.test(html));
  });
});
