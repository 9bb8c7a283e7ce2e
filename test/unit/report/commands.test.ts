/** doctor's verdicts, merge's refusals, list rows, schema and init (pure parts; the CLI is in test/e2e). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctorExitCode } from '../../../src/cli/commands/doctor.js';
import { evaluateDoctor, type DoctorFacts } from '../../../src/host/doctor.js';
import { renderDoctor } from '../../../src/report/export/doctor-text.js';
import { listRows } from '../../../src/report/export/runs-text.js';
import { overviewOf } from '../../../src/store/run-overview.js';
import { buildRunListing } from '../../../src/report/run-listing.js';
import { mergeProblems } from '../../../src/fingerprint/merge.js';
import { profileJsonSchema } from '../../../src/cli/commands/schema.js';
import { starterProfile } from '../../../src/cli/commands/init.js';
import { loadProfile } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { loadFixtureRun } from '../../helpers/fixture-run.js';

const goodHost: DoctorFacts = {
  qemu: { binary: 'qemu-system-x86_64', version: '8.2.2', banner: 'QEMU emulator version 8.2.2' },
  kvm: { devicePresent: true, openable: true, provider: 'kvm_intel' },
  vhost: { '/dev/vhost-net': 'rw', '/dev/vhost-scsi': 'absent', '/dev/vhost-blk': 'absent' },
  storageDaemon: 'qemu-storage-daemon version 8.2.2',
  guestImage: {
    present: true,
    detail: '/cache/guest/x',
    kernelPackage: { name: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' },
  },
  aptKernel: {
    package: 'linux-image-6.1.0-57-amd64',
    version: '6.1.192-3',
    listsChangedAt: '2026-12-02T18:06:37.838Z',
  },
  memAvailableKiB: 8 * 1024 * 1024,
  shmFreeBytes: 4 * 1024 ** 3,
  governor: 'performance',
  turbo: 'intel_pstate no_turbo=1',
};

describe('doctor', () => {
  const level = (facts: DoctorFacts, name: string) => evaluateDoctor(facts).find((c) => c.name === name)?.level;

  it('a good KVM host: everything ok or optional, exit 0', () => {
    const checks = evaluateDoctor(goodHost);
    assert.ok(
      checks.every((c) => c.level === 'ok' || c.level === 'info'),
      renderDoctor({ checks }),
    );
    assert.equal(doctorExitCode(checks), 0);
  });

  it('no QEMU or too little memory: an error with a hint, exit 3', () => {
    const noQemu = evaluateDoctor({
      ...goodHost,
      qemu: { binary: 'qemu-system-x86_64', version: null, banner: null, error: 'QEMU binary not found' },
    });
    assert.equal(noQemu.find((c) => c.name === 'QEMU')?.level, 'error');
    assert.match(noQemu.find((c) => c.name === 'QEMU')!.hint!, /apt-get install qemu-system-x86/);
    assert.equal(doctorExitCode(noQemu), 3);
    assert.equal(level({ ...goodHost, memAvailableKiB: 300 * 1024 }, 'memory'), 'error');
    assert.equal(level({ ...goodHost, shmFreeBytes: 64 * 1024 * 1024 }, '/dev/shm'), 'error');
  });

  it('KVM: permission, absence and kvm_pvm are warnings (TCG runs) with the right hint', () => {
    const fix = (kvm: DoctorFacts['kvm']) => evaluateDoctor({ ...goodHost, kvm }).find((c) => c.name === 'KVM')!;
    assert.match(
      fix({ devicePresent: true, openable: false, openError: 'EACCES', provider: 'kvm_intel' }).hint!,
      /kvm group|usermod -aG kvm/,
    );
    assert.match(fix({ devicePresent: false, openable: false, provider: null }).hint!, /VT-x\/AMD-V/);
    const pvm = fix({ devicePresent: true, openable: true, provider: 'kvm_pvm' });
    assert.equal(pvm.level, 'warning');
    assert.match(pvm.hint!, /kvm_intel or kvm_amd/);
    assert.equal(
      doctorExitCode(evaluateDoctor({ ...goodHost, kvm: { devicePresent: false, openable: false, provider: null } })),
      0,
    );
  });

  it('guest kernel: a newer kernel in the apt lists than the cached guest has is a warning naming both, and the pin docs', () => {
    const moved = evaluateDoctor({
      ...goodHost,
      guestImage: {
        ...goodHost.guestImage,
        kernelPackage: { name: 'linux-image-6.1.0-50-amd64', version: '6.1.176-1' },
      },
    });
    const check = moved.find((c) => c.name === 'guest kernel')!;
    assert.equal(check.level, 'warning');
    assert.match(
      check.detail,
      /offer linux-image-6\.1\.0-57-amd64 6\.1\.192-3, newer than the cached guest's linux-image-6\.1\.0-50-amd64 6\.1\.176-1/,
    );
    assert.match(check.hint!, /guest import --expect-hash/);
    assert.equal(doctorExitCode(moved), 0, 'a warning, not a failure: the host can run');
    assert.equal(level(goodHost, 'guest kernel'), 'ok');
    assert.equal(
      level({ ...goodHost, aptKernel: { unavailable: 'apt-cache not found (not a Debian host)' } }, 'guest kernel'),
      'info',
    );
  });

  it('noise sources: governor and turbo are warnings with the command that fixes them', () => {
    const checks = evaluateDoctor({ ...goodHost, governor: 'powersave', turbo: 'intel_pstate no_turbo=0' });
    assert.match(checks.find((c) => c.name === 'CPU governor')!.hint!, /performance/);
    assert.match(checks.find((c) => c.name === 'turbo')!.hint!, /no_turbo/);
    assert.equal(level({ ...goodHost, governor: null, turbo: null }, 'CPU governor'), 'info');
  });
});

describe('merge refusals', () => {
  /** The recorded run again, as another shard: other repetition numbers, so nothing overlaps. */
  const shard = (run: Awaited<ReturnType<typeof loadFixtureRun>>, over: Record<string, unknown> = {}) =>
    ({
      ...run,
      dir: 'b',
      samples: run.samples.map((s) => ({ ...s, repetition: s.repetition + 10 })),
      ...over,
    }) as typeof run;

  it('different profile, settings, accel, environment, or the same cell × repetition twice', async () => {
    const run = await loadFixtureRun();
    assert.deepEqual(mergeProblems([run, shard(run)]), []);
    assert.match(
      mergeProblems([run, shard(run, { manifest: { ...run.manifest, profileName: 'other' } })]).join('\n'),
      /profile other/,
    );
    const profile = run.profile as { fio: Record<string, unknown> };
    assert.match(
      mergeProblems([run, shard(run, { profile: { ...profile, fio: { ...profile.fio, runtime: 5 } } })]).join('\n'),
      /differs from .*: profile\.fio\.runtime: 2 → 5/,
    );
    assert.deepEqual(
      mergeProblems([run, shard(run, { profile: { ...profile, repetitions: 2 } })]),
      [],
      'repetitions cannot change a value',
    );
    assert.match(
      mergeProblems([run, shard(run, { environment: { ...run.environment, accel: 'kvm' } })]).join('\n'),
      /accel: tcg → kvm/,
    );
    const env = run.environment as { qemu: Record<string, unknown> };
    assert.match(
      mergeProblems([
        run,
        shard(run, { environment: { ...run.environment, qemu: { ...env.qemu, version: '9.0.0' } } }),
      ]).join('\n'),
      /qemu\.version: 7\.2\.22 → 9\.0\.0/,
    );
    assert.match(mergeProblems([run, { ...run, dir: 'b' }]).join('\n'), /iodepth=1 r0 is in both/);
    assert.match(mergeProblems([run, run]).join('\n'), /is in both/, 'the same directory twice');
  });

  it('host name and Node version do not make environments different', async () => {
    const run = await loadFixtureRun();
    const env = run.environment as { host: Record<string, unknown> };
    assert.deepEqual(
      mergeProblems([
        run,
        shard(run, {
          environment: { ...run.environment, host: { ...env.host, hostname: 'runner-2', nodeVersion: 'v22' } },
        }),
      ]),
      [],
    );
  });
});

describe('list', () => {
  it('a row per run with date, profile, accel, cells, samples and status; unreadable ones say why', async () => {
    const run = await loadFixtureRun();
    const rows = listRows(
      buildRunListing([
        { dir: run.dir, overview: overviewOf(run) },
        { dir: '/x/broken', overview: null, error: 'run.json: not valid JSON' },
      ]),
    );
    assert.deepEqual(rows[1]!.slice(0, 6), ['2026-11-26 05:17 UTC', 'quick', 'tcg', '4', '24 ok/24', 'complete']);
    assert.equal(rows[2]![5], 'unreadable: run.json: not valid JSON');
  });
});

describe('schema and init', () => {
  it('the JSON Schema describes the input side of the profile: unit strings allowed, name optional, axes described', () => {
    const s = profileJsonSchema() as { properties: Record<string, any>; required: string[]; $schema: string };
    assert.match(s.$schema, /json-schema\.org/);
    assert.deepEqual(s.required, ['matrix']);
    assert.deepEqual(s.properties.qemu.properties.memory.type, ['string', 'number']);
    assert.equal(s.properties.qemu.additionalProperties, false);
    assert.match(s.properties.matrix.properties.ioeventfd.description, /scope: boot/);
    assert.equal(
      s.properties.matrix.properties.iodepth.items.anyOf?.[0]?.type ??
        s.properties.matrix.properties.iodepth.items.type,
      'integer',
    );
  });

  it('init writes a starter profile that the real loader accepts, with a non-empty plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-init-'));
    const path = join(dir, 'my-bench.yaml');
    await writeFile(path, starterProfile('my-bench'));
    const profile = await loadProfile(path);
    assert.equal(profile.name, 'my-bench');
    assert.equal(profile.repetitions, 6);
    const plan = makePlan(profile, 'tcg');
    assert.equal(plan.groups.length, 3, 'virtio-blk × on/off, iothread × on (off pruned)');
    assert.equal(plan.pruned.length, 3);
    assert.match(starterProfile('x'), /^# yaml-language-server: \$schema=vblk-bench\.schema\.json$/m);
  });
});
