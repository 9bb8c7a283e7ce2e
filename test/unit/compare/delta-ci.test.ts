/**
 * The rule for the CI of Δ (src/compare/delta-ci.ts): no interval below
 * n = 6 per side at 95 %, null with a reason in the data, '—' in every view.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { belowDeltaCiRule, deltaInterval, formatDeltaCi, minSamplesForDeltaCi } from '../../../src/compare/delta-ci.js';
import { compareSets } from '../../../src/compare/compare-sets.js';
import type { ComparedRow } from '../../../src/compare/types.js';
import { bootstrapCi, ratioOfMedians } from '../../../src/stats/bootstrap.js';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { toMarkdown } from '../../../src/report/export/gate-markdown.js';
import { toJUnit } from '../../../src/report/export/gate-junit.js';
import { renderCompareMarkdown } from '../../../src/report/export/compare-markdown.js';
import { renderCompareTable } from '../../../src/report/export/compare-table.js';
import { renderGateTable } from '../../../src/report/export/gate-table.js';
import { comparisonText } from '../../../src/report/rows.js';
import { makeRuns } from '../gate/sample-factory.js';

const cell = { backend: 'virtio-blk', iodepth: 1 };
const header = { a: 'A', b: 'B', metric: 'iops', alpha: 0.05, diagnostics: [] };

describe('the rule: sample size below which no CI of Δ is shown', () => {
  it('is the n at which a distribution-free interval of each median exists: 6 at 95 %, 8 at 99 %', () => {
    assert.equal(minSamplesForDeltaCi(), 6);
    assert.equal(minSamplesForDeltaCi(0.95), 6);
    assert.equal(minSamplesForDeltaCi(0.99), 8);
    assert.equal(belowDeltaCiRule(5, 6), true);
    assert.equal(belowDeltaCiRule(6, 5), true);
    assert.equal(belowDeltaCiRule(6, 6), false);
  });

  it('why: below it the bootstrap returns the ratio of the sample extremes — a single point at n = 1 vs 1', () => {
    // The computation the rule suppresses, straight from the bootstrap.
    const point = bootstrapCi([[100], [119.7]], ratioOfMedians, { seed: 1 });
    assert.ok(point);
    assert.equal(point.low, point.high, 'n = 1 vs 1: low = high, the "+19.7 % … +19.7 %" of the issue');
    const a = [100, 104, 97];
    const b = [110, 103, 121];
    const three = bootstrapCi([a, b], ratioOfMedians, { seed: 1 });
    assert.ok(three);
    assert.equal(three.low, Math.min(...b) / Math.max(...a), 'n = 3: the lower bound is min B / max A');
    assert.equal(three.high, Math.max(...b) / Math.min(...a), 'n = 3: the upper bound is max B / min A');
  });

  it('n = 1 vs n = 1: null with the reason; n = 6 vs 6: an interval', () => {
    const none = deltaInterval([100], [119.7], { seed: 1, key: 'k' });
    assert.equal(none.ci, null);
    assert.equal(none.reason, 'n = 1 vs 1: a 95 % CI of Δ needs n ≥ 6 per side');
    const some = deltaInterval([100, 101, 99, 102, 98, 100], [120, 119, 121, 118, 122, 120], { seed: 1, key: 'k' });
    assert.ok(some.ci && some.ci.low < 20 && some.ci.high > 20);
    assert.equal(some.reason, null);
    assert.equal(formatDeltaCi(null), '—');
    assert.equal(formatDeltaCi({ low: -12.5, high: 3, level: 0.95 }), '-12.5 % … +3 %');
  });

  it('a zero median keeps its own reason', () => {
    const r = deltaInterval([0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], { seed: 1, key: 'k' });
    assert.equal(r.ci, null);
    assert.match(r.reason ?? '', /not finite/);
  });
});

describe('n = 1 vs n = 1 shows no CI of Δ in any view', () => {
  const rows = compareSets(makeRuns(cell, 'iops', [1000]), makeRuns(cell, 'iops', [1197]), {
    metric: 'iops',
    alpha: 0.05,
    seed: 1,
  });
  const row = rows[0] as ComparedRow;

  it('JSON: deltaCi null, deltaCiReason says why', () => {
    const json = JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
    assert.equal(json.deltaCi, null);
    assert.equal(json.deltaCiReason, 'n = 1 vs 1: a 95 % CI of Δ needs n ≥ 6 per side');
  });

  it('compare table and Markdown: — in the column, the rule in the legend, no interval anywhere', () => {
    for (const text of [renderCompareTable(rows, header), renderCompareMarkdown(rows, header)]) {
      assert.doesNotMatch(text, /\+19\.7 % … \+19\.7 %/);
      assert.match(text, /— in the CI of Δ: fewer than 6 values on a side/);
    }
    assert.match(renderCompareMarkdown(rows, header), /^\| backend=virtio-blk iodepth=1 \| .* \| ~ \| — \| 1 \|$/m);
  });

  it('HTML report row: — and the reason in the note', () => {
    const t = comparisonText(row, ['backend', 'iodepth'], 0.05);
    assert.equal(t.deltaCi, '—');
    assert.match(t.note, /no CI of Δ: n = 1 vs 1: a 95 % CI of Δ needs n ≥ 6 per side/);
  });

  it('gate table, Markdown and JUnit: —, and the reason in the cell details', () => {
    const r = evaluateGate(makeRuns(cell, 'iops', [1000]), makeRuns(cell, 'iops', [1197]), {
      metrics: [{ name: 'iops', minEffectPct: 5 }],
    });
    assert.equal(r.cells[0]?.deltaCi, null);
    assert.equal(r.cells[0]?.deltaCiReason, 'n = 1 vs 1: a 95 % CI of Δ needs n ≥ 6 per side');
    for (const text of [renderGateTable(r), toMarkdown(r), toJUnit(r)])
      assert.doesNotMatch(text, /\+19\.7 % … \+19\.7 %/);
    assert.match(renderGateTable(r), /— in the CI of Δ: fewer than 6 values on a side/);
    assert.match(toMarkdown(r), /^\| inconclusive \| iops \| .* \| \+19\.7 % \| — \|/m);
    assert.match(toJUnit(r), /delta: \+19\.7 % \(CI none: n = 1 vs 1: a 95 % CI of Δ needs n ≥ 6 per side\)/);
  });
});
