import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, parseYaml, validateProfile } from '../../../src/profile/load.js';
import { diskProblems, workloadsOf } from '../../../src/profile/disk-checks.js';
import { InputError } from '../../../src/model/errors.js';
import { makePlan } from '../../../src/plan/plan.js';
import { anyCellWrites, fioJobFor } from '../../../src/run/cell-job.js';
import { launchSpecFor } from '../../../src/run/launch.js';

const p = (yaml: string) => validateProfile(parseYaml(`${yaml}\nmatrix: {iodepth: [1]}\n`), 'p');

test('a write workload on a host block device is refused without allow_writes, as one path: problem line', () => {
  const profile = p('disk: {path: /dev/sdb}\nfio: {rw: randwrite}');
  assert.deepEqual(diskProblems(profile, 'block'), [
    'fio.rw: randwrite writes to the block device /dev/sdb (disk.path) and destroys its contents; refused unless the profile sets disk.allow_writes: true',
  ]);
  assert.deepEqual(diskProblems(p('disk: {path: /dev/sdb, allow_writes: true}\nfio: {rw: randwrite}'), 'block'), []);
  assert.deepEqual(diskProblems(p('disk: {path: /dev/sdb}\nfio: {rw: randread}'), 'block'), []);
  // A file the user names, or the created tmpfs file, may be written.
  assert.deepEqual(diskProblems(p('disk: {path: /data/x.raw}\nfio: {rw: write}'), 'file'), []);
  assert.deepEqual(diskProblems(p('fio: {rw: write}'), 'created'), []);
  assert.deepEqual(diskProblems(p('disk: {path: /nope}'), 'missing'), ['disk.path: /nope does not exist']);
});

test('loadProfile refuses it at validation time (exit 2), naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-dc-'));
  try {
    const file = join(dir, 'w.yaml');
    await writeFile(file, 'disk: {path: /dev/null}\nfio: {rw: write}\nmatrix: {iodepth: [1]}\n');
    // /dev/null is a character device: "neither a file nor a block device".
    await assert.rejects(
      loadProfile(file),
      (e: unknown) =>
        e instanceof InputError && e.lines[0] === `${file}: disk.path: /dev/null is neither a file nor a block device`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the workloads come from the matrix rw axis when there is one', () => {
  const profile = p('fio: {rw: write}');
  assert.deepEqual(workloadsOf(profile), [{ path: 'fio.rw', rw: 'write' }]);
  const withAxis = {
    ...profile,
    matrix: {
      ...profile.matrix,
      rw: [
        { requested: 'read', options: {} },
        { requested: 'randwrite', options: {} },
      ],
    },
  };
  assert.deepEqual(workloadsOf(withAxis as typeof profile), [
    { path: 'matrix.rw[0]', rw: 'read' },
    { path: 'matrix.rw[1]', rw: 'randwrite' },
  ]);
});

test('the test disk is read-only and fio --readonly for reads; writable, without --readonly, for writes', () => {
  for (const [rw, writes] of [
    ['read', false],
    ['randread', false],
    ['randwrite', true],
    ['randrw', true],
  ] as const) {
    const profile = p(`fio: {rw: ${rw}}`);
    const plan = makePlan(profile, 'tcg');
    const group = plan.groups[0]!;
    assert.equal(anyCellWrites(profile, group.cells), writes, rw);
    const spec = launchSpecFor(group, {
      profile,
      accel: 'tcg',
      kernelPath: '/k',
      initrdPath: '/i',
      backingPath: '/b',
      bootDir: '/d',
      sshHostPort: 0,
    });
    assert.equal(spec.disk.readOnly, !writes, rw);
    assert.equal(fioJobFor(profile, group.cells[0]!, 'vdb').readonly, !writes, rw);
  }
});

test('profile: guest kinds, reference and the new disk/fio values validate; typos do not', () => {
  const image = p('guest: {kind: image, path: /img/x.qcow2}');
  assert.deepEqual(image.guest, {
    kind: 'image',
    path: '/img/x.qcow2',
    user: 'root',
    host_key: 'seed',
    boot_timeout: 300,
  });
  const own = p('guest: {kind: builtin, kernel: /src/linux/arch/x86/boot/bzImage, image_hash: 241fbff651dc0c24}');
  assert.equal(own.guest.kind === 'builtin' && own.guest.kernel, '/src/linux/arch/x86/boot/bzImage');
  assert.equal(p('reference: host').reference, 'host');
  assert.equal(p('').reference, 'none');
  assert.equal(p('').disk.allow_writes, false);
  const errors = (yaml: string) => {
    try {
      p(yaml);
    } catch (e) {
      return (e as InputError).lines;
    }
    return [];
  };
  assert.deepEqual(errors('guest: {kind: image}'), ['guest.path: expected a string']);
  assert.deepEqual(errors('guest: {kind: image, path: /x, host_key: trust}'), [
    'guest.host_key: expected seed or tofu',
  ]);
  assert.deepEqual(errors('guest: {kind: image, path: "/x y.qcow2"}').length, 1);
  assert.deepEqual(errors('reference: guest'), ['reference: expected host or none']);
  assert.deepEqual(errors('fio: {rw: trim}'), [
    'fio.rw: expected one of read, randread, write, randwrite, readwrite, randrw',
  ]);
});
