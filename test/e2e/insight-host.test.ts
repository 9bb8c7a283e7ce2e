/**
 * The host-side insight collectors on a real QEMU 7.2 (TCG) started here,
 * stopped (`-S`) with a stub kernel (test/helpers/stub-kernel.ts): live
 * /proc/<pid>/task/<tid>/{stat,schedstat} lines, thread roles from QMP ids,
 * the exit-counter source choice under TCG, blockstats of the disk node, and
 * the configuration read back — including a device that contradicts the plan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { findFreePort } from '../../src/vm/free-port.js';
import type { QemuLaunchSpec } from '../../src/vm/launch-spec.js';
import { startQemu } from '../../src/vm/process.js';
import { buildQemuArgs } from '../../src/vm/qemu-args.js';
import { QmpClient } from '../../src/vm/qmp.js';
import { readThreads } from '../../src/vm/readback.js';
import { writeStubKernel } from '../helpers/stub-kernel.js';
import { findKernelVhostWorkers, readProcessThreads } from '../../src/insight/host-threads.js';
import { parseSchedstat, parseTaskStat, threadReadingOf } from '../../src/insight/proc-parse.js';
import { classifyThread } from '../../src/insight/thread-roles.js';
import { findExitCounterSource } from '../../src/insight/kvm-exits.js';
import { hostSideInsightExtras, insightSourcesFor, readObservedConfig } from '../../src/insight/collect.js';
import { buildStorageDaemonArgs, startStorageDaemon, storageDaemonPaths } from '../../src/vm/storage-daemon.js';
import { checkConfig, configMismatch, type PlannedConfig } from '../../src/insight/config.js';
import type { GuestRunner } from '../../src/guest/ssh-session.js';
import { tempDir } from '../helpers/faults.js';
import { leftoverProcesses } from '../helpers/processes.js';

const noGuest: GuestRunner = {
  exec: () => Promise.reject(new Error('no guest in this test')),
  run: () => Promise.reject(new Error('no guest in this test')),
};

async function withQemu(
  device: QemuLaunchSpec['device'],
  body: (q: { pid: number; qmp: QmpClient }) => Promise<void>,
): Promise<void> {
  const dir = await tempDir('insight-host');
  await writeStubKernel(join(dir, 'kernel'));
  await writeFile(join(dir, 'disk.img'), '');
  await truncate(join(dir, 'disk.img'), 8 * 1024 * 1024);
  const spec: QemuLaunchSpec = {
    binary: 'qemu-system-x86_64',
    accel: 'tcg',
    machine: 'q35',
    memoryMiB: 128,
    vcpus: 2,
    name: 'vblk',
    kernel: join(dir, 'kernel'),
    initrd: '',
    append: '',
    qmpSocket: join(dir, 'qmp.sock'),
    serialLog: join(dir, 'serial.log'),
    sshHostPort: await findFreePort(),
    disk: {
      path: join(dir, 'disk.img'),
      format: 'raw',
      cache: 'none',
      aio: 'io_uring',
      serial: 'vblk-test',
      readOnly: true,
    },
    device,
    extraArgs: ['-S'],
  };
  const qemu = await startQemu(spec.binary, buildQemuArgs(spec), { stderrLog: join(dir, 'qemu.stderr.log'), cwd: dir });
  const qmp = await QmpClient.connect(spec.qmpSocket, { timeoutMs: 20_000, exited: qemu.exited });
  try {
    await body({ pid: qemu.pid, qmp });
  } finally {
    await qemu.stop(qmp);
    qmp.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const planned: PlannedConfig = {
  accel: 'tcg',
  backend: 'virtio-blk-iothread',
  deviceType: 'virtio-blk-pci',
  ioeventfd: true,
  iothread: '/objects/iothread0',
  queueSize: null,
  numQueues: null,
  scheduler: 'none',
};

test('live QEMU: every thread parsed from its own /proc lines, roles from names and QMP ids agree', async () => {
  await withQemu({ backend: 'virtio-blk-iothread', ioeventfd: true, iothreadId: 'iothread0' }, async ({ pid, qmp }) => {
    const readings = await readProcessThreads(pid);
    // The clock follows the host kernel: schedstat (ns) where it has CONFIG_SCHED_INFO, else stat ticks.
    const hostHasSchedstat = existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`);
    for (const r of readings) {
      const stat = parseTaskStat(await readFile(`/proc/${pid}/task/${r.tid}/stat`, 'utf8'));
      assert.equal(stat.name, r.name);
      assert.equal(r.clock, hostHasSchedstat ? 'schedstat' : 'stat-ticks');
      const later = hostHasSchedstat
        ? parseSchedstat(await readFile(`/proc/${pid}/task/${r.tid}/schedstat`, 'utf8')).runNs
        : threadReadingOf(await readFile(`/proc/${pid}/task/${r.tid}/stat`, 'utf8'), null).cpuNs;
      assert.ok(later >= r.cpuNs, 'CPU time only grows');
    }
    const threads = await readThreads(qmp);
    const hints = {
      pid,
      vcpuTids: new Set(threads.vcpus.map((v) => v.threadId)),
      iothreadTids: new Set(threads.iothreads.map((t) => t.threadId)),
    };
    const roles = readings.map((r) => [r.name, classifyThread(r, hints)] as const);
    assert.deepEqual(
      roles
        .filter(([, role]) => role === 'vcpu')
        .map(([n]) => n)
        .sort(),
      ['CPU 0/TCG', 'CPU 1/TCG'],
    );
    assert.deepEqual(
      roles.filter(([, role]) => role === 'iothread').map(([n]) => n),
      ['IO iothread0'],
    );
    assert.deepEqual(
      roles.filter(([, role]) => role === 'main-loop').map(([n]) => n),
      ['qemu-system-x86'],
    );
    for (const r of readings)
      assert.equal(classifyThread(r, { pid }), classifyThread(r, hints), `${r.name}: names alone agree with QMP`);
    assert.deepEqual(await findKernelVhostWorkers(pid), [], 'no in-kernel vhost here');
  });
});

test('live QEMU under TCG: exit counters are "not available" with the reason; blockstats and config read back', async () => {
  await withQemu({ backend: 'virtio-blk-iothread', ioeventfd: true, iothreadId: 'iothread0' }, async ({ pid, qmp }) => {
    const exits = await findExitCounterSource(qmp, pid, 'tcg');
    assert.ok(!('read' in exits));
    assert.match(
      exits.reason,
      /^not available under TCG: QEMU emulates the CPU, so there are no KVM exits to count \(query-stats: QEMU returned no kvm statistics; debugfs: /,
    );

    const sources = insightSourcesFor({ qemu: { pid }, qmp, session: noGuest, device: 'vda' }, 'tcg');
    assert.deepEqual(await sources.block!.read(), { rdBytes: 0, rdOperations: 0, rdMerged: 0 });
    const threads = await readThreads(qmp);
    const { observed, facts } = await readObservedConfig(sources, planned, threads, 'none');
    const checks = checkConfig(planned, observed);
    assert.ok(
      checks.every((c) => c.ok),
      JSON.stringify(checks.filter((c) => !c.ok)),
    );
    assert.equal(observed.iothreadThreadName, 'IO iothread0');
    assert.equal(facts.queueSize, 256);
    assert.equal(observed.vcpuAffinity.length, 2);
  });
});

test('live QEMU whose device contradicts the plan: the checks name it (a sample would be invalid)', async () => {
  await withQemu({ backend: 'virtio-blk', ioeventfd: false, queueSize: 128 }, async ({ pid, qmp }) => {
    const sources = insightSourcesFor({ qemu: { pid }, qmp, session: noGuest, device: 'vda' }, 'tcg');
    const { observed } = await readObservedConfig(
      sources,
      { ...planned, queueSize: 256 },
      await readThreads(qmp),
      'none',
    );
    const failed = checkConfig({ ...planned, queueSize: 256 }, observed)
      .filter((c) => !c.ok)
      .map((c) => c.item);
    assert.deepEqual(failed, ['ioeventfd', 'iothread', 'iothread host thread', 'queue-size']);
    assert.match(
      configMismatch(checkConfig(planned, observed)) ?? '',
      /^running system differs from the plan: ioeventfd is false, planned true; iothread is none \(main loop\), planned \/objects\/iothread0/,
    );
  });
  assert.deepEqual(await leftoverProcesses('vblk-fault-insight-host'), []);
});

test('live qemu-storage-daemon (vhost-user-blk): its process and its monitor plug in as insight sources', async () => {
  const dir = await tempDir('insight-qsd');
  await writeFile(join(dir, 'disk.img'), '');
  await truncate(join(dir, 'disk.img'), 8 * 1024 * 1024);
  const paths = storageDaemonPaths(dir);
  const args = buildStorageDaemonArgs({
    disk: { path: join(dir, 'disk.img'), format: 'raw', cache: 'none', aio: 'io_uring', serial: '', readOnly: true },
    socket: paths.socket,
    qmpSocket: paths.qmpSocket,
    numQueues: 1,
  });
  const hostSide = await startStorageDaemon({ qemuBinary: 'qemu-system-x86_64', args, paths });
  try {
    const extras = hostSideInsightExtras(hostSide);
    assert.deepEqual(extras.processes, [
      { label: 'qemu-storage-daemon', pid: hostSide.pids.storage_daemon, fixedRole: 'storage-daemon' },
    ]);
    const threads = await readProcessThreads(extras.processes[0]!.pid);
    assert.ok(
      threads.length > 0 &&
        threads.every((t) => classifyThread(t, { pid: 0, fixedRole: 'storage-daemon' }) === 'storage-daemon'),
    );
    assert.equal(extras.block?.kind, 'storage-daemon');
    // The daemon has no guest device: its node's counters come from query-blockstats with query-nodes.
    assert.deepEqual(await extras.block!.read(), { rdBytes: 0, rdOperations: 0, rdMerged: 0 });
  } finally {
    await hostSide.stop();
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftoverProcesses(dir), []);
});
