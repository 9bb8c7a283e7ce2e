/**
 * End to end under TCG through the real CLI: every I/O path of the 2011
 * thread in one run (profiles/seed-2011-ci.yaml) — real qemu-storage-daemon
 * behind vhost-user-blk beside in-QEMU virtio-blk, in-kernel vhost-blk
 * reported `unsupported` with its reason —, the new boot/guest/fio axes and
 * pinning read back from the running system, and `required: true` failing
 * before anything boots. About 80 s together (1 s fio windows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { leftoverProcesses, processesMatching } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';
import { parseCpuList } from '../../src/profile/pin.js';
import { explain, storedWarning } from '../../src/model/diagnostic.js';

async function runIn(args: string[]): Promise<{ out: string; r: Awaited<ReturnType<typeof runCli>> }> {
  const out = await mkdtemp(join(tmpdir(), 'vblk-e2e-backends-'));
  const r = await runCli(['run', '--quiet', '--out', out, ...args], { timeoutMs: 300_000 });
  return { out, r };
}

const noDaemonLeft = async (out: string) => {
  assert.deepEqual(
    await leftoverProcesses(out),
    [],
    'no QEMU or qemu-storage-daemon of this run left (checked in /proc)',
  );
  assert.deepEqual(
    processesMatching('qemu-storage-daemon').filter((p) => p.cmdline.includes(out)),
    [],
  );
};

test('seed-2011-ci: vhost-user-blk (real daemon) beside virtio-blk, vhost-blk unsupported with its reason, exit 0', async () => {
  const { out, r } = await runIn(['profiles/seed-2011-ci.yaml']);
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.match(
    r.stderr,
    /warning: 4 cell\(s\) unsupported on this host, recorded as such: in-kernel vhost-blk is not available on this host: \/dev\/vhost-blk does not exist/,
  );
  assert.match(r.stdout, /backend=vhost-user-blk ioeventfd=n\/a/);
  assert.match(r.stdout, /unsupported/);

  const [dirName] = await readdir(out);
  const run = await loadRun(join(out, dirName!));
  assert.equal(run.manifest.status, 'complete');
  assert.ok(
    run.manifest.warnings
      .map(storedWarning)
      .some((w) =>
        explain(w).startsWith(
          '4 cell(s) unsupported on this host, recorded as such: in-kernel vhost-blk is not available',
        ),
      ),
  );
  const by = (backend: string) => run.samples.filter((s) => s.cell.backend === backend);
  for (const backend of ['virtio-blk', 'virtio-blk-iothread', 'vhost-user-blk']) {
    assert.ok(by(backend).length > 0, backend);
    for (const s of by(backend)) {
      assert.equal(s.status, 'ok', `${s.cellKey}: ${s.reason}`);
      assert.ok(s.metrics.iops!.value > 0, `${s.cellKey} IOPS`);
      assert.equal(s.observed.queue_size, 256, 'like-for-like queue size, read back over QMP');
      assert.equal(s.observed.num_queues, 2);
    }
  }
  for (const s of by('vhost-user-blk')) {
    assert.equal(s.cell.ioeventfd, 'n/a');
    assert.equal(s.observed.ioeventfd, 'n/a');
    assert.match(String(s.observed.testDiskLocatedBy), /^pci 0000:00:[0-9a-f]{2}\.0$/);
    assert.equal(s.observed.storageDaemonExport, 'vhost-user-blk vblk-export');
    // Insight covers the daemon: its CPU per I/O; its blockstats say why they are not measurable.
    const insight = s.insight!;
    assert.ok(insight.hostCpu.available, `${s.cellKey}: ${JSON.stringify(insight.hostCpu)}`);
    assert.ok(
      insight.hostCpu.roles.some((r) => r.role === 'storage-daemon' && (r.usPerIo ?? 0) > 0),
      'storage-daemon CPU per I/O',
    );
    assert.equal(insight.blockstats.available, false);
  }
  assert.match(
    r.stdout,
    /backend=vhost-user-blk ioeventfd=n\/a vs backend=virtio-blk ioeventfd=on/,
    'the why-table pairs vhost-user-blk with virtio-blk',
  );
  assert.equal(by('vhost-user-blk').length, 4, 'ioeventfd on/off collapsed into one n/a cell per scheduler × iodepth');
  const unsupported = by('vhost-blk');
  assert.equal(unsupported.length, 4);
  for (const s of unsupported) {
    assert.equal(s.status, 'unsupported');
    assert.match(
      s.reason!,
      /^in-kernel vhost-blk is not available on this host: \/dev\/vhost-blk does not exist .*has no device vhost-blk-pci.*not a raw block device/,
    );
  }
  // The daemon's files beside the serial log of its boot.
  const vuBoot = by('vhost-user-blk')[0]!.bootId;
  const bootDir = join(run.dir, 'boots', vuBoot);
  assert.ok(existsSync(join(bootDir, 'storage-daemon.log')));
  const argv = JSON.parse(await readFile(join(bootDir, 'storage-daemon.argv.json'), 'utf8')) as string[];
  assert.match(
    argv.join(' '),
    /--export type=vhost-user-blk,id=vblk-export,node-name=vblk-disk,addr\.type=unix,addr\.path=.*writable=off,num-queues=2/,
  );
  await noDaemonLeft(out);
});

test('new axes and pin: values reach QEMU, the daemon and the guest, and are read back', async () => {
  const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
  const [a, b = a] = [online[0]!, online[online.length - 1]!];
  const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-knobs-'));
  const profile = join(dir, 'knobs.yaml');
  await writeFile(
    profile,
    `name: knobs
qemu: {accel: tcg, vcpus: 2}
fio: {runtime: 1s, ramp_time: 0s}
pin: {vcpus: [${b}, ${a}], iothread: ${a}, storage_daemon: ${b}}
matrix:
  backend: [virtio-blk-iothread, vhost-user-blk]
  aio: [io_uring]
  cache: [writeback]
  num_queues: [1]
  queue_size: [128]
  poll_max_ns: [0]
  nomerges: [2]
  nr_requests: [64]
  rw: [randread]
  bs: [8k]
  numjobs: [2]
  iodepth: [2]
`,
  );
  const { out, r } = await runIn([profile]);
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const [dirName] = await readdir(out);
  const run = await loadRun(join(out, dirName!));
  assert.equal(run.samples.length, 2);
  for (const s of run.samples) {
    assert.equal(s.status, 'ok', `${s.cellKey}: ${s.reason}`);
    assert.ok(s.metrics.iops!.value > 0);
    const o = s.observed;
    assert.deepEqual(
      [o.queue_size, o.num_queues, o.vcpus, o.cache, o.nomerges, o.nr_requests],
      [128, 1, 2, 'writeback', 2, 64],
    );
    assert.deepEqual([o['pin.vcpu0'], o['pin.vcpu1']], [String(b), String(a)]);
    const raw = JSON.parse(await readFile(join(run.dir, s.rawFioPath!), 'utf8')) as {
      'global options'?: Record<string, string>;
      jobs: { 'job options': Record<string, string> }[];
    };
    const opts = { ...raw['global options'], ...raw.jobs[0]!['job options'] };
    assert.deepEqual([opts.rw, opts.bs, opts.numjobs, opts.iodepth], ['randread', '8k', '2', '2']);
  }
  const [iothread, vhostUser] = run.samples as [(typeof run.samples)[0], (typeof run.samples)[0]];
  assert.deepEqual(
    [iothread.observed.poll_max_ns, iothread.observed['pin.iothread'], iothread.observed['pin.storage_daemon']],
    [0, String(a), 'n/a'],
  );
  assert.deepEqual(
    [vhostUser.cell.poll_max_ns, vhostUser.observed['pin.storage_daemon'], vhostUser.observed['pin.iothread']],
    ['n/a', String(b), 'n/a'],
  );
  const qemuArgv = JSON.parse(
    await readFile(join(run.dir, 'boots', iothread.bootId, 'qemu.argv.json'), 'utf8'),
  ) as string[];
  assert.ok(qemuArgv.includes('iothread,id=iothread0,poll-max-ns=0'));
  assert.ok(qemuArgv.some((x) => x.includes('cache.direct=off,aio=io_uring')));
  await noDaemonLeft(out);
});

test(
  'required: true on a backend this host lacks: exit 2 with the reason, nothing booted',
  { skip: existsSync('/dev/vhost-blk') && 'this host has /dev/vhost-blk' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-required-'));
    const profile = join(dir, 'required.yaml');
    await writeFile(
      profile,
      'name: required\nqemu: {accel: tcg}\nmatrix:\n  backend: [virtio-blk, {name: vhost-blk, required: true}]\n',
    );
    const { out, r } = await runIn([profile]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(
      r.stderr,
      /^error: backend vhost-blk is required \(required: true\) but cannot run here: in-kernel vhost-blk is not available on this host: \/dev\/vhost-blk does not exist /m,
    );
    assert.match(
      r.stderr,
      /^hint: make the host support it \(see the reason\), or remove required: true to record its cells as unsupported and run the rest$/m,
    );
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.deepEqual(await readdir(out), [], 'no results directory: nothing started');
    assert.deepEqual(await leftoverProcesses(out, 0), []);
  },
);
