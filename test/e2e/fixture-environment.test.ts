/**
 * The recorded runs (test/fixtures/runs) against this machine: every one is
 * copied, every machine field of the copy scrambled (test/helpers/fixture-environment.ts),
 * then aligned to what `run` records here. Afterwards no environment field
 * differs from this machine's, while the profile, the informational fields
 * and every measurement are as recorded. The gate --confirm e2e test
 * (calibrate-confirm.test.ts) then runs on such copies against a real re-run.
 * No guest boots here (the built-in guest is built if the cache has none).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import {
  alignRunEnvironment,
  machineEnvironment,
  machineFields,
  machineFingerprint,
  scrambleRunEnvironment,
  type MachineEnvironment,
} from '../helpers/fixture-environment.js';
import { loadResultSet } from '../../src/fingerprint/result-set.js';
import { compareFingerprints, fieldClass } from '../../src/fingerprint/environment.js';

const RUNS = join(REPO_ROOT, 'test', 'fixtures', 'runs');

/** Every recorded results directory under test/fixtures/runs (one level and the gate folder). */
async function recordedRuns(): Promise<string[]> {
  const dirs: string[] = [];
  for (const parent of [RUNS, join(RUNS, 'gate')]) {
    for (const name of (await readdir(parent)).sort())
      if (existsSync(join(parent, name, 'run.json'))) dirs.push(join(parent, name));
  }
  return dirs;
}

let machine: MachineEnvironment;
let work: string;
before(async () => {
  machine = await machineEnvironment(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate', 'confirm.yaml'));
  work = await mkdtemp(join(tmpdir(), 'vblk-e2e-fixture-env-'));
  process.once('exit', () => void rm(work, { recursive: true, force: true }));
});

test('every recorded run, scrambled then aligned: no machine field differs from this machine; profile, info fields and measurements as recorded', async (t) => {
  const runs = await recordedRuns();
  assert.ok(runs.length >= 9, `the recorded runs: ${runs.join(', ')}`);
  for (const source of runs) {
    const copy = join(work, `${runs.indexOf(source)}-${source.split('/').pop()}`);
    await cp(source, copy, { recursive: true });
    const original = await loadResultSet(copy);

    const scrambled = await scrambleRunEnvironment(copy);
    for (const field of [
      'accel',
      'host.hostKernel',
      'host.cpuModel',
      'host.microcode',
      'qemu.version',
      'qemu.banner',
      'guest.kernel',
      'guest.imageHash',
      'guest.runningKernel',
      'guest.fio',
      'tool.version',
    ]) {
      assert.ok(scrambled.includes(field), `${source}: ${field} scrambled`);
    }
    assert.ok(
      scrambled.some((f) => f.startsWith('host.mitigations.')),
      'the mitigations scrambled',
    );
    const refused = compareFingerprints(
      (await loadResultSet(copy)).fingerprint,
      machine.fingerprint,
      [],
    ).environment.map((d) => d.path);
    assert.deepEqual(
      scrambled.filter((f) => machine.fingerprint[f] !== undefined && !refused.includes(f)),
      [],
      'a gate would refuse every scrambled field',
    );

    const aligned = await alignRunEnvironment(copy, machine);
    const after = await loadResultSet(copy);
    const comparison = compareFingerprints(after.fingerprint, machine.fingerprint, []);
    assert.deepEqual(
      comparison.environment.filter((d) => !d.path.startsWith('profile.')),
      [],
      `${source}: no environment difference left`,
    );
    for (const f of machineFields(after.fingerprint, machine.fingerprint))
      assert.equal(after.fingerprint[f], machine.fingerprint[f], f);
    for (const [f, v] of Object.entries(original.fingerprint)) {
      if (f.startsWith('profile.') || fieldClass(f) === 'info')
        assert.equal(after.fingerprint[f], v, `${f} as recorded`);
    }
    assert.deepEqual(
      after.samples.map((s) => s.metrics),
      original.samples.map((s) => s.metrics),
      'measurements as recorded',
    );
    t.diagnostic(`${source.slice(RUNS.length + 1)}: ${scrambled.length} fields scrambled, ${aligned.length} aligned`);
  }
  t.diagnostic(`fields aligned (derived from the fingerprint): ${machineFields(machine.fingerprint).join(' ')}`);
});

test('a fact `run` starts recording is aligned without a change here: the fields come from the fingerprint, not a list', async () => {
  const copy = join(work, 'future');
  await cp(join(RUNS, 'gate', 'confirm-base'), copy, { recursive: true });
  const environment = structuredClone(machine.environment) as { host: Record<string, unknown>; [k: string]: unknown };
  environment.host.futureFact = 'as collected today';
  environment.futureSection = { depth: { value: 7 } };
  const future = { ...machine, environment, fingerprint: machineFingerprint(environment, machine.observed) };
  const aligned = await alignRunEnvironment(copy, future);
  assert.ok(aligned.includes('host.futureFact') && aligned.includes('futureSection.depth.value'), aligned.join(' '));
  const after = await loadResultSet(copy);
  assert.equal(after.fingerprint['host.futureFact'], 'as collected today');
  assert.equal(after.fingerprint['futureSection.depth.value'], '7');
});
