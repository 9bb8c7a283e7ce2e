/**
 * The validated way in (src/store/stored-file.ts, run-reader.ts): what a
 * writer stores reads back unchanged (the round trip, every stored kind), and
 * what a damaged or hostile directory holds is refused in one line that
 * names the file and the field — never its content.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { loadRun } from '../../../src/store/run-reader.js';
import { RunWriter } from '../../../src/store/run-writer.js';
import { loadReference, writeReferenceRecord, type ReferenceRecord } from '../../../src/store/reference-store.js';
import { FileProblem, readJsonUnder, relativePathProblem } from '../../../src/store/stored-file.js';
import { explain } from '../../../src/model/diagnostic.js';
import { freezeRun, loadResultSet, type BaselineFile } from '../../../src/fingerprint/result-set.js';
import { loadCalibration, writeCalibration, type CalibrationFile } from '../../../src/calibrate/file.js';
import type { RunManifest } from '../../../src/store/manifest.js';
import { RunManifestSchema } from '../../../src/model/schemas/manifest.js';
import { CalibrationFileSchema } from '../../../src/model/schemas/calibration.js';
import { ReferenceRecordSchema } from '../../../src/model/schemas/reference.js';
import { BaselineFileSchema } from '../../../src/model/schemas/baseline.js';
import { SampleSchema } from '../../../src/model/schemas/sample.js';
import { InputError } from '../../../src/model/errors.js';
import { nestsDeeperThan } from '../../../src/util/json-depth.js';
import { parseJsonText } from '../../../src/util/file-read.js';
import { FIXTURE_RUN, loadFixtureRun } from '../../helpers/fixture-run.js';
import { REPO_ROOT } from '../../helpers/cli.js';

// Compile-time: what each schema accepts is the type its readers use (a mismatch fails the build).
const manifestMatches = (x: z.output<typeof RunManifestSchema>): RunManifest => x;
const referenceMatches = (x: z.output<typeof ReferenceRecordSchema>): Omit<ReferenceRecord, 'rawFioPath'> => x;
const calibrationMatches = (x: z.output<typeof CalibrationFileSchema>): Omit<CalibrationFile, 'cells'> => x;
const baselineMatches = (x: z.output<typeof BaselineFileSchema>): Omit<BaselineFile, 'samples' | 'manifest'> => x;
void [manifestMatches, referenceMatches, calibrationMatches, baselineMatches];

const MARKER = 'MARKER-c0ffee-not-for-output';

async function tempCopy(from = FIXTURE_RUN): Promise<{ root: string; dir: string; marker: string }> {
  const root = await mkdtemp(join(tmpdir(), 'vblk-reader-'));
  const dir = join(root, 'run');
  await cp(from, dir, { recursive: true });
  const marker = join(root, 'secret.json');
  await writeFile(marker, `{"fio version": "${MARKER}", "x": "${MARKER}"}\n`);
  return { root, dir, marker };
}

const sampleFiles = async (dir: string) =>
  (await import('node:fs/promises')).readdir(join(dir, 'samples')).then((n) => n.sort());

test('round trip: a run written by RunWriter (manifest, profile, plan, environment, samples, raw fio, reference) reads back as written', async () => {
  const fixture = await loadFixtureRun();
  const root = await mkdtemp(join(tmpdir(), 'vblk-roundtrip-'));
  const dir = join(root, 'run');
  const w = await RunWriter.create(dir, { ...fixture.manifest, plannedSamples: fixture.samples.length });
  await w.writeProfile(fixture.profile);
  await w.writePlan(fixture.plan);
  await w.writeEnvironment(fixture.environment);
  const written = [];
  for (const s of fixture.samples) {
    const { schemaVersion: _v, rawFioPath: _p, ...draft } = s;
    written.push(await w.writeSample(draft, { 'fio version': 'fio-3.33', jobs: [] }));
  }
  const ref = await writeReferenceRecord(
    dir,
    1,
    {
      schemaVersion: 1,
      kind: 'host-reference',
      fioKey: 'iodepth=1',
      fio: { iodepth: 1 },
      target: '/dev/shm/x',
      argv: ['fio', '--name=x'],
      startedAt: fixture.manifest.startedAt,
      finishedAt: fixture.manifest.startedAt,
      status: 'ok',
      metrics: fixture.samples[0]!.metrics,
      notices: [],
    },
    { 'fio version': 'fio-3.33' },
  );
  await w.finish({ complete: true });
  const back = await loadRun(dir);
  assert.deepEqual(back.diagnostics, []);
  assert.deepEqual(back.samples, written);
  assert.deepEqual(back.profile, fixture.profile);
  assert.deepEqual(back.plan, fixture.plan);
  assert.deepEqual(back.environment, fixture.environment);
  assert.deepEqual(back.reference, [ref]);
  assert.equal(back.manifest.status, 'complete');
  assert.equal(back.completeness?.missing.length, 0);

  // A baseline file and a calibration file read back as written too.
  const { file } = await freezeRun(dir);
  const baselinePath = join(root, 'baseline.json');
  await writeFile(baselinePath, JSON.stringify(file));
  const set = await loadResultSet(baselinePath);
  assert.deepEqual(set.samples, written);
  assert.deepEqual(set.diagnostics, []);
  const calibrationPath = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate', 'calibration.json');
  const calibration = await loadCalibration(calibrationPath);
  assert.deepEqual(calibration, JSON.parse(await readFile(calibrationPath, 'utf8')));
  await writeCalibration(join(root, 'calibration.json'), calibration);
  assert.deepEqual(await loadCalibration(join(root, 'calibration.json')), calibration);
  await assert.rejects(
    writeCalibration(join(root, 'bad.json'), {
      ...calibration,
      settings: { ...calibration.settings, simulations: 1e9 },
    }),
    /its own reader would refuse: settings\.simulations/,
  );
  await rm(root, { recursive: true, force: true });
});

test('the writer refuses to store what its reader would refuse, and stores impossible values as invalid with the reason', async () => {
  const fixture = await loadFixtureRun();
  const root = await mkdtemp(join(tmpdir(), 'vblk-writer-'));
  const w = await RunWriter.create(join(root, 'run'), { ...fixture.manifest, plannedSamples: 1 });
  const { schemaVersion: _v, rawFioPath: _p, ...draft } = fixture.samples[0]!;
  await assert.rejects(
    w.writeSample({ ...draft, cellKey: 'not-the-cell' }),
    /its own reader would refuse: cellKey: does not match the cell values/,
  );
  const stored = await w.writeSample({
    ...draft,
    metrics: { ...draft.metrics, iops: { value: -5, unit: 'IO/s', better: 'higher' } },
  });
  assert.equal(stored.status, 'invalid');
  assert.equal(stored.reason, 'impossible metric values: iops: negative');
  assert.ok(!('iops' in stored.metrics));
  await rm(root, { recursive: true, force: true });
});

test('a damaged sample is skipped with a typed diagnostic naming file and field, and counts as missing', async () => {
  const { root, dir } = await tempCopy();
  const [first, second, third, fourth] = await sampleFiles(dir);
  const edit = async (name: string, change: (s: Record<string, unknown>) => void) => {
    const path = join(dir, 'samples', name);
    const s = JSON.parse(await readFile(path, 'utf8'));
    change(s);
    await writeFile(path, JSON.stringify(s));
  };
  await edit(first!, (s) => ((s.metrics as Record<string, { value: unknown }>).iops!.value = 1e308));
  await edit(second!, (s) => (s.metrics = null));
  await edit(third!, (s) => delete s.cell);
  await writeFile(join(dir, 'samples', fourth!), '{"schemaVersion": 1, "cellKey": "x"');
  const run = await loadRun(dir);
  assert.equal(run.samples.length, 20);
  const lines = (run.diagnostics ?? []).map(explain);
  assert.match(
    lines[0]!,
    /samples\/0001-.*\.json: sample skipped: metrics\.iops\.value: above the ceiling of its unit IO\/s \(1e\+9\) \(it counts as missing\)$/,
  );
  assert.match(lines[1]!, /0002-.*: sample skipped: metrics: expected a mapping of metrics/);
  assert.match(lines[2]!, /0003-.*: sample skipped: cell: missing/);
  assert.match(
    lines[3]!,
    /0004-.*: sample skipped: not valid JSON: (ends early \(truncated\?\)|syntax error at character 35)/,
  );
  assert.match(lines[4]!, /run\.json says complete, but 4 of 24 planned samples lack a valid record/);
  assert.equal(run.completeness?.missing.length, 4);
  await rm(root, { recursive: true, force: true });
});

test('duplicated and unplanned samples are skipped: one record per planned (cell, repetition)', async () => {
  const { root, dir } = await tempCopy();
  const [first] = await sampleFiles(dir);
  await cp(join(dir, 'samples', first!), join(dir, 'samples', '9999-copy.json'));
  const s = JSON.parse(await readFile(join(dir, 'samples', first!), 'utf8'));
  await writeFile(join(dir, 'samples', '9998-extra.json'), JSON.stringify({ ...s, repetition: 77 }));
  const run = await loadRun(dir);
  assert.equal(run.samples.length, 24);
  assert.deepEqual(
    run.diagnostics?.map((d) => d.kind),
    ['UnplannedSample', 'DuplicateSample'],
  );
  await rm(root, { recursive: true, force: true });
});

test('symbolic links and paths leaving the directory are never followed, and nothing of the target reaches a message', async () => {
  const { root, dir, marker } = await tempCopy();
  const names = await sampleFiles(dir);
  await rm(join(dir, 'samples', names[0]!));
  await symlink(marker, join(dir, 'samples', names[0]!));
  // A raw path out of the directory: the sample fails its schema (raw/ only).
  const s = JSON.parse(await readFile(join(dir, 'samples', names[1]!), 'utf8'));
  await writeFile(join(dir, 'samples', names[1]!), JSON.stringify({ ...s, rawFioPath: '../secret.json' }));
  const run = await loadRun(dir);
  const text = JSON.stringify(run) + (run.diagnostics ?? []).map(explain).join('\n');
  assert.ok(!text.includes(MARKER));
  assert.match(explain(run.diagnostics![0]!), /sample skipped: a symbolic link \(not followed\)/);
  assert.match(explain(run.diagnostics![1]!), /rawFioPath: expected a file name under raw\//);
  // The reader itself: no `..`, no absolute path, no link on the way.
  assert.match(relativePathProblem('raw/../../secret.json')!, /leaves the results directory/);
  assert.match(relativePathProblem('/etc/shadow')!, /absolute path/);
  await rm(join(dir, 'raw'), { recursive: true });
  await symlink(root, join(dir, 'raw'));
  await assert.rejects(
    readJsonUnder(dir, 'raw/secret.json', SampleSchema, 1e6),
    (e: unknown) =>
      e instanceof FileProblem &&
      /reached through the symbolic link raw\//.test(e.message) &&
      !e.message.includes(MARKER),
  );
  // A samples/ directory that is a link: the run cannot be read (exit 2), the message names it.
  await rm(join(dir, 'samples'), { recursive: true });
  await symlink(root, join(dir, 'samples'));
  await assert.rejects(
    loadRun(dir),
    (e: unknown) => e instanceof InputError && /samples: a symbolic link/.test(e.message),
  );
  // The results directory itself may be a link (results/latest).
  const { dir: real } = await tempCopy();
  await symlink(real, join(root, 'latest'));
  assert.equal((await loadRun(join(root, 'latest'))).samples.length, 24);
  await rm(root, { recursive: true, force: true });
});

test('run.json, profile.json and plan.json must be sound: one line naming file and field (exit 2)', async () => {
  const { root, dir } = await tempCopy();
  const manifest = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
  await writeFile(join(dir, 'run.json'), JSON.stringify({ ...manifest, startedAt: undefined, plannedSamples: -1 }));
  await assert.rejects(
    loadRun(dir),
    (e: unknown) =>
      e instanceof InputError &&
      e.lines.length === 1 &&
      /run\.json: startedAt: missing; plannedSamples: expected a non-negative integer$/.test(e.lines[0]!),
  );
  await writeFile(join(dir, 'run.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'plan.json'), `{"secret": "${MARKER}"`);
  await assert.rejects(
    loadRun(dir),
    (e: unknown) =>
      e instanceof InputError && /plan\.json: not valid JSON/.test(e.message) && !e.message.includes(MARKER),
  );
  await writeFile(join(dir, 'plan.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  await assert.rejects(loadRun(dir), /plan\.json: nested deeper than 64 levels/);
  await rm(root, { recursive: true, force: true });
});

test('reference records: a damaged one is skipped with a diagnostic', async () => {
  const root = await mkdtemp(join(tmpdir(), 'vblk-ref-'));
  await mkdir(join(root, 'reference'));
  await writeFile(join(root, 'reference', '0001-iodepth-1.json'), '{"schemaVersion": 1, "kind": "host-reference"}');
  const skipped: string[] = [];
  assert.deepEqual(await loadReference(root, (d) => skipped.push(explain(d))), []);
  assert.match(skipped[0]!, /0001-iodepth-1\.json: reference record skipped: fioKey: missing/);
  await rm(root, { recursive: true, force: true });
});

test('JSON nesting is measured without recursion; parse errors never quote the text', () => {
  const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
  assert.equal(nestsDeeperThan(deep), true);
  assert.equal(nestsDeeperThan({ a: [{ b: 1 }] }), false);
  assert.throws(
    () => parseJsonText(`root:x:0:0:${MARKER}`, 'f'),
    (e: unknown) => e instanceof FileProblem && e.message === 'f: not valid JSON: syntax error',
  );
});
