/**
 * The backend's part of one guest boot, generic over BlockBackend:
 *   - startHostSide: the host processes the backend needs beside QEMU
 *     (vhost-user-blk: qemu-storage-daemon), started before QEMU;
 *   - verifyDevice: what QEMU (and the daemon) report for the device,
 *     compared with the launch spec — ioeventfd only where it applies
 *     (`n/a` otherwise), queue-size, num-queues, vCPUs, the iothread's
 *     poll-max-ns, the host cache mode of the disk node;
 *   - pinThreads: `pin:` applied to vCPUs, iothread, daemon, read back;
 *   - locateTestDisk: by virtio serial, or by the PCI address QEMU reports
 *     for devices without a serial property.
 */
import { RunStepError } from '../model/errors.js';
import { NOT_APPLICABLE } from '../profile/axes.js';
import type { PinSpec } from '../profile/pin.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';
import { DEFAULT_IOTHREAD_ID, DEVICE_ID } from '../vm/launch-spec.js';
import { getBackend, type HostSide } from '../vm/backends/index.js';
import type { QmpClient } from '../vm/qmp.js';
import {
  queryBlockDevice,
  readDeviceIoeventfd,
  readDeviceQueues,
  readIothreadPollMaxNs,
  readPciAddress,
  readThreads,
} from '../vm/readback.js';
import { applyPinActions, pinActions } from '../vm/pinning.js';
import type { GuestRunner } from '../guest/ssh-session.js';
import { findDiskByPciAddress, findDiskBySerial } from '../guest/disk.js';

export type Observed = Record<string, string | number | boolean>;

/** No host processes: the in-QEMU paths. */
const NOTHING_ON_THE_HOST: HostSide = { pids: {}, observed: {}, stop: async () => undefined };

/** Starts what the backend needs beside QEMU (nothing for in-QEMU paths). */
export async function startHostSide(spec: QemuLaunchSpec): Promise<HostSide> {
  const backend = getBackend(spec.device.backend);
  return backend.startHostSide ? backend.startHostSide(spec) : NOTHING_ON_THE_HOST;
}

const onOffText = (b: boolean) => (b ? 'on' : 'off');

/**
 * Reads the device's configuration back over QMP and throws (step `qmp`) when
 * it differs from the spec: a cell must not claim a configuration QEMU did
 * not take. Keys named like axes are compared with the cell again when each
 * sample is stored (measure-cell).
 */
export async function verifyDevice(qmp: QmpClient, spec: QemuLaunchSpec, hostSide: HostSide): Promise<Observed> {
  const backend = getBackend(spec.device.backend);
  const observed: Observed = {};
  const differs = (what: string, got: string | number, wanted: string | number) =>
    new RunStepError(`QMP reports ${what}=${got} on ${DEVICE_ID}, the plan asked for ${wanted}`, 'qmp');

  if (backend.ioeventfdApplies) {
    const ioeventfd = await readDeviceIoeventfd(qmp, DEVICE_ID);
    if (ioeventfd !== spec.device.ioeventfd)
      throw differs('ioeventfd', onOffText(ioeventfd), onOffText(spec.device.ioeventfd));
    observed.ioeventfd = onOffText(ioeventfd);
  } else {
    // vhost-user-blk-pci: "Property 'vhost-user-blk-pci.ioeventfd' not found" — nothing to read.
    observed.ioeventfd = NOT_APPLICABLE;
  }

  const queues = await readDeviceQueues(qmp, DEVICE_ID);
  for (const [what, got, wanted] of [
    ['queue-size', queues.queueSize, spec.device.queueSize],
    ['num-queues', queues.numQueues, spec.device.numQueues],
  ] as const) {
    if (wanted !== undefined && got !== wanted) throw differs(what, got, wanted);
  }
  observed.queue_size = queues.queueSize;
  observed.num_queues = queues.numQueues;

  const threads = await readThreads(qmp);
  if (threads.vcpus.length !== spec.vcpus)
    throw differs('vCPU count (query-cpus-fast)', threads.vcpus.length, spec.vcpus);
  observed.vcpus = threads.vcpus.length;

  if (backend.usesIothread) {
    const poll = await readIothreadPollMaxNs(qmp, spec.device.iothreadId ?? DEFAULT_IOTHREAD_ID);
    if (spec.device.pollMaxNs !== undefined && poll !== spec.device.pollMaxNs)
      throw differs('poll-max-ns', poll, spec.device.pollMaxNs);
    observed.poll_max_ns = poll;
  } else {
    observed.poll_max_ns = NOT_APPLICABLE;
  }

  // The disk node lives in QEMU, or in the helper that serves it (qemu-storage-daemon).
  const block = await queryBlockDevice(hostSide.qmp ?? qmp);
  const cache = block.cacheDirect ? 'none' : 'writeback';
  if (cache !== spec.disk.cache) throw differs('cache (cache.direct of the disk node)', cache, spec.disk.cache);
  observed.cache = cache;
  return { ...observed, ...hostSide.observed };
}

/** Pins what `pin` names and returns the placement read back (`pin.vcpu0: "1"`, ...); {} without `pin`. */
export async function pinThreads(
  pin: PinSpec | undefined,
  qmp: QmpClient,
  qemuPid: number,
  hostSide: HostSide,
): Promise<Observed> {
  if (!pin) return {};
  const { actions, notApplicable } = pinActions(pin, {
    qemuPid,
    threads: await readThreads(qmp),
    hostPids: hostSide.pids,
  });
  return applyPinActions(actions, notApplicable);
}

/** The guest's name for the disk under test, and how it was found (recorded). */
export async function locateTestDisk(
  session: GuestRunner,
  qmp: QmpClient,
  spec: QemuLaunchSpec,
): Promise<{ device: string; locatedBy: string }> {
  if (getBackend(spec.device.backend).locateBy === 'serial') {
    return { device: await findDiskBySerial(session, spec.disk.serial), locatedBy: `serial ${spec.disk.serial}` };
  }
  const address = await readPciAddress(qmp, DEVICE_ID);
  return { device: await findDiskByPciAddress(session, address), locatedBy: `pci ${address}` };
}
