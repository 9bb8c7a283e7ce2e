/**
 * Registry of block backends: add a file, add it here. Names are
 * profile/axes.ts's BACKEND_NAMES; each backend takes its name and traits
 * from plan/backend-traits.ts (a unit test checks every name has a backend).
 */
import { InputError } from '../../model/errors.js';
import { BACKEND_NAMES } from '../../profile/axes.js';
import type { BlockBackend } from './backend.js';
import { vhostBlk } from './vhost-blk.js';
import { vhostUserBlk } from './vhost-user-blk.js';
import { virtioBlkIothread } from './virtio-blk-iothread.js';
import { virtioBlk } from './virtio-blk.js';

export type { BlockBackend, HostCommand, HostSide } from './backend.js';

const BACKENDS: ReadonlyMap<string, BlockBackend> = new Map(
  [virtioBlk, virtioBlkIothread, vhostUserBlk, vhostBlk].map((b) => [b.name, b] as const),
);

/** Throws InputError naming the known backends when `name` is not one. */
export function getBackend(name: string): BlockBackend {
  const backend = BACKENDS.get(name);
  if (!backend) {
    throw new InputError(`device.backend: unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  }
  return backend;
}
