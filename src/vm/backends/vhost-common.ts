/**
 * What the vhost paths (vhost-user-blk, in-kernel vhost-blk) share: the
 * virtqueue layer runs outside QEMU's device emulation, so there is no
 * ioeventfd property, no QEMU iothread, no `serial`; num-queues is always set
 * explicitly (the other side must agree on it).
 */
import type { DeviceSpec, QemuLaunchSpec } from '../launch-spec.js';
import { checkDisk } from './blockdev.js';
import { checkNoIothread, checkQueueProps, queueProps } from './virtio-blk-pci.js';

/** num-queues of a vhost device: the spec's, else one per vCPU (virtio-blk's `auto`). */
export function vhostNumQueues(spec: QemuLaunchSpec): number {
  return spec.device.numQueues ?? spec.vcpus;
}

/** The device's queue properties with num-queues made explicit. */
export function vhostQueueProps(spec: QemuLaunchSpec): string[] {
  const device: DeviceSpec = { ...spec.device, numQueues: vhostNumQueues(spec) };
  return queueProps(device);
}

/** Checks every vhost backend runs first: the disk, the queues, no iothread settings. */
export function checkVhostCommon(spec: QemuLaunchSpec, backend: string): string | null {
  return checkDisk(spec.disk) ?? checkQueueProps(spec.device) ?? checkNoIothread(spec, backend);
}

/** vhost devices are PCI functions here; microvm has no PCI bus by default. */
export function checkPciMachine(spec: QemuLaunchSpec, device: string): string | null {
  return spec.machine.startsWith('microvm')
    ? `machine: ${device} needs a PCI machine (q35 or pc); microvm has no PCI bus`
    : null;
}
