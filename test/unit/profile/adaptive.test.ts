import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';
import { InputError } from '../../../src/model/errors.js';
import { plannedRepetitions } from '../../../src/profile/adaptive.js';

const load = (yaml: string) => validateProfile(parseYaml(yaml), 'p');
const ADAPTIVE = 'adaptive:\n  compare: {axis: iodepth, baseline: 1}\n  min_effect: 5\n';
const MATRIX = 'matrix:\n  iodepth: [1, 8]\n';

/** The problem lines of a refused profile. */
function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    return err.lines;
  }
  assert.fail('accepted');
}

describe('profile: repetitions: auto and adaptive:', () => {
  it('accepted with defaults; plans the maximum rounds', () => {
    const p = load(`repetitions: auto\n${ADAPTIVE}${MATRIX}`);
    assert.equal(p.repetitions, 'auto');
    assert.deepEqual(
      { ...p.adaptive, compare: undefined },
      { compare: undefined, metrics: ['iops'], min_effect: 5, alpha: 0.05, min: 6, max: 30, looks: 5 },
    );
    assert.equal(plannedRepetitions(p), 30);
    assert.equal(
      load(
        `adaptive:\n  compare: {axis: iodepth, baseline: 1}\n  min_effect: 5\n  budget: 90m\nrepetitions: auto\n${MATRIX}`,
      ).adaptive?.budget,
      5400,
    );
  });

  it('one line per problem, naming the path', () => {
    assert.deepEqual(problems(`repetitions: auto\n${MATRIX}`), [
      'repetitions: auto needs an adaptive: block (at least compare: {axis, baseline} and min_effect)',
    ]);
    assert.deepEqual(problems(`repetitions: 3\n${ADAPTIVE}${MATRIX}`), [
      'adaptive: only with repetitions: auto (or remove the block)',
    ]);
    assert.deepEqual(problems(`repetitions: auto\n${ADAPTIVE}matrix:\n  iodepth: [1]\n`), [
      'adaptive.compare.axis: iodepth must take two or more values in matrix (it has 1)',
    ]);
    assert.deepEqual(
      problems(`repetitions: auto\nadaptive:\n  compare: {axis: iodepth, baseline: 4}\n  min_effect: 5\n${MATRIX}`),
      ['adaptive.compare.baseline: iodepth takes 1, 8, not 4'],
    );
    assert.deepEqual(problems(`repetitions: auto\nreboot_per_repetition: false\n${ADAPTIVE}${MATRIX}`), [
      'reboot_per_repetition: repetitions: auto needs true (rounds interleave across boots; one boot per group cannot)',
    ]);
  });

  it('field problems: min below 6, min above max, unknown metric, no margin, bad budget', () => {
    const lines = problems(
      'repetitions: auto\nadaptive:\n  compare: {axis: iodepth, baseline: 1}\n  metrics: [nope]\n  min: 4\n  budget: soon\n' +
        MATRIX,
    );
    assert.ok(
      lines.some((l) => /^adaptive\.min: must be at least 6/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^adaptive\.metrics\[0\]: expected a metric/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^adaptive\.min_effect: /.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^adaptive\.budget: expected a duration/.test(l)),
      lines.join('\n'),
    );
    assert.deepEqual(
      problems(
        `repetitions: auto\nadaptive:\n  compare: {axis: iodepth, baseline: 1}\n  min_effect: 5\n  min: 20\n  max: 10\n${MATRIX}`,
      ),
      ['adaptive.min: must be at most max (10)'],
    );
    assert.deepEqual(problems(`repetitions: sometimes\n${MATRIX}`), [
      'repetitions: expected an integer from 1 to 1000, or auto',
    ]);
  });
});
