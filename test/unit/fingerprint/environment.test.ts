import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkSubjects,
  compareFingerprints,
  describeDiff,
  fingerprintOf,
  subjectCovers,
} from '../../../src/fingerprint/environment.js';
import { alignSubjectAxes } from '../../../src/fingerprint/result-set.js';
import { InputError } from '../../../src/model/errors.js';
import { makeSample } from '../gate/sample-factory.js';

const environment = {
  accel: 'tcg',
  host: {
    hostname: 'ci-1',
    hostKernel: '6.1.0-18-amd64',
    cpuModel: 'Xeon',
    mitigations: { mds: 'Not affected' },
    nodeVersion: 'v20.1.0',
  },
  qemu: { binary: 'qemu-system-x86_64', version: '7.2.22', banner: 'QEMU emulator version 7.2.22' },
  guest: { kind: 'builtin', imageHash: 'abc', kernel: '6.1.0-56-amd64' },
  tool: '0.1.0',
};
const profile = {
  name: 'quick',
  qemu: { binary: 'qemu-system-x86_64', memory: 536870912 },
  fio: { bs: '4k', runtime: 3 },
  repetitions: 6,
  matrix: {
    ioeventfd: [
      { requested: 'on', options: {} },
      { requested: 'off', options: {} },
    ],
    backend: [{ requested: 'fast', options: { backend: 'virtio-blk', queue_size: 128 } }],
  },
};
const sample = makeSample({ ioeventfd: 'on' }, { iops: 1 });
sample.observed = { guestKernel: '6.1.0-56-amd64', guestFio: 'fio-3.33' };

function variant(patch: (e: typeof environment, p: typeof profile) => void) {
  const e = structuredClone(environment);
  const p = structuredClone(profile);
  patch(e, p);
  return fingerprintOf({ environment: e, profile: p, samples: [sample] });
}

describe('fingerprintOf', () => {
  it('flattens the environment, the profile (under profile.) and facts read back from the samples', () => {
    const fp = fingerprintOf({ environment, profile, samples: [sample] });
    assert.equal(fp['host.hostKernel'], '6.1.0-18-amd64');
    assert.equal(fp['host.mitigations.mds'], 'Not affected');
    assert.equal(fp['qemu.version'], '7.2.22');
    assert.equal(fp['qemu.binary'], undefined, 'the profile holds the binary');
    assert.equal(fp['profile.qemu.binary'], 'qemu-system-x86_64');
    assert.equal(fp['profile.fio.bs'], '4k');
    assert.equal(fp['profile.matrix.ioeventfd'], 'on, off');
    assert.equal(fp['profile.matrix.backend'], 'fast{"backend":"virtio-blk","queue_size":128}');
    assert.equal(fp['guest.runningKernel'], '6.1.0-56-amd64');
    assert.equal(fp['guest.fio'], 'fio-3.33');
    assert.equal(fp['tool.version'], '0.1.0');
  });

  it('observed facts given as values (a published run) fingerprint like the samples that carry them', () => {
    const second = makeSample({ ioeventfd: 'off' }, { iops: 2 });
    second.observed = { guestKernel: '6.1.0-57-amd64', guestFio: 'fio-3.33' };
    const fromSamples = fingerprintOf({ environment, profile, samples: [sample, second] });
    const fromValues = fingerprintOf({
      environment,
      profile,
      observed: { guestKernel: ['6.1.0-57-amd64', '6.1.0-56-amd64'], guestFio: ['fio-3.33'] },
    });
    assert.equal(fromSamples['guest.runningKernel'], '6.1.0-56-amd64, 6.1.0-57-amd64');
    assert.deepEqual(fromValues, fromSamples);
    // Given values stand for every sample: none for a key means none, whatever guestFio the caller has.
    assert.equal(fingerprintOf({ environment, profile, observed: {} })['guest.runningKernel'], undefined);
  });

  it('takes the guest fio version from the caller when samples do not carry it', () => {
    const fp = fingerprintOf({ environment, profile, samples: [], guestFio: 'fio-3.36' });
    assert.equal(fp['guest.fio'], 'fio-3.36');
  });
});

describe('compareFingerprints: subject vs environment', () => {
  const base = fingerprintOf({ environment, profile, samples: [sample] });

  it('an environment difference is an environment difference unless declared as the subject', () => {
    const other = variant((e) => (e.host.hostKernel = '6.12.0'));
    assert.deepEqual(
      compareFingerprints(base, other, []).environment.map((d) => d.path),
      ['host.hostKernel'],
    );
    const declared = compareFingerprints(base, other, ['host.hostKernel']);
    assert.deepEqual(declared.environment, []);
    assert.deepEqual(declared.subject.map(describeDiff), ['host.hostKernel: 6.1.0-18-amd64 → 6.12.0']);
  });

  it('--subject qemu.binary covers the profile field and the version and banner the binary implies', () => {
    const other = variant((e, p) => {
      p.qemu.binary = '/opt/qemu-9/bin/qemu-system-x86_64';
      e.qemu.version = '9.0.0';
      e.qemu.banner = 'QEMU emulator version 9.0.0';
    });
    const c = compareFingerprints(base, other, ['qemu.binary']);
    assert.deepEqual(c.environment, []);
    assert.deepEqual(c.subject.map((d) => d.path).sort(), ['profile.qemu.binary', 'qemu.banner', 'qemu.version']);
    assert.equal(compareFingerprints(base, other, []).environment.length, 3);
  });

  it('--subject guest.kernel covers the image hash and the running kernel; matrix.<axis> the profile axis', () => {
    const other = variant((e, p) => {
      e.guest.kernel = '6.12.0';
      e.guest.imageHash = 'def';
      p.matrix.ioeventfd = [{ requested: 'on', options: {} }];
    });
    const c = compareFingerprints(base, other, ['guest.kernel', 'matrix.ioeventfd']);
    assert.deepEqual(c.environment, []);
    assert.deepEqual(c.subject.map((d) => d.path).sort(), [
      'guest.imageHash',
      'guest.kernel',
      'profile.matrix.ioeventfd',
    ]);
  });

  it('a rebuilt guest names the packages that moved; --subject guest.kernel also covers the kernel package and its ABI', () => {
    const withPackages = (kernel: string, abi: string, busybox: string) =>
      variant((e) =>
        Object.assign(e.guest, {
          initramfsModules: abi,
          packages: { kernel, busybox, dropbear: '2022.83-1+deb12u3', fio: '3.33-3' },
        }),
      );
    const a = withPackages('6.1.176-1', '6.1.0-50-amd64', '1:1.35.0-4+b3');
    const b = withPackages('6.1.192-3', '6.1.0-57-amd64', '1:1.35.0-4+deb12u1+b1');
    assert.deepEqual(compareFingerprints(a, b, []).environment.map(describeDiff), [
      'guest.initramfsModules: 6.1.0-50-amd64 → 6.1.0-57-amd64',
      'guest.packages.busybox: 1:1.35.0-4+b3 → 1:1.35.0-4+deb12u1+b1',
      'guest.packages.kernel: 6.1.176-1 → 6.1.192-3',
    ]);
    const declared = compareFingerprints(a, b, ['guest.kernel']);
    assert.deepEqual(
      declared.subject.map((d) => d.path),
      ['guest.initramfsModules', 'guest.packages.kernel'],
    );
    assert.deepEqual(
      declared.environment.map((d) => d.path),
      ['guest.packages.busybox'],
      'other packages are still the environment',
    );
  });

  it('host name, Node.js version and repetitions are informational; a fact recorded on one side only too', () => {
    const other = variant((e, p) => {
      e.host.hostname = 'ci-2';
      e.host.nodeVersion = 'v22.0.0';
      p.repetitions = 10;
      (e.guest as Record<string, unknown>).initramfsModules = 'x';
    });
    const c = compareFingerprints(base, other, []);
    assert.deepEqual(c.environment, []);
    assert.deepEqual(c.info.map((d) => d.path).sort(), [
      'guest.initramfsModules',
      'host.hostname',
      'host.nodeVersion',
      'profile.repetitions',
    ]);
  });

  it('a profile field absent on one side is still an environment difference (absent means its default)', () => {
    const other = variant((_e, p) => ((p as Record<string, unknown>).disk = { path: '/dev/nvme0n1' }));
    assert.deepEqual(
      compareFingerprints(base, other, []).environment.map((d) => d.path),
      ['profile.disk.path'],
    );
  });

  it('insight.sampling: stating the default is no difference, the in-window opt-in is one of environment', () => {
    const sampling = (value: string) =>
      variant((_e, p) => ((p as Record<string, unknown>).insight = { sampling: value }));
    assert.deepEqual(compareFingerprints(base, sampling('outside-window'), []).environment, []);
    const inWindow = compareFingerprints(base, sampling('in-window'), []);
    assert.deepEqual(inWindow.environment.map(describeDiff), ['profile.insight.sampling: (absent) → in-window']);
    assert.deepEqual(compareFingerprints(base, sampling('in-window'), ['insight.sampling']).environment, []);
  });

  it('subject paths match on dot boundaries only', () => {
    assert.ok(subjectCovers('qemu', 'qemu.version'));
    assert.ok(subjectCovers('qemu', 'profile.qemu.memory'));
    assert.ok(!subjectCovers('qemu.bin', 'qemu.binary'));
    assert.ok(subjectCovers('profile.fio', 'profile.fio.bs'));
  });

  it('a subject that names no field is bad input, not a silent no-op', () => {
    assert.throws(
      () => checkSubjects(['qemu.binry'], [base]),
      (err: unknown) => err instanceof InputError && /qemu\.binry/.test(err.message),
    );
    assert.doesNotThrow(() => checkSubjects(['qemu.binary', 'matrix.backend'], [base]));
  });
});

describe('alignSubjectAxes', () => {
  const a = [makeSample({ backend: 'virtio-blk', iodepth: 1 }, { iops: 1 })];
  const b = [makeSample({ backend: 'virtio-blk-iothread', iodepth: 1 }, { iops: 2 })];

  it('pairs cells without a subject axis that has one different value per side', () => {
    const r = alignSubjectAxes(a, b, ['matrix.backend']);
    assert.deepEqual(r.folded, ['backend']);
    assert.equal(r.a[0]?.cellKey, 'iodepth=1');
    assert.equal(r.b[0]?.cellKey, 'iodepth=1');
  });

  it('leaves keys alone without such a subject', () => {
    assert.deepEqual(alignSubjectAxes(a, b, ['qemu.binary']).folded, []);
    assert.deepEqual(alignSubjectAxes(a, a, ['matrix.backend']).folded, [], 'same value on both sides');
  });
});
