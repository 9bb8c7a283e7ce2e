import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkConfig,
  configMismatch,
  plannedConfig,
  type ObservedConfig,
  type PlannedConfig,
} from '../../../src/insight/config.js';
import { validateProfile } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { launchSpecFor } from '../../../src/run/launch.js';
import type { Profile } from '../../../src/profile/schema.js';
import type { BootGroup } from '../../../src/plan/groups.js';

function planFor(matrix: Record<string, unknown>) {
  const profile = validateProfile({ name: 't', matrix });
  return { profile, plan: makePlan(profile, 'tcg') };
}

/** The launch spec a boot of this group uses (paths do not matter to the device). */
const specOf = (profile: Profile, group: BootGroup) =>
  launchSpecFor(group, {
    profile,
    accel: 'tcg',
    kernelPath: '',
    initrdPath: '',
    backingPath: '',
    bootDir: '',
    sshHostPort: 0,
  });

test('the plan of a cell: device, ioeventfd, iothread, queues, scheduler (same launch spec as the boot)', () => {
  const { profile, plan } = planFor({
    backend: ['virtio-blk', 'virtio-blk-iothread'],
    ioeventfd: ['on', 'off'],
    scheduler: ['deadline'],
  });
  const planned = plan.groups.map((g) => plannedConfig(specOf(profile, g), g.cells[0]!, 'tcg', profile.pin));
  assert.deepEqual(
    planned.map((p) => [p.backend, p.ioeventfd, p.iothread]),
    [
      ['virtio-blk', true, null],
      ['virtio-blk', false, null],
      ['virtio-blk-iothread', true, '/objects/iothread0'],
    ],
  );
  // The plan fixes queue size and count (QEMU's defaults made explicit: 256, one per vCPU).
  assert.ok(
    planned.every(
      (p) =>
        p.deviceType === 'virtio-blk-pci' && p.scheduler === 'mq-deadline' && p.queueSize === 256 && p.numQueues === 2,
    ),
  );
  const sized = planFor({ backend: [{ name: 'virtio-blk', queue_size: 128, num_queues: 1 }] });
  const group = sized.plan.groups[0]!;
  const p = plannedConfig(specOf(sized.profile, group), group.cells[0]!, 'kvm', sized.profile.pin);
  assert.equal(p.queueSize, 128);
  assert.equal(p.numQueues, 1);
  assert.equal(p.accel, 'kvm');
});

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
const observed: ObservedConfig = {
  accel: 'tcg',
  deviceType: 'virtio-blk-pci',
  ioeventfd: true,
  iothread: '/objects/iothread0',
  iothreadThreadName: 'IO iothread0',
  queueSize: 256,
  numQueues: 2,
  scheduler: 'none',
  vcpuAffinity: [
    { cpuIndex: 0, tid: 11, cpusAllowed: '0-1' },
    { cpuIndex: 1, tid: 12, cpusAllowed: '0-1' },
  ],
  processAffinity: '0-1',
};

test('a running system that matches the plan passes every check', () => {
  const checks = checkConfig(planned, observed);
  assert.deepEqual(
    checks.map((c) => c.item),
    ['accel', 'device type', 'ioeventfd', 'iothread', 'iothread host thread', 'scheduler', 'vCPU pinning'],
  );
  assert.ok(
    checks.every((c) => c.ok),
    JSON.stringify(checks.filter((c) => !c.ok)),
  );
  assert.equal(configMismatch(checks), null);
});

test('anything that differs — or cannot be read — fails its check and names it', () => {
  const checks = checkConfig(planned, {
    ...observed,
    ioeventfd: false,
    iothread: null,
    scheduler: undefined,
    vcpuAffinity: [
      { cpuIndex: 0, tid: 11, cpusAllowed: '1' },
      { cpuIndex: 1, tid: 12, cpusAllowed: '0-1' },
    ],
  });
  assert.deepEqual(
    checks.filter((c) => !c.ok).map((c) => c.item),
    ['ioeventfd', 'iothread', 'scheduler', 'vCPU pinning'],
  );
  assert.equal(
    configMismatch(checks),
    'running system differs from the plan: ioeventfd is false, planned true; iothread is none (main loop), planned /objects/iothread0; scheduler is unreadable, planned none; vCPU pinning is CPU 0 → 1, planned none',
  );
  // Queue sizes are checked only when the plan fixes them.
  const sized = checkConfig({ ...planned, queueSize: 128 }, observed);
  assert.deepEqual(
    sized.find((c) => c.item === 'queue-size'),
    { item: 'queue-size', planned: 128, observed: 256, ok: false, source: 'QMP qom-get queue-size' },
  );
  // A backend without an ioeventfd property is not asked about it.
  assert.ok(!checkConfig({ ...planned, ioeventfd: null }, observed).some((c) => c.item === 'ioeventfd'));
});
