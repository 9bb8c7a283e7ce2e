/**
 * Fuzz: seeded malformed profiles through the validation entry points
 * in-process (parseYaml → validateProfile). Each must end in an InputError of
 * `path: problem` lines — never another exception, never a crash.
 * Rerun: `node --test dist/test/unit/profile/fuzz.test.js`
 * (VBLK_BENCH_FUZZ_SEED=<n> replays another seed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/model/errors.js';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';
import { FUZZ_SEED, malformedProfiles } from '../../helpers/profile-fuzz.js';

/** `matrix.iodepth[2]: …`, `(top level): …`, `line 3, column 7: …`, `YAML: …` */
const PROBLEM_LINE = /^[^\n]{1,300}?: [^\n]+$/;
const INTERNAL = /TypeError|ReferenceError|Cannot read propert|is not a function|undefined is not|\bat .*:\d+:\d+/;

export const FUZZ_COUNT = 700;

test(`≥ 500 malformed profiles (seed ${FUZZ_SEED}) end in path: problem lines, nothing else`, () => {
  let rejected = 0;
  const accepted: string[] = [];
  for (const c of malformedProfiles(FUZZ_SEED, FUZZ_COUNT)) {
    let err: unknown;
    try {
      validateProfile(parseYaml(c.text), 'fuzz');
    } catch (e) {
      err = e;
    }
    if (err === undefined) {
      accepted.push(c.what); // harmless damage (e.g. junk inside the description): not a malformed profile
      continue;
    }
    assert.ok(err instanceof InputError, `${c.what}: ${(err as Error)?.stack ?? String(err)}`);
    assert.ok(err.lines.length > 0 && err.lines.length <= 200, `${c.what}: ${err.lines.length} lines`);
    for (const line of err.lines) {
      assert.match(line, PROBLEM_LINE, `${c.what}: ${JSON.stringify(line).slice(0, 200)}`);
      assert.doesNotMatch(line, INTERNAL, `${c.what}: ${line}`);
    }
    rejected += 1;
  }
  assert.ok(rejected >= 500, `only ${rejected} rejected; accepted: ${accepted.slice(0, 10).join(' | ')}`);
  assert.ok(accepted.length < FUZZ_COUNT / 10, `too many cases validated: ${accepted.slice(0, 10).join(' | ')}`);
});
