import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIELDS_THAT_MAY_DIFFER, mayDiffer } from '../../../src/model/may-differ.js';
import { environmentChanges, profileChanges } from '../../../src/store/resume.js';
import { compareFingerprints, fieldClass } from '../../../src/fingerprint/environment.js';

test('boot_retries may differ on resume and between compared runs: it never refuses either', () => {
  assert.equal(mayDiffer('profile.boot_retries', 'resume'), true);
  assert.equal(mayDiffer('profile.boot_retries', 'comparison'), true);
  assert.deepEqual(profileChanges({ boot_retries: 1, fio: { bs: '4k' } }, { boot_retries: 3, fio: { bs: '4k' } }), []);
  const c = compareFingerprints({ 'profile.boot_retries': '1' }, { 'profile.boot_retries': '3' }, []);
  assert.deepEqual(c.environment, []);
  assert.deepEqual(
    c.info.map((d) => d.path),
    ['profile.boot_retries'],
  );
});

test('fields that shape the plan may differ between runs but not within a resumed one', () => {
  for (const path of [
    'profile.repetitions',
    'profile.order',
    'profile.seed',
    'profile.name',
    'host.hostname',
    'hostFio',
  ]) {
    assert.equal(mayDiffer(path, 'comparison'), true, path);
    assert.equal(mayDiffer(path, 'resume'), false, path);
  }
  assert.deepEqual(profileChanges({ repetitions: 6 }, { repetitions: 10 }), ['repetitions: 6 → 10']);
  assert.deepEqual(environmentChanges({ host: { hostname: 'a' } }, { host: { hostname: 'b' } }), [
    'host.hostname: "a" → "b"',
  ]);
});

test('whatever may differ on resume may differ in a comparison; measured fields differ nowhere', () => {
  for (const rule of FIELDS_THAT_MAY_DIFFER) assert.equal(mayDiffer(rule.path, 'comparison'), true, rule.path);
  for (const path of ['profile.fio.bs', 'profile.matrix.backend', 'qemu.version', 'host.hostKernel', 'accel']) {
    assert.equal(mayDiffer(path, 'resume'), false, path);
    assert.equal(fieldClass(path), 'environment', path);
  }
  // A point in time is an environment fact that may differ anywhere; a profile field is never read that way.
  assert.equal(mayDiffer('host.collectedAt', 'resume'), true);
  assert.equal(mayDiffer('profile.fio.ramp_time', 'comparison'), false);
  // A rule covers the fields below its path, not a sibling that shares its prefix.
  assert.equal(mayDiffer('profile.description_extra', 'comparison'), false);
});
