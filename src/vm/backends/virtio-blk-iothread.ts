/** virtio-blk-pci with its virtqueues served by a dedicated iothread (dataplane). */
import { backendTraits } from '../../plan/backend-traits.js';
import { makeVirtioBlkPciBackend } from './virtio-blk-pci.js';

export const virtioBlkIothread = makeVirtioBlkPciBackend(backendTraits('virtio-blk-iothread'));
