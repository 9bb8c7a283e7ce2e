/** Registry of block backends: add a file, add it here. */
import { InputError } from '../../model/errors.js';
import type { BlockBackend } from './backend.js';
import { vhostBlk } from './vhost-blk.js';
import { vhostUserBlk } from './vhost-user-blk.js';
import { virtioBlkIothread } from './virtio-blk-iothread.js';
import { virtioBlk } from './virtio-blk.js';

export type { BlockBackend, HostCommand, HostSide } from './backend.js';

const BACKENDS: ReadonlyMap<string, BlockBackend> = new Map(
  [virtioBlk, virtioBlkIothread, vhostUserBlk, vhostBlk].map((b) => [b.name, b] as const),
);

export function backendNames(): string[] {
  return [...BACKENDS.keys()];
}

/** Throws InputError naming the known backends when `name` is not one. */
export function getBackend(name: string): BlockBackend {
  const backend = BACKENDS.get(name);
  if (!backend) {
    throw new InputError(`device.backend: unknown backend "${name}" (known: ${backendNames().join(', ')})`);
  }
  return backend;
}

/** Device nodes any backend asks about (for the host probe). */
export function backendHostNodes(): string[] {
  return [...new Set([...BACKENDS.values()].flatMap((b) => b.hostNodes ?? []))];
}

/**
 * Matrix axes that mean nothing for a backend, with why: the planner turns
 * their value into `n/a` and keeps one cell instead of one per value.
 */
export function inapplicableAxes(name: string): Record<string, string> {
  const b = getBackend(name);
  const out: Record<string, string> = {};
  if (!b.ioeventfdApplies) out.ioeventfd = `${name} has no ioeventfd property (its virtqueues are not served by QEMU's device emulation)`;
  if (!b.usesIothread) out.poll_max_ns = `${name} uses no QEMU iothread, so there is no poll-max-ns to set`;
  return out;
}
