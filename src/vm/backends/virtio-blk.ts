/** virtio-blk-pci served by QEMU's main loop (the default path). */
import { makeVirtioBlkPciBackend } from './virtio-blk-pci.js';

export const virtioBlk = makeVirtioBlkPciBackend({ name: 'virtio-blk', iothread: false });
