/** virtio-blk-pci served by QEMU's main loop (the default path). */
import { backendTraits } from '../../plan/backend-traits.js';
import { makeVirtioBlkPciBackend } from './virtio-blk-pci.js';

export const virtioBlk = makeVirtioBlkPciBackend(backendTraits('virtio-blk'));
