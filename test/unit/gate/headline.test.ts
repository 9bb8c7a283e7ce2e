/**
 * The gate's headline: the first real reason and its hint, the same in the
 * terminal table, Markdown and JUnit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { gateHeadline } from '../../../src/report/gate-headline.js';
import { toJUnit } from '../../../src/report/export/gate-junit.js';
import { toMarkdown } from '../../../src/report/export/gate-markdown.js';
import type { GateOptions } from '../../../src/gate/types.js';
import type { CellValues, Sample } from '../../../src/model/sample.js';
import { renderGateTable } from '../../../src/report/export/gate-table.js';
import { findAll, parseXml } from '../../helpers/xml.js';
import { makeRunsMulti, makeSample } from './sample-factory.js';

const shallow = { iodepth: 1 };
const deep = { iodepth: 32 };

/** n repetitions, IOPS and p99 latency rising by 1 % per repetition from `level`. */
function cellRuns(cell: CellValues, n: number, level = 1000): Sample[] {
  const steps = Array.from({ length: n }, (_, i) => 1 + i / 100);
  return makeRunsMulti(cell, { iops: steps.map((s) => level * s), clat_p99_ns: steps.map((s) => 100 * level * s) });
}
const run = (n: number, level = 1000) => [...cellRuns(shallow, n, level), ...cellRuns(deep, n, level * 5)];

const driftedGuestAndHost: GateOptions['envMismatch'] = [
  { path: 'guest.imageHash', text: 'guest.imageHash: 241fbff6 → 9c1dbff6' },
  { path: 'guest.kernel', text: 'guest.kernel: 6.1.0-56-amd64 → 6.1.0-57-amd64' },
  { path: 'host.hostKernel', text: 'host.hostKernel: 6.18.44-fc-v769 → 6.18.50-fc-v801' },
];

/** The headline's first two lines in each view. */
function views(options: GateOptions, base: Sample[], cur: Sample[]) {
  const result = evaluateGate(base, cur, options);
  const table = renderGateTable(result).split('\n');
  const suite = findAll(parseXml(toJUnit(result)), 'testsuite')[0]!;
  const props = Object.fromEntries(findAll(suite, 'property').map((p) => [p.attrs.name, p.attrs.value]));
  return { result, headline: gateHeadline(result), table, md: toMarkdown(result), props, xml: toJUnit(result) };
}

describe('gate headline: the first real reason, in precedence order', () => {
  it("the issue's case: n = 6 on both sides and the environment differs → the environment, not the repetitions", () => {
    const v = views({ envMismatch: driftedGuestAndHost }, run(6), run(6));
    assert.equal(v.result.verdict, 'inconclusive');
    assert.equal(
      v.table[0],
      'gate: INCONCLUSIVE — environment differs in 3 field(s): guest.kernel: 6.1.0-56-amd64 → 6.1.0-57-amd64; ' +
        'host.hostKernel: 6.18.44-fc-v769 → 6.18.50-fc-v801; guest.imageHash: 241fbff6 → 9c1dbff6',
    );
    assert.match(
      v.table[1] ?? '',
      /^ {2}hint: to remove the difference, pin the guest .* and measure both sides on the same host setup .*--allow-env-mismatch/,
    );
    assert.match(
      v.table[2] ?? '',
      /^ {2}α = 0\.01 \(Holm\) over 4 test\(s\): a test needs at least 6 repetitions per side to reach α\/m = 0\.0025$/,
    );
    assert.ok(!v.table.some((l) => l.startsWith('  also:')), 'nothing else is wrong: 6 per side is enough');
    // Every difference in full after the table.
    assert.ok(v.table.includes('  environment differs: guest.imageHash: 241fbff6 → 9c1dbff6'));
    // Markdown and JUnit say the same.
    assert.ok(v.md.includes(`**Why:** ${v.headline.why}  `));
    assert.match(v.md, /^\*\*Hint:\*\* to remove the difference, pin the guest/m);
    assert.equal(v.props.reason, v.headline.why);
    assert.equal(v.props.hint, v.headline.hint);
    const env = findAll(parseXml(v.xml), 'testcase').find((c) => c.attrs.name === 'environment');
    assert.match(
      findAll(env!, 'skipped')[0]?.attrs.message ?? '',
      /^environment differs in 3 field\(s\): .*\. Hint: to remove the difference, pin the guest/,
    );
    assert.match(v.xml, /<system-out>gate: INCONCLUSIVE — environment differs in 3 field\(s\)/);
  });

  it('a measured regression does not outrank an environment difference', () => {
    const v = views({ envMismatch: driftedGuestAndHost }, run(10), run(10, 500));
    assert.equal(v.result.verdict, 'inconclusive');
    assert.ok(
      v.result.cells.some((c) => c.status === 'regression'),
      'the cells still show the regression',
    );
    assert.match(v.table[0] ?? '', /^gate: INCONCLUSIVE — environment differs in 3 field\(s\)/);
  });

  it('too few samples: the sizes and the repetitions needed', () => {
    const v = views({}, run(4), run(4).reverse());
    assert.equal(
      v.table[0],
      'gate: INCONCLUSIVE — too few samples: n = 4 vs 4 in 4 test(s); at α/m = 0.0025 a difference can be significant only with at least 6 per side',
    );
    assert.match(v.table[1] ?? '', /^ {2}hint: run at least 6 repetitions per side \(have 4 vs 4\)/);
    assert.match(v.md, /^\*\*Hint:\*\* run at least 6 repetitions per side \(have 4 vs 4\)/m);
    assert.match(v.props.hint ?? '', /^run at least 6 repetitions per side \(have 4 vs 4\)/);
  });

  it('missing cells come before too few samples elsewhere', () => {
    const v = views({}, [...cellRuns(shallow, 4), ...cellRuns(deep, 10)], cellRuns(shallow, 4));
    assert.deepEqual(
      v.result.inconclusive.map((r) => r.kind),
      ['missing-cells', 'too-few-samples'],
    );
    assert.equal(
      v.table[0],
      'gate: INCONCLUSIVE — 1 cell(s) not measured on both sides: iops, clat_p99_ns @ iodepth=32 (cell not in the current run)',
    );
    assert.match(v.table[1] ?? '', /--only-cell <cell key>/);
    assert.match(v.table[2] ?? '', /^ {2}also: too few samples: n = 4 vs 4 in 2 test\(s\)/);
    assert.match(v.md, /^\*\*Also:\*\* too few samples/m);
  });

  it('an incomplete run comes before the cells it left missing', () => {
    const incomplete = [
      {
        role: 'current run',
        label: 'r2',
        path: 'results/r2',
        kind: 'run' as const,
        status: 'incomplete',
        stopReason: 'interrupted by SIGINT',
        samples: 20,
        planned: 40,
      },
    ];
    const v = views({ incomplete }, run(10), cellRuns(shallow, 10));
    assert.deepEqual(
      v.result.inconclusive.map((r) => r.kind),
      ['incomplete', 'missing-cells'],
    );
    assert.equal(
      v.table[0],
      'gate: INCONCLUSIVE — the current run r2 is incomplete (interrupted by SIGINT): 20 of 40 planned samples',
    );
    assert.equal(v.table[1], '  hint: complete r2 with `vblk-bench run --resume results/r2`');
  });

  it('failed samples', () => {
    const cur = [...run(10), makeSample(deep, {}, { repetition: 10, status: 'failed', reason: 'fio: io_u error' })];
    const v = views({}, run(10), cur);
    assert.equal(
      v.table[0],
      'gate: INCONCLUSIVE — 1 cell(s) with failed or invalid samples: iops, clat_p99_ns @ iodepth=32 (current: 1 failed (fio: io_u error))',
    );
    assert.match(v.table[1] ?? '', /^ {2}hint: fix what failed/);
  });

  it('nothing tested', () => {
    const v = views({}, [], []);
    assert.equal(v.table[0], 'gate: INCONCLUSIVE — no cell × metric could be compared');
    assert.match(v.table[1] ?? '', /--min-effect/);
  });

  it('a regression leads with what regressed, and still names what could not be judged', () => {
    const v = views({}, run(10), cellRuns(shallow, 10, 500));
    assert.equal(v.result.verdict, 'regression');
    assert.match(
      v.table[0] ?? '',
      /^gate: REGRESSION — 1 of 2 test\(s\) changed the worse way beyond the minimum effect: iops @ iodepth=1 -50 %$/,
    );
    assert.match(v.table[1] ?? '', /^ {2}also: 1 cell\(s\) not measured on both sides: iops, clat_p99_ns @ iodepth=32/);
    assert.equal(v.props.hint, undefined);
  });

  it('a pass says so and has nothing to do', () => {
    const v = views({}, run(10), run(10).reverse());
    assert.equal(v.result.verdict, 'pass');
    assert.equal(v.table[0], 'gate: PASS — all 4 test(s) pass');
    assert.match(v.table[1] ?? '', /^ {2}α = 0\.01/);
    assert.doesNotMatch(v.md, /Hint/);
  });
});
