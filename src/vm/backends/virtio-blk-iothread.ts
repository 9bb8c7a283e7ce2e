/** virtio-blk-pci with its virtqueues served by a dedicated iothread (dataplane). */
import { makeVirtioBlkPciBackend } from './virtio-blk-pci.js';

export const virtioBlkIothread = makeVirtioBlkPciBackend({ name: 'virtio-blk-iothread', iothread: true });
