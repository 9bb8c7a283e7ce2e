/**
 * The axes of issue 3 through the planner: validation (allow-lists), canonical
 * key order, grouping by boot scope, the n/a collapse of axes a backend does
 * not have, impossible and unsupported cells with their reasons (verbatim),
 * `required: true`, pin CPUs, and what reaches the launch spec and fio job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { HostError, InputError } from '../../../src/model/errors.js';
import { makePlan } from '../../../src/plan/plan.js';
import { expandMatrix } from '../../../src/plan/cells.js';
import { hostFacts } from '../vm/fixtures.js';
import { launchSpecFor } from '../../../src/run/launch.js';
import { fioJobFor } from '../../../src/run/cell-job.js';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';

const profile = (yaml: string) => validateProfile(parseYaml(yaml), 'p');
function errorsOf(yaml: string): string[] {
  try {
    profile(yaml);
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    return err.lines;
  }
  assert.fail('expected validation to fail');
}

const HOST = hostFacts();

/** What makePlan throws for `p` on HOST. */
function planError(p: ReturnType<typeof profile>): unknown {
  try {
    makePlan(p, 'tcg', { host: HOST });
  } catch (err) {
    return err;
  }
  assert.fail('expected the plan to be refused');
}

const VHOST_BLK_REASON =
  'in-kernel vhost-blk is not available on this host: ' +
  '/dev/vhost-blk does not exist (module vhost_blk was never merged upstream: build and load the out-of-tree module of the 2022 "vhost-blk: in-kernel accelerator for virtio-blk guests" series); ' +
  'qemu-system-x86_64 has no device vhost-blk-pci (needs a QEMU built with the vhost-blk patches of the same series; set qemu.binary to it); ' +
  'the backing store is a file vblk-bench creates on /dev/shm, not a raw block device (set disk.path to a block device, e.g. a loop device made with `losetup --find --show FILE`)';

test('every new axis value is checked against an allow-list, with the exact path', () => {
  const cases: [string, string][] = [
    ['matrix:\n  aio: [posix]\n', 'matrix.aio[0]: expected one of threads, native, io_uring'],
    ['matrix:\n  cache: [directsync]\n', 'matrix.cache[0]: expected one of none, writeback'],
    [
      'matrix:\n  queue_size: [256, 100]\n',
      'matrix.queue_size[1]: expected one of 4, 8, 16, 32, 64, 128, 256, 512, 1024',
    ],
    ['matrix:\n  num_queues: [0]\n', 'matrix.num_queues[0]: expected a positive integer'],
    ['matrix:\n  num_queues: [65]\n', 'matrix.num_queues[0]: must be at most 64'],
    ['matrix:\n  vcpus: [2, "x"]\n', 'matrix.vcpus[1]: expected a positive integer'],
    ['matrix:\n  poll_max_ns: [-1]\n', 'matrix.poll_max_ns[0]: expected an integer from 0 to 1000000000'],
    ['matrix:\n  nomerges: [3]\n', 'matrix.nomerges[0]: expected an integer from 0 to 2'],
    ['matrix:\n  nr_requests: [2]\n', 'matrix.nr_requests[0]: expected an integer from 4 to 65536'],
    ['matrix:\n  rw: [write]\n', 'matrix.rw[0]: expected one of read, randread'],
    ['matrix:\n  bs: ["4k; reboot"]\n', 'matrix.bs[0]: expected a block size such as 512, 4k, 128k or 1m'],
    ['matrix:\n  bs: [4k, 4K]\n', 'matrix.bs[1]: duplicate of bs[0] (both mean 4k)'],
    ['matrix:\n  numjobs: [0]\n', 'matrix.numjobs[0]: expected a positive integer'],
    [
      'matrix:\n  backend: [vhost-scsi]\n',
      'matrix.backend[0]: expected a backend name (virtio-blk, virtio-blk-iothread, vhost-user-blk, vhost-blk) or {name: ..., options}',
    ],
    ['pin: {vcpus: [0, -1]}\nmatrix: {iodepth: [1]}\n', 'pin.vcpus[1]: expected a host CPU number'],
    ['pin: {iothreads: 1}\nmatrix: {iodepth: [1]}\n', 'pin.iothreads: unknown key'],
  ];
  for (const [yaml, line] of cases) assert.deepEqual(errorsOf(yaml), [line], yaml);
});

test('axes not named stay out of the cells: keys of existing profiles do not change', () => {
  const [cell] = expandMatrix(profile('matrix: {iodepth: [1]}'));
  assert.equal(cell!.key, 'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1');
});

test('canonical key order: backend, ioeventfd, other boot axes, guest axes, fio axes, iodepth last', () => {
  const p = profile(`
matrix:
  iodepth: [4]
  numjobs: [2]
  bs: [64k]
  rw: [randread]
  nr_requests: [64]
  nomerges: [2]
  scheduler: [none]
  poll_max_ns: [0]
  queue_size: [128]
  num_queues: [1]
  vcpus: [1]
  cache: [writeback]
  aio: [threads]
  ioeventfd: [on]
  backend: [virtio-blk-iothread]
`);
  assert.deepEqual(
    expandMatrix(p).map((c) => c.key),
    [
      'backend=virtio-blk-iothread,ioeventfd=on,aio=threads,cache=writeback,vcpus=1,num_queues=1,queue_size=128,poll_max_ns=0,' +
        'scheduler=none,nomerges=2,nr_requests=64,rw=randread,bs=64k,numjobs=2,iodepth=4',
    ],
  );
});

test('only boot axes cost a boot: one group per QEMU configuration', () => {
  const p = profile(`
matrix:
  aio: [threads, io_uring]
  vcpus: [1, 2]
  nomerges: [0, 2]
  nr_requests: [32, 64]
  rw: [read, randread]
  bs: [4k, 64k]
  numjobs: [1, 2]
  iodepth: [1, 4]
`);
  const plan = makePlan(p, 'tcg');
  assert.equal(plan.groups.length, 4);
  assert.deepEqual(
    plan.groups.map((g) => g.key),
    [
      'backend=virtio-blk,ioeventfd=on,aio=threads,vcpus=1',
      'backend=virtio-blk,ioeventfd=on,aio=threads,vcpus=2',
      'backend=virtio-blk,ioeventfd=on,aio=io_uring,vcpus=1',
      'backend=virtio-blk,ioeventfd=on,aio=io_uring,vcpus=2',
    ],
  );
  for (const g of plan.groups) assert.equal(g.cells.length, 2 * 2 * 2 * 2 * 2 * 2);
});

test('ioeventfd and poll_max_ns collapse to n/a where the backend lacks them: one cell, never duplicates', () => {
  const p = profile(`
matrix:
  backend: [virtio-blk, virtio-blk-iothread, vhost-user-blk]
  ioeventfd: [on, off]
  poll_max_ns: [0, 32768]
  iodepth: [1]
`);
  const plan = makePlan(p, 'tcg', { host: HOST });
  assert.deepEqual(
    plan.groups.map((g) => g.key),
    [
      'backend=virtio-blk,ioeventfd=on,poll_max_ns=n/a',
      'backend=virtio-blk,ioeventfd=off,poll_max_ns=n/a',
      'backend=virtio-blk-iothread,ioeventfd=on,poll_max_ns=0',
      'backend=virtio-blk-iothread,ioeventfd=on,poll_max_ns=32768',
      'backend=vhost-user-blk,ioeventfd=n/a,poll_max_ns=n/a',
    ],
  );
  const keys = plan.groups.flatMap((g) => g.cells.map((c) => c.key));
  assert.equal(new Set(keys).size, keys.length);
  const vu = plan.groups[4]!.cells[0]!;
  assert.deepEqual(vu.notApplicable, {
    ioeventfd: "vhost-user-blk has no ioeventfd property (its virtqueues are not served by QEMU's device emulation)",
    poll_max_ns: 'vhost-user-blk uses no QEMU iothread, so there is no poll-max-ns to set',
  });
  assert.deepEqual(vu.requested, {
    backend: 'vhost-user-blk',
    ioeventfd: 'n/a',
    poll_max_ns: 'n/a',
    scheduler: 'none',
    iodepth: 1,
  });
  assert.ok(
    vu.notices.includes(
      "ioeventfd: n/a — vhost-user-blk has no ioeventfd property (its virtqueues are not served by QEMU's device emulation); one cell for every ioeventfd value",
    ),
  );
  // iothread + ioeventfd=off is still impossible, not collapsed.
  assert.deepEqual(
    plan.pruned.map((x) => [x.cell.key, x.status]),
    [
      ['backend=virtio-blk-iothread,ioeventfd=off,poll_max_ns=0,scheduler=none,iodepth=1', 'impossible'],
      ['backend=virtio-blk-iothread,ioeventfd=off,poll_max_ns=32768,scheduler=none,iodepth=1', 'impossible'],
    ],
  );
});

test("aio=native with cache writeback is pruned at plan time with QEMU's rule", () => {
  const plan = makePlan(
    profile('matrix:\n  aio: [threads, native, io_uring]\n  cache: [none, writeback]\n  iodepth: [1]\n'),
    'tcg',
  );
  assert.equal(plan.groups.length, 5);
  assert.deepEqual(
    plan.pruned.map((p) => [p.cell.key, p.status, p.reason]),
    [
      [
        'backend=virtio-blk,ioeventfd=on,aio=native,cache=writeback,scheduler=none,iodepth=1',
        'impossible',
        'aio=native requires cache.direct=on: QEMU refuses aio=native with cache=writeback ("aio=native was specified, but it requires cache.direct=on"); use cache none, or aio threads or io_uring',
      ],
    ],
  );
  // The profile's disk.aio (native by default) meets a cache axis.
  const fromDefault = makePlan(profile('matrix:\n  cache: [none, writeback]\n'), 'tcg');
  assert.equal(
    fromDefault.pruned[0]!.reason,
    'aio=native requires cache.direct=on: QEMU refuses aio native (disk.aio) with cache=writeback ("aio=native was specified, but it requires cache.direct=on"); use cache none, or aio threads or io_uring',
  );
});

test('vhost-blk on a host without it: unsupported cells with the reason, the rest runs', () => {
  const plan = makePlan(
    profile('matrix:\n  backend: [virtio-blk, vhost-blk]\n  ioeventfd: [on, off]\n  iodepth: [1, 3]\n'),
    'tcg',
    { host: HOST },
  );
  assert.deepEqual(
    plan.groups.map((g) => g.key),
    ['backend=virtio-blk,ioeventfd=on', 'backend=virtio-blk,ioeventfd=off'],
  );
  assert.deepEqual(
    plan.pruned.map((p) => [p.cell.key, p.status, p.reason]),
    [1, 3].map((d) => [`backend=vhost-blk,ioeventfd=n/a,scheduler=none,iodepth=${d}`, 'unsupported', VHOST_BLK_REASON]),
  );
  // Without host facts the plan is host-blind (pure tests, other callers).
  assert.equal(makePlan(profile('matrix:\n  backend: [vhost-blk]\n'), 'tcg').pruned.length, 0);
});

test('required: true makes an unsupported backend an error before anything boots', () => {
  const err = planError(profile('matrix:\n  backend: [virtio-blk, {name: vhost-blk, required: true}]\n'));
  assert.ok(err instanceof HostError);
  assert.equal(err.message, `backend vhost-blk is required (required: true) but cannot run here: ${VHOST_BLK_REASON}`);
  assert.equal(
    err.hint,
    'make the host support it (see the reason), or remove required: true to record its cells as unsupported and run the rest',
  );
  // A required backend that the host has is fine.
  assert.equal(
    makePlan(profile('matrix:\n  backend: [{name: vhost-user-blk, required: true}]\n'), 'tcg', { host: HOST }).groups
      .length,
    1,
  );
});

test('pin CPUs that are not online are bad input at plan time', () => {
  const err = planError(profile('pin: {vcpus: [0, 2], storage_daemon: 7}\nmatrix: {iodepth: [1]}\n'));
  assert.ok(err instanceof InputError);
  assert.deepEqual(err.lines, [
    'pin.vcpus[1]: host CPU 2 is not online (online CPUs: 0-1)',
    'pin.storage_daemon: host CPU 7 is not online (online CPUs: 0-1)',
  ]);
});

test('a queue size set both on a backend entry and as an axis is refused', () => {
  const p = profile('matrix:\n  backend: [{name: vhost-user-blk, queue_size: 128}]\n  queue_size: [256]\n');
  assert.throws(
    () => makePlan(p, 'tcg'),
    /matrix\.backend\[0\]\.queue_size: the matrix also has a queue_size axis; set it in one place only/,
  );
});

const ctx = (p: ReturnType<typeof profile>) => ({
  profile: p,
  accel: 'tcg' as const,
  kernelPath: '/k',
  initrdPath: '/i',
  backingPath: '/dev/shm/b.raw',
  bootDir: '/r/boots/b1',
  sshHostPort: 0,
});

test('the launch spec gets the effective boot values: like-for-like queue size, num-queues = vCPUs', () => {
  const p = profile(
    'qemu: {vcpus: 2}\nmatrix:\n  backend: [virtio-blk, vhost-user-blk, {name: virtio-blk-iothread, label: io-q64, queue_size: 64}]\n  vcpus: [1, 4]\n',
  );
  const plan = makePlan(p, 'tcg', { host: HOST });
  const specs = plan.groups.map((g) => launchSpecFor(g, ctx(p)));
  assert.deepEqual(
    specs.map((s) => [s.device.backend, s.vcpus, s.device.queueSize, s.device.numQueues, s.device.iothreadId]),
    [
      ['virtio-blk', 1, 256, 1, undefined],
      ['virtio-blk', 4, 256, 4, undefined],
      ['vhost-user-blk', 1, 256, 1, undefined],
      ['vhost-user-blk', 4, 256, 4, undefined],
      ['virtio-blk-iothread', 1, 64, 1, 'iothread0'],
      ['virtio-blk-iothread', 4, 64, 4, 'iothread0'],
    ],
  );
  for (const s of specs) assert.ok(buildQemuArgs(s).length > 0);
  // Axes win over the profile's own fields; the disk node follows aio/cache.
  const q = profile(
    'disk: {aio: native, cache: none}\nmatrix:\n  backend: [virtio-blk-iothread]\n  aio: [io_uring]\n  cache: [writeback]\n  num_queues: [3]\n  queue_size: [512]\n  poll_max_ns: [0]\n',
  );
  const s = launchSpecFor(makePlan(q, 'tcg').groups[0]!, ctx(q));
  assert.deepEqual(
    [s.disk.aio, s.disk.cache, s.device.numQueues, s.device.queueSize, s.device.pollMaxNs],
    ['io_uring', 'writeback', 3, 512, 0],
  );
  assert.equal(
    launchSpecFor(makePlan(q, 'tcg').groups[0]!, { ...ctx(q), backingPath: '/dev/loop3' }).disk.blockDevice,
    true,
  );
  assert.equal(s.disk.blockDevice, false);
});

test('the fio job takes rw, bs and numjobs from the cell, else from fio:', () => {
  const p = profile('fio: {bs: 8k, numjobs: 3}\nmatrix:\n  rw: [read, randread]\n  bs: [4K, 1m]\n  iodepth: [2]\n');
  const jobs = makePlan(p, 'tcg').groups[0]!.cells.map((c) => fioJobFor(p, c, 'vdb'));
  assert.deepEqual(
    jobs.map((j) => [j.rw, j.bs, j.numjobs, j.iodepth, j.readonly]),
    [
      ['read', '4k', 3, 2, true],
      ['read', '1m', 3, 2, true],
      ['randread', '4k', 3, 2, true],
      ['randread', '1m', 3, 2, true],
    ],
  );
  const q = profile('matrix:\n  numjobs: [4]\n');
  const [job] = makePlan(q, 'tcg').groups[0]!.cells.map((c) => fioJobFor(q, c, 'vdb'));
  assert.deepEqual([job!.rw, job!.bs, job!.numjobs], ['read', '4k', 4]);
});

test('seed-2011: every backend of the thread; vhost-blk unsupported here, vhost-user-blk one group', async () => {
  const { loadProfile } = await import('../../../src/profile/load.js');
  const { REPO_ROOT } = await import('../../helpers/cli.js');
  const seed = await loadProfile(`${REPO_ROOT}/profiles/seed-2011.yaml`);
  const plan = makePlan(seed, 'tcg', { host: HOST });
  assert.equal(plan.groups.length, 4);
  assert.equal(plan.sampleCount, 4 * 3 * 6);
  assert.equal(plan.pruned.filter((p) => p.status === 'impossible').length, 3 * 6);
  assert.equal(plan.pruned.filter((p) => p.status === 'unsupported').length, 3 * 6);
  const ci = makePlan(await loadProfile(`${REPO_ROOT}/profiles/seed-2011-ci.yaml`), 'tcg', { host: HOST });
  assert.deepEqual([ci.groups.length, ci.sampleCount, ci.pruned.length], [4, 16, 8]);
});
