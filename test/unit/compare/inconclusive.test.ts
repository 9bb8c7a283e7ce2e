/** Typed reasons a comparison cannot conclude: precedence, one-line descriptions with numbers, remedies per kind. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  byPrecedence,
  compareInconclusive,
  describeInconclusive,
  firstFew,
  INCONCLUSIVE_PRECEDENCE,
  inconclusiveHint,
  type Inconclusive,
} from '../../../src/compare/inconclusive.js';
import { compareSets } from '../../../src/compare/compare-sets.js';
import { makeRuns } from '../gate/sample-factory.js';

const diff = (path: string, a: string, b: string) => ({ path, text: `${path}: ${a} → ${b}` });
const environment = (differences: ReturnType<typeof diff>[]): Inconclusive => ({ kind: 'environment', differences });

describe('precedence', () => {
  it('environment, incomplete, missing cells, failed, too few samples, unconfirmed, nothing tested', () => {
    assert.deepEqual(INCONCLUSIVE_PRECEDENCE, [
      'environment',
      'incomplete',
      'missing-cells',
      'failed',
      'too-few-samples',
      'unconfirmed',
      'nothing-tested',
    ]);
    const shuffled: Inconclusive[] = [
      { kind: 'nothing-tested' },
      {
        kind: 'too-few-samples',
        cells: [{ cellKey: 'k', metric: 'iops', n: [3, 3], needed: 6 }],
        alpha: 0.0025,
        alphaName: 'α/m',
      },
      environment([diff('host.hostKernel', '6.1', '6.6')]),
      { kind: 'missing-cells', cells: [{ cellKey: 'k', metric: 'iops', why: 'cell not in the current run' }] },
    ];
    assert.deepEqual(
      byPrecedence(shuffled).map((r) => r.kind),
      ['environment', 'missing-cells', 'too-few-samples', 'nothing-tested'],
    );
  });

  it('firstFew lists three, then says how many more', () => {
    assert.equal(firstFew(['a', 'b']), 'a; b');
    assert.equal(firstFew(['a', 'b', 'c', 'd', 'e']), 'a; b; c; and 2 more');
  });
});

describe('environment', () => {
  it('lists the fields old → new, causes before content hashes, the first three then "and N more"', () => {
    const r = environment([
      diff('guest.imageHash', '241fbff6', '9c1dbff6'),
      diff('guest.kernel', '6.1.0-56-amd64', '6.1.0-57-amd64'),
      diff('host.cpuModel', 'A', 'B'),
      diff('host.hostKernel', '6.18.44', '6.18.50'),
      diff('qemu.version', '7.2.22', '8.2.0'),
    ]);
    assert.equal(
      describeInconclusive(r),
      'environment differs in 5 field(s): guest.kernel: 6.1.0-56-amd64 → 6.1.0-57-amd64; host.cpuModel: A → B; host.hostKernel: 6.18.44 → 6.18.50; and 2 more',
    );
  });

  it('a guest difference: pin the guest; a host difference: same host; always --subject (with a real path) and --allow-env-mismatch', () => {
    const guest = inconclusiveHint(environment([diff('guest.imageHash', 'a', 'b'), diff('guest.kernel', '1', '2')]));
    assert.match(
      guest,
      /pin the guest \(`guest export` once, `guest import --expect-hash` on every runner; docs: "Pinning the guest for nightly and CI"\)/,
    );
    assert.doesNotMatch(guest, /same host/);
    assert.match(guest, /--subject guest\.kernel\b/);
    assert.match(guest, /--allow-env-mismatch/);

    const host = inconclusiveHint(environment([diff('host.hostKernel', '1', '2')]));
    assert.match(host, /measure both sides on the same host setup/);
    assert.doesNotMatch(host, /pin the guest/);

    const both = inconclusiveHint(environment([diff('guest.kernel', '1', '2'), diff('host.hostKernel', '1', '2')]));
    assert.match(both, /to remove the difference, pin the guest .* and measure both sides on the same host setup/);

    const profile = inconclusiveHint(environment([diff('profile.qemu.binary', 'qemu-system-x86_64', '/opt/qemu')]));
    assert.doesNotMatch(profile, /to remove the difference/);
    assert.match(
      profile,
      /^if the difference is the point, declare it with --subject <path> \(here: --subject profile\.qemu\.binary\); to judge anyway, pass --allow-env-mismatch/,
    );
  });
});

describe('the other kinds: what, with the numbers, and the hint', () => {
  it('incomplete: a run is resumed, a baseline file saved again', () => {
    const r: Inconclusive = {
      kind: 'incomplete',
      sets: [
        {
          role: 'current run',
          label: 'r2',
          path: 'results/r2',
          kind: 'run',
          status: 'incomplete',
          stopReason: 'interrupted by SIGTERM',
          samples: 5,
          planned: 12,
        },
        {
          role: 'baseline',
          label: 'main',
          path: 'ci/baseline.json',
          kind: 'baseline',
          status: 'incomplete',
          stopReason: null,
          samples: 10,
          planned: 12,
        },
      ],
    };
    assert.equal(
      describeInconclusive(r),
      'the current run r2 is incomplete (interrupted by SIGTERM): 5 of 12 planned samples; the baseline main is incomplete: 10 of 12 planned samples',
    );
    assert.equal(
      inconclusiveHint(r),
      'complete r2 with `vblk-bench run --resume results/r2`; save the baseline again from a complete run (`vblk-bench baseline save <results> -o ci/baseline.json`)',
    );
  });

  it('missing cells: one line per cell (its metrics together), then --only-cell and merge', () => {
    const r: Inconclusive = {
      kind: 'missing-cells',
      cells: [
        { cellKey: 'iodepth=32', metric: 'iops', why: 'cell not in the current run' },
        { cellKey: 'iodepth=32', metric: 'clat_p99_ns', why: 'cell not in the current run' },
      ],
    };
    assert.equal(
      describeInconclusive(r),
      '1 cell(s) not measured on both sides: iops, clat_p99_ns @ iodepth=32 (cell not in the current run)',
    );
    assert.match(inconclusiveHint(r), /`vblk-bench run <profile> --only-cell <cell key>`.*`vblk-bench merge`/);
  });

  it('failed: fix and measure again', () => {
    const r: Inconclusive = {
      kind: 'failed',
      cells: [{ cellKey: 'iodepth=1', metric: 'iops', why: 'current: 1 failed (fio: io_u error)' }],
    };
    assert.equal(
      describeInconclusive(r),
      '1 cell(s) with failed or invalid samples: iops @ iodepth=1 (current: 1 failed (fio: io_u error))',
    );
    assert.match(inconclusiveHint(r), /^fix what failed .* --only-cell <cell key>/);
  });

  it('too few samples: the sizes, the level, and how many repetitions per side', () => {
    const r: Inconclusive = {
      kind: 'too-few-samples',
      cells: [
        { cellKey: 'iodepth=1', metric: 'iops', n: [6, 3], needed: 6 },
        { cellKey: 'iodepth=1', metric: 'clat_p99_ns', n: [6, 3], needed: 6 },
        { cellKey: 'iodepth=8', metric: 'iops', n: [6, 2], needed: 6 },
      ],
      alpha: 0.01 / 3,
      alphaName: 'α/m',
    };
    assert.equal(
      describeInconclusive(r),
      'too few samples: n = 6 vs 3, 6 vs 2 in 3 test(s); at α/m = 0.00333 a difference can be significant only with at least 6 per side',
    );
    assert.match(
      inconclusiveHint(r),
      /^run at least 6 repetitions per side \(have 6 vs 3, 6 vs 2\): raise `repetitions` in the profile/,
    );
  });

  it('unconfirmed and nothing tested', () => {
    const r: Inconclusive = {
      kind: 'unconfirmed',
      cells: [{ cellKey: 'iodepth=1', metric: 'iops', why: 'not confirmed: the re-run has no result for this cell' }],
    };
    assert.match(describeInconclusive(r), /^the confirmation re-run could not judge 1 cell\(s\): iops @ iodepth=1/);
    assert.match(inconclusiveHint(r), /--confirm/);
    assert.equal(describeInconclusive({ kind: 'nothing-tested' }), 'no cell × metric could be compared');
    assert.match(inconclusiveHint({ kind: 'nothing-tested' }), /--min-effect/);
  });
});

describe('compareInconclusive', () => {
  const c1 = { iodepth: 1 };
  const c8 = { iodepth: 8 };
  const ten = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

  it('missing cells first, then cells whose sizes cannot reach α; nothing when every cell can', () => {
    const rows = compareSets(
      [...makeRuns(c1, 'iops', [1, 2]), ...makeRuns(c8, 'iops', ten)],
      makeRuns(c1, 'iops', [3, 4]),
      { metric: 'iops', alpha: 0.05, seed: 1 },
    );
    const reasons = compareInconclusive(rows, { metric: 'iops', alpha: 0.05 });
    assert.deepEqual(
      reasons.map((r) => r.kind),
      ['missing-cells', 'too-few-samples'],
    );
    assert.equal(
      describeInconclusive(reasons[0]!),
      '1 cell(s) not measured on both sides: iops @ iodepth=8 (no ok iops values in B)',
    );
    assert.equal(
      describeInconclusive(reasons[1]!),
      'too few samples: n = 2 vs 2 in 1 test(s); at α = 0.05 a difference can be significant only with at least 4 per side',
    );
    const enough = compareSets(makeRuns(c8, 'iops', ten), makeRuns(c8, 'iops', ten), {
      metric: 'iops',
      alpha: 0.05,
      seed: 1,
    });
    assert.deepEqual(compareInconclusive(enough, { metric: 'iops', alpha: 0.05 }), []);
  });
});
