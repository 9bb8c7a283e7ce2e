/**
 * What the running QEMU says it is doing, read over QMP — evidence that a
 * cell measured what it claims (ioeventfd really off, iothread really there).
 *
 * Where the properties live (QEMU 7.2, verified): `ioeventfd` is a property of
 * the virtio-blk-pci proxy (/machine/peripheral/<id>); the virtio-blk-device
 * behind it (/machine/peripheral/<id>/virtio-backend) has no such property.
 * `queue-size` and `num-queues` read through the proxy as well; `iothread`
 * is a link on the backend.
 */
import { readdir, readFile } from 'node:fs/promises';
import { RunStepError } from '../model/errors.js';
import { DEVICE_ID, DISK_NODE, FILE_NODE } from './launch-spec.js';
import type { QmpClient } from './qmp.js';

export const devicePath = (deviceId: string) => `/machine/peripheral/${deviceId}`;

async function qomGet(qmp: QmpClient, path: string, property: string): Promise<unknown> {
  return qmp.execute('qom-get', { path, property });
}

function expect<T>(value: unknown, type: 'boolean' | 'number' | 'string', what: string): T {
  if (typeof value !== type)
    throw new RunStepError(`QMP ${what}: expected a ${type}, got ${JSON.stringify(value)}`, 'qmp');
  return value as T;
}

/** The device's ioeventfd setting as QEMU holds it. */
export async function readDeviceIoeventfd(qmp: QmpClient, deviceId = DEVICE_ID): Promise<boolean> {
  const value = await qomGet(qmp, devicePath(deviceId), 'ioeventfd');
  return expect<boolean>(value, 'boolean', `qom-get ${devicePath(deviceId)} ioeventfd`);
}

export interface VirtioBlkConfig {
  ioeventfd: boolean;
  queueSize: number;
  numQueues: number;
  /** QOM path of the iothread object (`/objects/iothread0`), or null for the main loop. */
  iothread: string | null;
}

/** ioeventfd, queue-size, num-queues and iothread of a virtio-blk-pci device. */
export async function readVirtioBlkConfig(qmp: QmpClient, deviceId = DEVICE_ID): Promise<VirtioBlkConfig> {
  const proxy = devicePath(deviceId);
  const ioeventfd = await readDeviceIoeventfd(qmp, deviceId);
  const { queueSize, numQueues } = await readDeviceQueues(qmp, deviceId);
  const link = await qomGet(qmp, `${proxy}/virtio-backend`, 'iothread');
  const iothread = typeof link === 'string' && link !== '' ? link : null;
  return { ioeventfd, queueSize, numQueues, iothread };
}

export interface BlockDeviceSummary {
  nodeName: string;
  /** Format driver (`raw`). */
  format: string;
  filename: string;
  readOnly: boolean;
  virtualSizeBytes: number | null;
  /** QOM path of the guest device the node is attached to, or null. */
  qdev: string | null;
  /**
   * O_DIRECT as the protocol (file) node has it. The format node's own
   * `cache.direct` reads false unless set there too (QEMU 7.2 reports
   * per-node options), so it is not evidence of the host cache mode.
   */
  cacheDirect: boolean;
  writeback: boolean;
  noFlush: boolean;
  protocol: { nodeName: string; driver: string; cacheDirect: boolean; readOnly: boolean } | null;
}

interface NamedNode {
  'node-name'?: string;
  drv?: string;
  file?: string;
  ro?: boolean;
  cache?: { direct?: boolean; writeback?: boolean; 'no-flush'?: boolean };
  image?: { 'virtual-size'?: number };
}

/** A summary of the disk node and its protocol node (query-named-block-nodes + query-block). */
export async function queryBlockDevice(
  qmp: QmpClient,
  nodeName = DISK_NODE,
  protocolNodeName = FILE_NODE,
): Promise<BlockDeviceSummary> {
  const nodes = await qmp.execute<NamedNode[]>('query-named-block-nodes', { flat: true });
  const node = nodes.find((n) => n['node-name'] === nodeName);
  if (!node)
    throw new RunStepError(
      `QMP: no block node named ${nodeName}`,
      'qmp',
      nodes.map((n) => String(n['node-name'])),
    );
  const proto = nodes.find((n) => n['node-name'] === protocolNodeName);
  const blocks = await qmp.execute<{ qdev?: string; inserted?: { 'node-name'?: string } }[]>('query-block');
  const attached = blocks.find((b) => b.inserted?.['node-name'] === nodeName);
  const protocol = proto
    ? {
        nodeName: protocolNodeName,
        driver: String(proto.drv),
        cacheDirect: proto.cache?.direct === true,
        readOnly: proto.ro === true,
      }
    : null;
  return {
    nodeName,
    format: String(node.drv),
    filename: String(node.file),
    readOnly: node.ro === true,
    virtualSizeBytes: node.image?.['virtual-size'] ?? null,
    qdev: attached?.qdev ?? null,
    cacheDirect: protocol ? protocol.cacheDirect : node.cache?.direct === true,
    writeback: node.cache?.writeback === true,
    noFlush: node.cache?.['no-flush'] === true,
    protocol,
  };
}

export interface ThreadSummary {
  vcpus: { cpuIndex: number; threadId: number; qomPath: string }[];
  iothreads: { id: string; threadId: number }[];
}

/** Host thread ids of the vCPUs (query-cpus-fast) and iothreads (query-iothreads). */
export async function readThreads(qmp: QmpClient): Promise<ThreadSummary> {
  const cpus = await qmp.execute<{ 'cpu-index': number; 'thread-id': number; 'qom-path': string }[]>('query-cpus-fast');
  const iothreads = await qmp.execute<{ id: string; 'thread-id': number }[]>('query-iothreads');
  return {
    vcpus: cpus.map((c) => ({ cpuIndex: c['cpu-index'], threadId: c['thread-id'], qomPath: c['qom-path'] })),
    iothreads: iothreads.map((t) => ({ id: t.id, threadId: t['thread-id'] })),
  };
}

/**
 * Host-side names of a process's threads (/proc/<pid>/task/<tid>/comm). With
 * `-name ...,debug-threads=on`: `CPU 0/TCG` or `CPU 0/KVM`, `IO <iothread-id>`,
 * `qemu-system-x86` (main loop, tid == pid, and call_rcu).
 */
export async function readHostThreadNames(pid: number): Promise<{ tid: number; name: string }[]> {
  const tids = await readdir(`/proc/${pid}/task`);
  const out: { tid: number; name: string }[] = [];
  for (const tid of tids) {
    try {
      out.push({ tid: Number(tid), name: (await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8')).trimEnd() });
    } catch {
      /* thread ended meanwhile */
    }
  }
  return out.sort((a, b) => a.tid - b.tid);
}

export interface HostForward {
  protocol: string;
  hostAddress: string;
  hostPort: number;
  guestAddress: string;
  guestPort: number;
}

/**
 * Parses HMP `info usernet` (QEMU 7.2 layout; HMP text is not a stable
 * interface, so unknown lines are skipped):
 *   `  TCP[HOST_FORWARD]  11       127.0.0.1 37969       10.0.2.15    22     0     0`
 */
export function parseInfoUsernet(text: string): HostForward[] {
  const out: HostForward[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\w+)\[HOST_FORWARD\]\s+\S+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)/.exec(line);
    if (!m) continue;
    out.push({
      protocol: m[1]!,
      hostAddress: m[2]!,
      hostPort: Number(m[3]),
      guestAddress: m[4]!,
      guestPort: Number(m[5]),
    });
  }
  return out;
}

/** The user-net host forwards as bound (a requested port 0 shows the port slirp picked). */
export async function readHostForwards(qmp: QmpClient): Promise<HostForward[]> {
  const text = await qmp.execute<string>('human-monitor-command', { 'command-line': 'info usernet' });
  return parseInfoUsernet(String(text));
}

/** One entry of QMP `query-pci` (only what is read here). */
export interface QueryPciDevice {
  bus: number;
  slot: number;
  function: number;
  qdev_id?: string;
  pci_bridge?: { devices?: QueryPciDevice[] };
}

/**
 * The PCI address (`0000:00:04.0`) of device `deviceId` in a `query-pci`
 * reply, behind bridges too; null when absent. Pure. (QEMU's PC machines
 * have one PCI domain, 0000, which is what the guest calls it.)
 */
export function pciAddressOf(buses: { bus: number; devices: QueryPciDevice[] }[], deviceId: string): string | null {
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  const walk = (devices: QueryPciDevice[]): string | null => {
    for (const d of devices) {
      if (d.qdev_id === deviceId) return `0000:${hex2(d.bus)}:${hex2(d.slot)}.${d.function}`;
      const inner = d.pci_bridge?.devices ? walk(d.pci_bridge.devices) : null;
      if (inner) return inner;
    }
    return null;
  };
  for (const b of buses) {
    const found = walk(b.devices);
    if (found) return found;
  }
  return null;
}

/** Where QEMU put the device on PCI: how the guest finds a disk without a serial. */
export async function readPciAddress(qmp: QmpClient, deviceId = DEVICE_ID): Promise<string> {
  const buses = await qmp.execute<{ bus: number; devices: QueryPciDevice[] }[]>('query-pci');
  const address = pciAddressOf(buses, deviceId);
  if (!address) throw new RunStepError(`QMP query-pci lists no device ${deviceId}`, 'qmp');
  return address;
}

/** queue-size and num-queues as the device holds them (virtio-blk-pci and vhost-user-blk-pci alike, on the proxy). */
export async function readDeviceQueues(
  qmp: QmpClient,
  deviceId = DEVICE_ID,
): Promise<{ queueSize: number; numQueues: number }> {
  const proxy = devicePath(deviceId);
  const queueSize = expect<number>(await qomGet(qmp, proxy, 'queue-size'), 'number', `qom-get ${proxy} queue-size`);
  const numQueues = expect<number>(await qomGet(qmp, proxy, 'num-queues'), 'number', `qom-get ${proxy} num-queues`);
  return { queueSize, numQueues };
}

/** An iothread object's poll-max-ns (`/objects/<id>`). */
export async function readIothreadPollMaxNs(qmp: QmpClient, iothreadId: string): Promise<number> {
  const path = `/objects/${iothreadId}`;
  return expect<number>(await qomGet(qmp, path, 'poll-max-ns'), 'number', `qom-get ${path} poll-max-ns`);
}
