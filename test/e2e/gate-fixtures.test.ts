/**
 * `gate`, `compare` and `baseline save` through the real CLI on result sets
 * recorded from real TCG runs (test/fixtures/runs/gate/README.md says how each
 * was made). No guest boots here: the fixtures are the measurements.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace, type CliResult } from '../helpers/cli.js';
import { findAll, parseXml } from '../helpers/xml.js';

const F = 'test/fixtures/runs/gate';
const gate = (args: string[]) => runCli(['gate', ...args], { timeoutMs: 60_000 });
const compare = (args: string[]) => runCli(['compare', ...args], { timeoutMs: 60_000 });
const show = (r: CliResult) => `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function expectExit(r: CliResult, code: number): void {
  assert.equal(r.exitCode, code, show(r));
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
}

describe('gate on recorded runs: exit codes', () => {
  let tmp = '';
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vblk-gate-'));
  });

  it('pass (0): two runs of the same configuration (A/A across runs)', async () => {
    const r = await gate(['--baseline', `${F}/base`, `${F}/same`]);
    expectExit(r, 0);
    assert.match(r.stdout, /gate: PASS/);
  });

  it('regression (1): the throttled QEMU, declared as the subject; JUnit and Markdown written', async () => {
    const junit = join(tmp, 'gate.xml');
    const markdown = join(tmp, 'gate.md');
    const r = await gate([
      '--baseline',
      `${F}/base`,
      `${F}/throttled`,
      '--subject',
      'qemu.binary',
      '--junit',
      junit,
      '--markdown',
      markdown,
    ]);
    expectExit(r, 1);
    assert.match(r.stdout, /gate: REGRESSION/);
    assert.match(
      r.stderr,
      /subject under test: profile\.qemu\.binary: qemu-system-x86_64 → test\/fixtures\/runs\/gate\/qemu-throttled/,
    );

    const xml = parseXml(await readFile(junit, 'utf8'));
    assert.equal(xml.name, 'testsuites');
    const suite = findAll(xml, 'testsuite')[0]!;
    const cases = findAll(suite, 'testcase');
    assert.equal(cases.length, 4, 'one testcase per cell × metric (2 cells × iops, clat_p99_ns)');
    assert.equal(suite.attrs.tests, '4');
    assert.equal(Number(suite.attrs.failures), findAll(suite, 'failure').length);
    assert.ok(findAll(suite, 'failure').length >= 2, 'both cells regress in IOPS');
    for (const c of findAll(suite, 'failure')) assert.equal(c.attrs.type, 'regression');
    const props = Object.fromEntries(findAll(suite, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    assert.equal(props.verdict, 'regression');

    const md = await readFile(markdown, 'utf8');
    assert.match(md, /^## vblk-bench gate: throttled vs base: REGRESSION/m);
    assert.match(md, /\| \*\*regression\*\* \| iops \|/);
  });

  it('improvement (0): the same pair the other way round', async () => {
    const r = await gate(['--baseline', `${F}/throttled`, `${F}/base`, '--subject', 'qemu.binary']);
    expectExit(r, 0);
    assert.match(r.stdout, /gate: PASS/);
    assert.match(r.stdout, /IMPROVEMENT/);
  });

  it('inconclusive (3, or 125 with --bisect): too few repetitions', async () => {
    const r = await gate(['--baseline', `${F}/base`, `${F}/small`]);
    expectExit(r, 3);
    assert.match(
      r.stdout,
      /^gate: INCONCLUSIVE — too few samples: n = 6 vs 3 in 4 test\(s\); at α\/m = 0\.0025 a difference can be significant only with at least 6 per side$/m,
    );
    assert.match(r.stdout, /^ {2}hint: run at least 6 repetitions per side \(have 6 vs 3\)/m);
    assert.match(r.stdout, /n = 6 vs 3: the smallest p/);
    expectExit(await gate(['--baseline', `${F}/base`, `${F}/small`, '--bisect']), 125);
  });

  it('inconclusive (3): the measurement environment differs and no subject was declared; each difference listed', async () => {
    const junit = join(tmp, 'env.xml');
    const r = await gate(['--baseline', `${F}/base`, `${F}/throttled`, '--junit', junit]);
    expectExit(r, 3);
    // The reason heads the output (n = 6 per side is enough here: the repetitions are not the reason).
    const [first, second] = r.stdout.split('\n');
    assert.equal(
      first,
      'gate: INCONCLUSIVE — environment differs in 1 field(s): profile.qemu.binary: qemu-system-x86_64 → test/fixtures/runs/gate/qemu-throttled',
    );
    assert.match(
      second ?? '',
      /^ {2}hint: if the difference is the point, declare it with --subject <path> \(here: --subject profile\.qemu\.binary\); to judge anyway, pass --allow-env-mismatch/,
    );
    assert.match(
      r.stdout,
      /environment differs: profile\.qemu\.binary: qemu-system-x86_64 → test\/fixtures\/runs\/gate\/qemu-throttled/,
    );
    const xml = parseXml(await readFile(junit, 'utf8'));
    const env = findAll(xml, 'testcase').find((c) => c.attrs.name === 'environment');
    assert.ok(env && findAll(env, 'skipped').length === 1, 'an environment testcase, skipped');
    assert.match(
      findAll(env, 'skipped')[0]?.attrs.message ?? '',
      /^environment differs in 1 field\(s\): profile\.qemu\.binary: .*\. Hint: .*--allow-env-mismatch/,
    );
    const props = Object.fromEntries(findAll(xml, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    assert.equal(props.reason, first?.replace('gate: INCONCLUSIVE — ', ''));
    expectExit(await gate(['--baseline', `${F}/base`, `${F}/throttled`, '--bisect']), 125);
    const allowed = await gate(['--baseline', `${F}/base`, `${F}/throttled`, '--allow-env-mismatch']);
    expectExit(allowed, 1);
    assert.match(allowed.stderr, /environment differs \(allowed by --allow-env-mismatch\): profile\.qemu\.binary/);
  });

  it('inconclusive (3): a cell missing from the current run (recorded with run --only-cell)', async () => {
    const r = await gate(['--baseline', `${F}/base`, `${F}/partial`]);
    expectExit(r, 3);
    assert.match(
      r.stdout,
      /^gate: INCONCLUSIVE — 1 cell\(s\) not measured on both sides: iops, clat_p99_ns @ backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4 \(cell not in the current run\)$/m,
    );
    assert.match(r.stdout, /MISSING .*ioeventfd=off/);
    assert.match(r.stdout, /cell not in the current run/);
  });

  it('bad input (2), and 125 with --bisect when the current result set does not exist', async () => {
    expectExit(await gate(['--baseline', `${F}/base`, `${F}/same`, '--alpha', '2']), 2);
    expectExit(await gate(['--baseline', `${F}/base`, `${F}/same`, '--min-effect', 'iops']), 2);
    const typo = await gate(['--baseline', `${F}/base`, `${F}/same`, '--subject', 'qemu.binry']);
    expectExit(typo, 2);
    assert.match(typo.stderr, /--subject qemu\.binry: matches no field/);
    expectExit(await gate(['--baseline', `${F}/base`, join(tmp, 'no-such-run')]), 2);
    expectExit(await gate(['--baseline', `${F}/base`, join(tmp, 'no-such-run'), '--bisect']), 125);
  });

  it('baseline save freezes a run into one file the gate accepts', async () => {
    const file = join(tmp, 'baseline.json');
    expectExit(await runCli(['baseline', 'save', `${F}/base`, '-o', file]), 0);
    const frozen = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(frozen.kind, 'vblk-bench-baseline');
    assert.equal(frozen.samples.length, 12);
    assert.equal(frozen.environment.accel, 'tcg');
    expectExit(await gate(['--baseline', file, `${F}/same`]), 0);
    expectExit(await gate(['--baseline', file, `${F}/throttled`, '--subject', 'qemu.binary']), 1);
  });

  it('--calibration warns that this noise hides a 5 % regression at these sample sizes', async () => {
    const r = await gate([
      '--baseline',
      `${F}/base`,
      `${F}/same`,
      '--min-effect',
      'iops=5',
      '--calibration',
      `${F}/calibration.json`,
    ]);
    expectExit(r, 0);
    assert.match(
      r.stderr,
      /calibration: iops @ backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4: a real 5 % regression is caught only/,
    );
  });
});

describe('compare on recorded runs', () => {
  it('A/A: every cell is `~`', async () => {
    const r = await compare([`${F}/base`, `${F}/same`]);
    expectExit(r, 0);
    const rows = r.stdout.split('\n').filter((l) => /^│ ioeventfd=o(n|ff)/.test(l));
    assert.equal(rows.length, 2, r.stdout);
    for (const row of rows) assert.match(row, /│ ~ │/);
  });

  it('a real difference carries its change and p-value; the subject is shown', async () => {
    const r = await compare([`${F}/base`, `${F}/throttled`, '--subject', 'qemu.binary']);
    expectExit(r, 0);
    assert.match(r.stdout, /subject under test: profile\.qemu\.binary/);
    const rows = r.stdout.split('\n').filter((l) => /^│ ioeventfd=o(n|ff)/.test(l));
    for (const row of rows) assert.match(row, /│ -\d+(\.\d+)? % │ .* │ 0\.00216 │/);
    const json = JSON.parse(
      (await compare([`${F}/base`, `${F}/throttled`, '--subject', 'qemu.binary', '--format', 'json'])).stdout,
    );
    assert.equal(json.rows.length, 2);
    for (const row of json.rows) assert.equal(row.significant, true);
    const md = await compare([`${F}/base`, `${F}/throttled`, '--subject', 'qemu.binary', '--format', 'markdown']);
    assert.match(md.stdout, /^\| cell \| A: base \| B: throttled \| Δ \| 95 % CI of Δ \| p \|$/m);
  });

  it('refuses (3) when the environment differs outside the declared subject, listing the difference', async () => {
    const r = await compare([`${F}/base`, `${F}/throttled`]);
    expectExit(r, 3);
    assert.match(
      r.stderr.split('\n')[0] ?? '',
      /^compare: REFUSED — environment differs in 1 field\(s\): profile\.qemu\.binary/,
    );
    assert.match(r.stderr, /profile\.qemu\.binary: qemu-system-x86_64 → test\/fixtures\/runs\/gate\/qemu-throttled/);
    assert.match(r.stderr, /^hint: .*--subject <path> \(here: --subject profile\.qemu\.binary\)/m);
  });

  it('--by compares one axis inside one run; a missing cell makes it partial (3)', async () => {
    const r = await compare([`${F}/base`, '--by', 'ioeventfd']);
    expectExit(r, 0);
    assert.match(r.stdout, /A = ioeventfd=on, B = ioeventfd=off/);
    const partial = await compare([`${F}/base`, `${F}/partial`]);
    expectExit(partial, 3);
    assert.match(
      partial.stdout,
      /^compare: PARTIAL — 1 cell\(s\) not measured on both sides: iops @ backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4 \(no ok iops values in B\)$/m,
    );
    expectExit(await compare([`${F}/base`, '--by', 'nosuchaxis']), 2);
  });
});

describe('report prints the per-cell statistics', () => {
  it('n, median, CI, CV and the explained warnings', async () => {
    const r = await runCli(['report', `${F}/base`]);
    expectExit(r, 0);
    assert.match(r.stdout, /iops per cell \(median, distribution-free 95 % CI of the median/);
    assert.match(r.stdout, /│ ioeventfd=on {2}│ 6 │/);
    assert.match(r.stdout, /warning: HighCv \[ioeventfd=on\]: The coefficient of variation is/);
  });
});
