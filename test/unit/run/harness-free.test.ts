/**
 * The harness-free job and its outcome: the argv in the archive is the run's
 * argv with the disk left to the guest; the settings are the run's, in its
 * order; a sample counts only when the guest ran no SSH server, read every
 * setting back as asked, ran exactly the run's argv and printed fio's output
 * whole. And the fidelity file goes round through its validated reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import {
  harnessFreeEntries,
  harnessFreeJobs,
  fioArgvFor,
  TEST_DISK_PLACEHOLDER,
} from '../../../src/run/harness-free-job.js';
import { harnessFreeSample } from '../../../src/run/harness-free-sample.js';
import { parseFidelityConsole } from '../../../src/guest/fidelity-console.js';
import { loadFidelity, writeFidelity } from '../../../src/calibrate/fidelity-file.js';
import { InputError } from '../../../src/model/errors.js';
import { fidelityFile } from '../calibrate/fidelity-fixture.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const profile = validateProfile(
  parseYaml('fio:\n  runtime: 3s\nmatrix:\n  scheduler: [deadline]\n  nr_requests: [32]\n  iodepth: [1, 4]\n'),
  'p',
);
const cells = makePlan(profile, 'tcg').groups[0]!.cells;
const N = 'feedfacefeedface';
const say = (t: string) => `VBLK-FIDELITY ${N} ${t}`;

test('jobs: the run argv with a placeholder for the disk; the settings in the run order, legacy names mapped', () => {
  const jobs = harnessFreeJobs(profile, cells);
  assert.deepEqual(
    jobs.map((j) => j.id),
    ['01', '02'],
  );
  const expected = fioArgvFor(profile, cells[0]!, 'vdb').map((a) =>
    a === '--filename=/dev/vdb' ? TEST_DISK_PLACEHOLDER : a,
  );
  assert.deepEqual(jobs[0]!.argv, expected);
  assert.deepEqual(jobs[0]!.settings, [
    { axis: 'scheduler', value: 'mq-deadline' },
    { axis: 'nr_requests', value: 32 },
  ]);
  const entries = harnessFreeEntries(jobs, { init: '#!/bin/sh\n', nonce: N, diskSerial: 'vblk-test' });
  const argvFile = entries.find((e) => e.path === 'vblk-fidelity/jobs/01/argv')!;
  assert.equal(argvFile.data, expected.map((a) => `${a}\n`).join(''));
  assert.equal(
    entries.find((e) => e.path === 'vblk-fidelity/jobs/02/settings')!.data,
    'scheduler mq-deadline\nnr_requests 32\n',
  );
});

async function consoleFor(opts: { sshd?: string; argv?: string[]; scheduler?: string; out?: string; rc?: number }) {
  const out = opts.out ?? (await readFile(join(REPO_ROOT, 'test/fixtures/fio/libaio-direct0-qd1.stdout'), 'utf8'));
  const argv = opts.argv ?? fioArgvFor(profile, cells[0]!, 'vda');
  const text = [
    say(`BOOT device=vda sshd=${opts.sshd ?? 'absent'} kernel=6.1`),
    say(`SETTING 01 scheduler ${opts.scheduler ?? 'none [mq-deadline] kyber'}`),
    say('SETTING 01 nr_requests 32'),
    say(`ARGV 01 ${argv.join(' ')}`),
    say(`BEGIN 01 rc=${opts.rc ?? 0}`),
    out.endsWith('\n') ? out.slice(0, -1) : out,
    say(`END 01 bytes=${Buffer.byteLength(out)} sha256=${createHash('sha256').update(out).digest('hex')}`),
    ...(opts.rc ? [say('STDERR 01 fio: bad things')] : []),
  ].join('\n');
  return parseFidelityConsole(text, N);
}

test('sample: ok with the metrics of fio output that arrived whole', async () => {
  const job = harnessFreeJobs(profile, cells)[0]!;
  const s = harnessFreeSample(profile, job, await consoleFor({}), 'lost');
  assert.equal(s.status, 'ok', s.reason);
  assert.ok(s.metrics.iops! > 0);
  assert.deepEqual(s.observed, { device: 'vda', sshd: 'absent', scheduler: 'mq-deadline', nr_requests: 32 });
});

test('sample: invalid with an SSH server, another argv or a setting that did not take; failed when fio did', async () => {
  const job = harnessFreeJobs(profile, cells)[0]!;
  const of = async (o: Parameters<typeof consoleFor>[0]) =>
    harnessFreeSample(profile, job, await consoleFor(o), 'QEMU exited');
  assert.match((await of({ sshd: 'listening' })).reason!, /SSH server ran/);
  const other = fioArgvFor(profile, cells[1]!, 'vda');
  assert.equal((await of({ argv: other })).status, 'invalid');
  const sched = await of({ scheduler: '[none] mq-deadline' });
  assert.equal(sched.status, 'invalid');
  assert.match(sched.reason!, /scheduler=none, the cell asked for mq-deadline/);
  assert.match((await of({ rc: 1 })).reason!, /fio exited with 1: fio: bad things/);
  const missing = harnessFreeSample(
    profile,
    harnessFreeJobs(profile, cells)[1]!,
    await consoleFor({}),
    'QEMU exited (code 0)',
  );
  assert.equal(missing.status, 'failed');
  assert.match(missing.reason!, /did not run this cell: QEMU exited/);
});

test('fidelity file: written and read back through the schema; a bad field is one line naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-fidelity-'));
  try {
    const file = fidelityFile({ k: { normal: [1, 2, 3], harnessFree: [2, 3, 4] } });
    await writeFidelity(dir, file);
    const back = await loadFidelity(dir);
    assert.deepEqual(back.file, file);
    assert.equal(back.dir, dir);
    await writeFile(join(dir, 'fidelity.json'), JSON.stringify({ ...file, pairs: -1 }));
    await assert.rejects(
      loadFidelity(dir),
      (err: unknown) => err instanceof InputError && /pairs/.test(err.message) && err.lines.length === 1,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
