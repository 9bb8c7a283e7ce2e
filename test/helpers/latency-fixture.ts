/**
 * HAND-BUILT TEST DATA, not measurements: CellLatency maps (src/model/latency.ts)
 * shaped like what the traced pass writes, with round made-up numbers, for
 * the readers and renderers of `explain --latency` until real traced runs
 * are recorded. `tracedRun` copies a recorded results directory into a
 * temporary one and adds `traces/<cell>/latency.json` files.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellLatency, LatencyLayer, LayerId } from '../../src/model/latency.js';
import { LATENCY_FILE, traceDir } from '../../src/store/layout.js';
import { REPO_ROOT } from './cli.js';

/** A recorded run of virtio-blk, ioeventfd on and off, iodepth 4 (test/fixtures/runs/gate/base). */
export const TRACE_BASE_RUN = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate', 'base');

export const CELL_ON = 'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4';
export const CELL_OFF = 'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4';
export const CELL_VHOST = 'backend=vhost-user-blk,ioeventfd=n/a,scheduler=none,iodepth=4';

const configOf = (key: string) => Object.fromEntries(key.split(',').map((kv) => kv.split('=') as [string, string]));

function measured(
  id: LayerId,
  label: string,
  domain: LatencyLayer['domain'],
  parent: LayerId | undefined,
  meanUs: number,
): LatencyLayer {
  const granularity = domain === 'cross' ? 'mean-difference' : 'batch';
  const stats =
    granularity === 'mean-difference'
      ? { count: 1000, meanUs }
      : { count: 1000, meanUs, p50Us: meanUs * 0.9, p99Us: meanUs * 2.5 };
  return {
    id,
    label,
    domain,
    ...(parent ? { parent } : {}),
    granularity,
    resolutionUs: domain === 'qemu' || domain === 'daemon' ? 1 : 0.001,
    result: { available: true, stats },
  };
}

function notAvailable(
  id: LayerId,
  label: string,
  domain: LatencyLayer['domain'],
  parent: LayerId,
  reason: string,
): LatencyLayer {
  return { id, label, domain, parent, granularity: 'request', resolutionUs: 1, result: { available: false, reason } };
}

/** A made-up map; `slower` adds µs to the QEMU-side layers (ioeventfd=off: the kick runs in the vCPU thread). */
export function fixtureLatency(cellKey: string, slower = 0): CellLatency {
  const vhost = cellKey.includes('vhost-user-blk');
  const total = 400 + slower;
  const layers: LatencyLayer[] = [
    measured('guest.total', 'guest total (fio lat)', 'guest', undefined, total),
    measured(
      'guest.block-device',
      'guest block (block_rq_issue → block_rq_complete)',
      'guest',
      'guest.total',
      350 + slower,
    ),
    measured(
      'guest.virtio-pci',
      'guest virtio-pci (vp_notify → vring_interrupt)',
      'guest',
      'guest.block-device',
      320 + slower,
    ),
    notAvailable(
      'host.kvm',
      'host KVM (notify exit → interrupt injected)',
      'host',
      'guest.virtio-pci',
      'TCG: no kvm:* tracepoints without KVM',
    ),
    vhost
      ? notAvailable(
          'qemu.virtqueue',
          'QEMU virtio (virtio_queue_notify → virtio_blk_req_complete)',
          'daemon',
          'guest.virtio-pci',
          'qemu-storage-daemon has no virtqueue trace events',
        )
      : measured(
          'qemu.virtqueue',
          'QEMU virtio (virtio_queue_notify → virtio_blk_req_complete)',
          'qemu',
          'guest.virtio-pci',
          250 + slower,
        ),
    vhost
      ? measured('daemon.block', 'daemon block (blk_co_preadv → completion)', 'daemon', 'guest.virtio-pci', 200)
      : measured('qemu.block', 'QEMU block (blk_co_preadv → virtio_blk_rw_complete)', 'qemu', 'qemu.virtqueue', 200),
    notAvailable(
      'host.block',
      'host block layer',
      'host',
      vhost ? 'daemon.block' : 'qemu.block',
      'tmpfs backing store: no host block device',
    ),
    measured(
      'cross.transport',
      'transport + notification (guest virtio-pci − QEMU virtio)',
      'cross',
      'guest.virtio-pci',
      70,
    ),
  ];
  return {
    cellKey,
    config: configOf(cellKey),
    tracedIops: 800,
    untracedMedianIops: 1000,
    layers,
    unexplainedUs: 50,
    checks: [
      { kind: 'nesting', ok: true, detail: 'every inner mean ≤ its outer one' },
      { kind: 'request-counts', ok: true, detail: '1000 requests in every per-request layer' },
      { kind: 'overruns', ok: true, detail: 'guest ftrace overruns: 0 on every CPU' },
    ],
    timelines: (['median', 'p99'] as const).map((which) => ({
      which,
      totalUs: which === 'median' ? total : total * 2.5,
      events: [
        { atUs: 0, domain: 'guest', thread: 'guest-cpu0', event: 'block_rq_issue' },
        { atUs: 20, domain: 'guest', thread: 'guest-cpu0', event: 'vp_notify' },
        { atUs: 40, domain: 'qemu', thread: vhost ? 'storage-daemon' : 'main-loop', event: 'virtio_queue_notify' },
        { atUs: 60, domain: 'qemu', thread: vhost ? 'storage-daemon' : 'aio-worker', event: 'blk_co_preadv' },
        { atUs: 260, domain: 'qemu', thread: vhost ? 'storage-daemon' : 'main-loop', event: 'virtio_blk_rw_complete' },
        { atUs: 290, domain: 'guest', thread: 'guest-cpu1', event: 'vring_interrupt' },
        { atUs: 340, domain: 'guest', thread: 'guest-cpu1', event: 'block_rq_complete' },
      ],
    })),
    notes: ['HAND-BUILT TEST DATA', 'QEMU timestamps: gettimeofday, 1 µs'],
  };
}

/** Writes `latency` where the traced pass puts it (any JSON value, to test refusals). */
export async function writeLatency(runDir: string, cellKey: string, latency: unknown): Promise<string> {
  const dir = traceDir(runDir, cellKey);
  await mkdir(dir, { recursive: true });
  const file = join(dir, LATENCY_FILE);
  await writeFile(file, typeof latency === 'string' ? latency : JSON.stringify(latency, null, 2));
  return file;
}

/** A copy of the recorded run under `root` with the given cells traced; its directory. */
export async function tracedRun(root: string, maps: CellLatency[], name = 'run'): Promise<string> {
  const dir = join(root, name);
  await cp(TRACE_BASE_RUN, dir, { recursive: true });
  for (const m of maps) await writeLatency(dir, m.cellKey, m);
  return dir;
}
