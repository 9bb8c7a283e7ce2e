/**
 * Pinning: the plan of what goes where (pure), taskset's argv (pure), CPU
 * list parsing, plan-time validation messages, and one real taskset +
 * /proc read-back on a process started here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  formatCpuList,
  parseCpuList,
  pinCpuProblems,
  plannedVcpuPinning,
  PinSchema,
} from '../../../src/profile/pin.js';
import {
  applyPinActions,
  cpusAllowedFromStatus,
  pinActions,
  readAffinity,
  tasksetArgs,
} from '../../../src/vm/pinning.js';
import { pciAddressOf } from '../../../src/vm/readback.js';
import { RunStepError } from '../../../src/model/errors.js';

const threads = {
  vcpus: [
    { cpuIndex: 0, threadId: 101, qomPath: '/machine/unattached/device[0]' },
    { cpuIndex: 1, threadId: 102, qomPath: '/machine/unattached/device[2]' },
    { cpuIndex: 2, threadId: 103, qomPath: '/machine/unattached/device[4]' },
  ],
  iothreads: [{ id: 'iothread0', threadId: 110 }],
};

test('pin actions: vCPU i to vcpus[i mod n], the iothread and every thread of the daemon', () => {
  const pin = PinSchema.parse({ vcpus: [2, 3], iothread: 1, storage_daemon: [1, 0] });
  const { actions, notApplicable } = pinActions(pin, { qemuPid: 100, threads, hostPids: { storage_daemon: 200 } });
  assert.deepEqual(notApplicable, []);
  assert.deepEqual(actions, [
    { role: 'vcpu0', pid: 100, tid: 101, cpus: [2], allTasks: false },
    { role: 'vcpu1', pid: 100, tid: 102, cpus: [3], allTasks: false },
    { role: 'vcpu2', pid: 100, tid: 103, cpus: [2], allTasks: false },
    { role: 'iothread', pid: 100, tid: 110, cpus: [1], allTasks: false },
    { role: 'storage_daemon', pid: 200, tid: 200, cpus: [0, 1], allTasks: true },
  ]);
  assert.deepEqual(actions.map(tasksetArgs), [
    ['-p', '-c', '2', '101'],
    ['-p', '-c', '3', '102'],
    ['-p', '-c', '2', '103'],
    ['-p', '-c', '1', '110'],
    ['-a', '-p', '-c', '0-1', '200'],
  ]);
});

test('pin entries with nothing to pin in a boot are n/a, not errors', () => {
  const pin = PinSchema.parse({ iothread: 0, storage_daemon: 1 });
  const r = pinActions(pin, { qemuPid: 1, threads: { vcpus: threads.vcpus, iothreads: [] }, hostPids: {} });
  assert.deepEqual(r.actions, []);
  assert.deepEqual(r.notApplicable, ['iothread', 'storage_daemon']);
});

test('CPU lists as the kernel writes them', () => {
  assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(parseCpuList(''), []);
  assert.throws(() => parseCpuList('0-a'), /not a CPU list/);
  assert.throws(() => parseCpuList('3-1'), /not a CPU list/);
  // The one parser's answers where the two it replaced disagreed: the result is a set (sorted,
  // no repeats), blanks around a part are allowed, and a CPU beyond MAX_HOST_CPU is refused.
  assert.deepEqual(parseCpuList('8,0-2,1'), [0, 1, 2, 8]);
  assert.deepEqual(parseCpuList(' 0-1, 3 '), [0, 1, 3]);
  assert.throws(() => parseCpuList('0-100000'), /not a CPU list/);
  assert.equal(formatCpuList([3, 0, 1, 2, 8, 10, 11]), '0-3,8,10-11');
  assert.equal(formatCpuList([1]), '1');
  assert.deepEqual(cpusAllowedFromStatus('Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n'), [0, 1]);
  assert.equal(cpusAllowedFromStatus('Name:\tx\n'), null);
});

test("pin: CPUs are checked against the online CPUs (and this process's affinity), one line each", () => {
  const pin = PinSchema.parse({ vcpus: [0, 3], iothread: 1, storage_daemon: [1, 5] });
  assert.deepEqual(pinCpuProblems(pin, [0, 1]), [
    'pin.vcpus[1]: host CPU 3 is not online (online CPUs: 0-1)',
    'pin.storage_daemon[1]: host CPU 5 is not online (online CPUs: 0-1)',
  ]);
  assert.deepEqual(pinCpuProblems(PinSchema.parse({ iothread: 1 }), [0, 1], [0]), [
    'pin.iothread: host CPU 1 is outside the CPUs vblk-bench may use (its affinity: 0)',
  ]);
  assert.deepEqual(pinCpuProblems(undefined, [0]), []);
  assert.equal(plannedVcpuPinning(pin, 3), 'CPU 0 → 0, CPU 1 → 3, CPU 2 → 0');
  assert.equal(plannedVcpuPinning(undefined, 2), 'none');
});

test("query-pci: the device's address, behind bridges too", () => {
  const buses = [
    {
      bus: 0,
      devices: [
        { bus: 0, slot: 0, function: 0, qdev_id: '' },
        { bus: 0, slot: 1, function: 0, qdev_id: '' },
        {
          bus: 0,
          slot: 28,
          function: 0,
          qdev_id: 'rp0',
          pci_bridge: { devices: [{ bus: 1, slot: 0, function: 0, qdev_id: 'vblk0' }] },
        },
      ],
    },
  ];
  assert.equal(pciAddressOf(buses, 'vblk0'), '0000:01:00.0');
  assert.equal(
    pciAddressOf([{ bus: 0, devices: [{ bus: 0, slot: 4, function: 0, qdev_id: 'vblk0' }] }], 'vblk0'),
    '0000:00:04.0',
  );
  assert.equal(pciAddressOf(buses, 'nope'), null);
});

test('taskset for real: a thread pinned, the affinity read back from /proc, a wrong CPU refused', async (t) => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  const pid = child.pid!;
  const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
  const cpu = online[online.length - 1]!;
  const observed = await applyPinActions(
    [{ role: 'storage_daemon', pid, tid: pid, cpus: [cpu], allTasks: true }],
    ['iothread'],
  );
  assert.deepEqual(observed, { 'pin.iothread': 'n/a', 'pin.storage_daemon': String(cpu) });
  assert.equal(await readAffinity({ pid, tid: pid, allTasks: false }), String(cpu));
  await assert.rejects(
    applyPinActions([{ role: 'vcpu0', pid, tid: pid, cpus: [8191], allTasks: false }]),
    (err: unknown) => {
      assert.ok(err instanceof RunStepError);
      assert.match(err.message, /^pin vcpu0: taskset -p -c 8191 \d+ failed: /);
      return true;
    },
  );
});
