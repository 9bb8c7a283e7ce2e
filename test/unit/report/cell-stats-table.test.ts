import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { renderCellStatsTable } from '../../../src/report/cell-stats-table.js';
import { renderWarnings } from '../../../src/report/warnings.js';
import { renderCompareTable } from '../../../src/report/export/compare-table.js';
import { buildReportModel } from '../../../src/report/model.js';
import type { Sample } from '../../../src/model/sample.js';
import type { StoredRun } from '../../../src/store/run-reader.js';
import { compareSets } from '../../../src/compare/compare-sets.js';
import { loadFixtureRun } from '../../helpers/fixture-run.js';
import { makeRuns, makeSample } from '../gate/sample-factory.js';

const cell = (iodepth: number) => ({ backend: 'virtio-blk', ioeventfd: 'on', iodepth });

let fixture: StoredRun;
before(async () => {
  fixture = await loadFixtureRun();
});
/** The statistics table of one run holding these samples, through the report model. */
const table = (samples: Sample[]) =>
  renderCellStatsTable(buildReportModel([{ ...fixture, samples, reference: [] }]), 0);

describe('per-cell statistics view', () => {
  it('one line per cell with n, median, CI and CV; warnings explained once per text; the iodepth collapse as an anomaly', () => {
    const text = table([
      ...makeRuns(cell(1), 'iops', [13000, 13100, 12900, 13050, 12950, 13020]),
      ...makeRuns(cell(3), 'iops', [3500, 3550, 3450, 3520, 3480, 3510]),
    ]);
    assert.match(text, /│ iodepth=1 │ 6 │ 13\.0K  │ 12\.9K … 13\.1K/);
    assert.match(
      text,
      /Anomaly: iops falls 73\.1 % from 13\.0K at iodepth 1 to 3505 at iodepth 3 \(p = 0\.00216\) for backend=virtio-blk,ioeventfd=on/,
    );
    assert.doesNotMatch(text, /\x1b\[/, 'no colour codes without a terminal');
  });

  it('steal recorded in the samples shows per cell and warns', () => {
    const samples = makeRuns(cell(1), 'iops', [100, 101, 99]).map((s, i) => ({
      ...s,
      observed: { hostStealPct: i === 0 ? 1.5 : 0 },
    }));
    const model = buildReportModel([{ ...fixture, samples, reference: [] }]);
    assert.ok(Math.abs((model.cells[0]?.stealPct ?? NaN) - 0.5) < 1e-12);
    assert.match(renderCellStatsTable(model, 0), /│ 0\.5 % +│/);
    // 0.5 % steal against a CV of 1 %: half the spread.
    assert.match(
      renderCellStatsTable(model, 0),
      /warning: HighSteal \[backend=virtio-blk ioeventfd=on iodepth=1\]: 0\.5 % CPU steal time .* is 0\.5× the cell's CV of 1 %/,
    );
  });

  it('says in one line that one repetition has no spread', () => {
    assert.match(table([makeSample(cell(1), { iops: 5 })]), /^iops: one repetition per cell/);
  });

  it('merges identical warnings of several cells into one line', () => {
    const w = { kind: 'TooFewSamples', purpose: 'ci', n: 3, needed: 6, level: 0.95 } as const;
    const lines = renderWarnings([
      { label: 'a', warnings: [w] },
      { label: 'b', warnings: [w] },
    ]);
    assert.equal(lines.length, 2, 'one line and its hint');
    assert.match(lines[0] ?? '', /^warning: TooFewSamples \[a; b\]: Only 3 repetition/);
    assert.match(lines[1] ?? '', /^ {2}hint: run at least 6 repetitions/);
  });
});

describe('compare table', () => {
  it('prints `~` for an insignificant change and the change for a significant one', () => {
    const a = [
      ...makeRuns(cell(1), 'iops', [100, 101, 99, 100, 102, 98]),
      ...makeRuns(cell(4), 'iops', [200, 201, 199, 200, 202, 198]),
    ];
    const b = [
      ...makeRuns(cell(1), 'iops', [101, 99, 100, 102, 98, 100]),
      ...makeRuns(cell(4), 'iops', [150, 151, 149, 150, 152, 148]),
    ];
    const text = renderCompareTable(compareSets(a, b, { metric: 'iops', alpha: 0.05, seed: 1 }), {
      a: 'A',
      b: 'B',
      metric: 'iops',
      alpha: 0.05,
      diagnostics: [],
    });
    assert.match(text, /│ iodepth=1 │ 100 \[98\.0, 102\] n=6 │ 100 \[98\.0, 102\] n=6 │ ~ +│/);
    assert.match(text, /│ iodepth=4 │ 200 \[198, 202\] n=6 {2}│ 150 \[148, 152\] n=6 {2}│ -25 % │ .* │ 0\.00\d+ │/);
  });
});
