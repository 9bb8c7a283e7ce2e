import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFioArgs, fioJobNotices, type FioJob } from '../../../src/guest/fio-job.js';
import { InputError } from '../../../src/model/errors.js';

const JOB: FioJob = {
  name: 'vblk',
  filename: '/dev/vdb',
  rw: 'read',
  bs: '4k',
  ioengine: 'libaio',
  iodepth: 8,
  direct: true,
  runtimeS: 10,
  rampTimeS: 2,
  numjobs: 1,
  readonly: true,
};

test('buildFioArgs produces the documented argv', () => {
  assert.deepEqual(buildFioArgs(JOB), [
    'fio',
    '--name=vblk',
    '--filename=/dev/vdb',
    '--rw=read',
    '--bs=4k',
    '--ioengine=libaio',
    '--iodepth=8',
    '--direct=1',
    '--runtime=10s',
    '--ramp_time=2s',
    '--time_based',
    '--numjobs=1',
    '--group_reporting',
    '--output-format=json',
    '--readonly',
  ]);
  assert.ok(buildFioArgs({ ...JOB, size: '16M' }).includes('--size=16M'));
  assert.ok(buildFioArgs({ ...JOB, direct: false }).includes('--direct=0'));
});

test('read workloads are always --readonly; writes only when not read-only', () => {
  assert.ok(buildFioArgs({ ...JOB, rw: 'randread', readonly: false }).includes('--readonly'));
  const w = buildFioArgs({ ...JOB, rw: 'randwrite', readonly: false });
  assert.ok(!w.includes('--readonly'));
  assert.throws(
    () => buildFioArgs({ ...JOB, rw: 'write', readonly: true }),
    /fio job rw: "write" is not allowed \(expected a read workload/,
  );
});

test('every field is checked, and the error names it', () => {
  const cases: Array<[Partial<FioJob>, string]> = [
    [{ name: 'a b' }, 'name'],
    [{ name: '' }, 'name'],
    [{ filename: '/dev/sda' }, 'filename'],
    [{ filename: '/etc/passwd' }, 'filename'],
    [{ filename: '/dev/shm' }, 'filename'],
    [{ filename: 'vdb' }, 'filename'],
    [{ filename: '/dev/vdb;reboot' }, 'filename'],
    [{ filename: '/dev/vdb:/dev/vdc' }, 'filename'],
    [{ filename: '/tmp/../etc/passwd' }, 'filename'],
    [{ filename: '/dev/vdB' }, 'filename'],
    [{ rw: 'reed' }, 'rw'],
    [{ rw: 'read --write_iolog=x' }, 'rw'],
    [{ bs: '4 k' }, 'bs'],
    [{ bs: '0' }, 'bs'],
    [{ bs: '4kb' }, 'bs'],
    [{ ioengine: 'rbd' }, 'ioengine'],
    [{ iodepth: 0 }, 'iodepth'],
    [{ iodepth: 1.5 }, 'iodepth'],
    [{ iodepth: 5000 }, 'iodepth'],
    [{ runtimeS: 0 }, 'runtimeS'],
    [{ rampTimeS: -1 }, 'rampTimeS'],
    [{ numjobs: 0 }, 'numjobs'],
    [{ size: '16 M' }, 'size'],
    [{ size: '$(x)' }, 'size'],
    [{ direct: 1 as unknown as boolean }, 'direct'],
    [{ readonly: 'yes' as unknown as boolean }, 'readonly'],
  ];
  for (const [patch, field] of cases) {
    assert.throws(
      () => buildFioArgs({ ...JOB, ...patch }),
      (err: unknown) => err instanceof InputError && err.message.startsWith(`fio job ${field}:`),
      `expected an error naming ${field} for ${JSON.stringify(patch)}`,
    );
  }
});

test('plain files in scratch directories are accepted (host-side tests)', () => {
  for (const f of ['/dev/shm/vblk-fixture', '/tmp/x/y.img', '/var/tmp/a', '/mnt/scratch/file']) {
    assert.ok(buildFioArgs({ ...JOB, filename: f }).includes(`--filename=${f}`));
  }
});

test('fioJobNotices explains options fio accepts but does not honour', () => {
  assert.deepEqual(fioJobNotices(JOB), []);
  assert.match(fioJobNotices({ ...JOB, ioengine: 'psync' }).join('\n'), /synchronous: fio caps iodepth 8 at 1/);
  assert.match(fioJobNotices({ ...JOB, direct: false }).join('\n'), /libaio without direct=1/);
});
