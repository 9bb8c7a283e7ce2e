/**
 * "Config took effect": what the plan fixes for a cell, what the running
 * system reports, and the comparison. Pure; collect.ts does the reading.
 */
import type { ConfigCheck } from '../model/insight.js';
import type { Accel } from '../model/sample.js';
import type { PinSpec } from '../profile/pin.js';
import type { Cell } from '../plan/cells.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';
import { backendTraits, type BackendTraits } from '../plan/backend-traits.js';
import { plannedVcpuPinning } from '../profile/pin.js';

export interface PlannedConfig {
  accel: Accel;
  backend: string;
  /** QOM type of the guest device the backend creates (null: a backend this build does not know, not checked). */
  deviceType: string | null;
  /** null when the backend has no ioeventfd property (vhost-user-blk). */
  ioeventfd: boolean | null;
  /** QOM path of the iothread the device must use, or null for the main loop. */
  iothread: string | null;
  /** null: QEMU's default, not fixed by the plan. */
  queueSize: number | null;
  numQueues: number | null;
  scheduler: string | null;
  /** The placement `pin.vcpus` asks for (`CPU 0 → 1, CPU 1 → 0`); absent or `none`: no pinning. */
  vcpuPinning?: string;
}

/**
 * What the plan asks of the running system for one cell: the device and vCPUs
 * of the launch spec its boot used, the cell's scheduler, the profile's `pin`.
 */
export function plannedConfig(
  spec: Pick<QemuLaunchSpec, 'device' | 'vcpus'>,
  cell: Pick<Cell, 'values'>,
  accel: Accel,
  pin: PinSpec | undefined,
): PlannedConfig {
  const { device, vcpus } = spec;
  let traits: BackendTraits | null = null;
  try {
    traits = backendTraits(device.backend);
  } catch {
    /* a backend this build does not know: assume it has the property, do not check the type */
  }
  const ioeventfdApplies = traits?.ioeventfdApplies ?? true;
  const scheduler = cell.values.scheduler;
  return {
    accel,
    backend: device.backend,
    deviceType: traits?.deviceType ?? null,
    ioeventfd: ioeventfdApplies ? device.ioeventfd : null,
    iothread: device.iothreadId === undefined ? null : `/objects/${device.iothreadId}`,
    queueSize: device.queueSize ?? null,
    numQueues: device.numQueues ?? null,
    scheduler: scheduler === undefined ? null : String(scheduler),
    vcpuPinning: plannedVcpuPinning(pin, vcpus),
  };
}

/** A value read from the running system; `undefined` = could not be read. */
type Read<T> = T | undefined;

export interface ObservedConfig {
  accel: Read<Accel>;
  deviceType: Read<string>;
  ioeventfd: Read<boolean>;
  iothread: Read<string | null>;
  /** Host thread name of the planned iothread (`IO iothread0`), from query-iothreads' thread-id. */
  iothreadThreadName: Read<string>;
  queueSize: Read<number>;
  numQueues: Read<number>;
  scheduler: Read<string>;
  /** Per vCPU: its affinity (Cpus_allowed_list) and whether it equals the process's. */
  vcpuAffinity: { cpuIndex: number; tid: number; cpusAllowed: string }[];
  processAffinity: Read<string>;
}

/** An observed value as stored: null only when it could not be read. */
const show = (v: unknown): string | number | boolean | null =>
  v === undefined || v === null ? null : (v as string | number | boolean);

/**
 * Every item the plan fixes, compared. An item that could not be read is a
 * failed check too: a cell must not claim a configuration nobody confirmed.
 */
export function checkConfig(planned: PlannedConfig, observed: ObservedConfig): ConfigCheck[] {
  const checks: ConfigCheck[] = [];
  const add = (item: string, want: string | number | boolean, got: unknown, source: string) =>
    checks.push({ item, planned: want, observed: show(got), ok: got !== undefined && got === want, source });
  add('accel', planned.accel, observed.accel, 'QMP query-kvm');
  if (planned.deviceType !== null) add('device type', planned.deviceType, observed.deviceType, 'QMP qom-get type');
  if (planned.ioeventfd !== null) add('ioeventfd', planned.ioeventfd, observed.ioeventfd, 'QMP qom-get ioeventfd');
  const mainLoop = (v: string | null) => v ?? 'none (main loop)';
  add(
    'iothread',
    mainLoop(planned.iothread),
    observed.iothread === undefined ? undefined : mainLoop(observed.iothread),
    'QMP qom-get virtio-backend.iothread',
  );
  if (planned.iothread !== null) {
    add(
      'iothread host thread',
      `IO ${planned.iothread.split('/').pop()}`,
      observed.iothreadThreadName,
      'QMP query-iothreads thread-id → /proc comm',
    );
  }
  if (planned.queueSize !== null) add('queue-size', planned.queueSize, observed.queueSize, 'QMP qom-get queue-size');
  if (planned.numQueues !== null) add('num-queues', planned.numQueues, observed.numQueues, 'QMP qom-get num-queues');
  if (planned.scheduler !== null)
    add('scheduler', planned.scheduler, observed.scheduler, 'guest /sys/block/<dev>/queue/scheduler at the window end');
  // Without pin.vcpus every vCPU may run wherever the process may.
  const pinned = observed.vcpuAffinity.filter((v) => v.cpusAllowed !== observed.processAffinity);
  add(
    'vCPU pinning',
    planned.vcpuPinning ?? 'none',
    observed.processAffinity === undefined || observed.vcpuAffinity.length === 0
      ? undefined
      : pinned.length === 0
        ? 'none'
        : pinned.map((v) => `CPU ${v.cpuIndex} → ${v.cpusAllowed}`).join(', '),
    '/proc/<pid>/task/<tid>/status Cpus_allowed_list',
  );
  return checks;
}

/** One line naming every failed check, or null. */
export function configMismatch(checks: ConfigCheck[]): string | null {
  const bad = checks.filter((c) => !c.ok);
  if (bad.length === 0) return null;
  return `running system differs from the plan: ${bad.map((c) => `${c.item} is ${c.observed === null ? 'unreadable' : String(c.observed)}, planned ${String(c.planned)}`).join('; ')}`;
}
