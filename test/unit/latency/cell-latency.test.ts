/** Layers, checks and timelines from captured traced passes (test/fixtures/latency/). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/util/paths.js';
import { latencyOfTraceDir } from '../../../src/latency/analyze-trace-dir.js';
import { cellLatency } from '../../../src/latency/cell-latency.js';
import type { CellLatency, LayerId } from '../../../src/model/latency.js';
import type { TraceCaptureMeta } from '../../../src/model/trace-capture.js';

const dir = (name: string) => join(repoRoot(), 'test', 'fixtures', 'latency', name);
const layer = (l: CellLatency, id: LayerId) => l.layers.find((x) => x.id === id)!;
const reasonOf = (l: CellLatency, id: LayerId) => {
  const r = layer(l, id).result;
  return r.available ? '' : r.reason;
};
const meanOf = (l: CellLatency, id: LayerId) => {
  const r = layer(l, id).result;
  assert.ok(r.available, `${id}: ${reasonOf(l, id)}`);
  return r.stats.meanUs;
};

for (const name of ['virtio-blk-ioeventfd-on', 'virtio-blk-ioeventfd-off']) {
  test(`${name}: every virtio-blk layer per request, 20 requests each, nesting holds`, async () => {
    const l = await latencyOfTraceDir(dir(name));
    const perRequest = ['guest.block-device', 'guest.virtio-pci', 'qemu.virtqueue', 'qemu.block', 'qemu.notify'];
    for (const id of perRequest as LayerId[]) {
      const r = layer(l, id).result;
      assert.ok(r.available && r.stats.count === 20, `${id}: ${JSON.stringify(r)}`);
      assert.ok(r.available && r.stats.p99Us! >= r.stats.p50Us!);
    }
    assert.ok(meanOf(l, 'guest.total') > 0);
    assert.ok(meanOf(l, 'qemu.block') <= meanOf(l, 'qemu.virtqueue'));
    assert.ok(meanOf(l, 'qemu.virtqueue') <= meanOf(l, 'guest.virtio-pci'));
    const cross = layer(l, 'cross.transport');
    assert.equal(cross.granularity, 'mean-difference');
    assert.equal(cross.domain, 'cross');
    assert.ok(cross.result.available && cross.result.stats.p99Us === undefined);
    assert.equal(meanOf(l, 'cross.transport'), meanOf(l, 'guest.virtio-pci') - meanOf(l, 'qemu.virtqueue'));
    const nesting = l.checks.filter((c) => c.kind === 'nesting');
    assert.equal(nesting.length, 5);
    assert.ok(
      nesting.every((c) => c.ok),
      JSON.stringify(l.checks),
    );
    // fio's total_ios covers the whole 1 s run, the fixture 20 requests: the count check must say so.
    const counts = l.checks.find((c) => c.kind === 'request-counts')!;
    assert.equal(counts.ok, false);
    assert.match(counts.detail, /fio \d{4}, guest\.block-device 20/);
    assert.ok(l.checks.find((c) => c.kind === 'overruns')!.ok);
    assert.match(reasonOf(l, 'host.kvm'), /^KVM hosts only/);
    assert.match(reasonOf(l, 'host.block'), /tmpfs/);
    assert.match(reasonOf(l, 'guest.block-queue'), /no block_rq_insert/);
    assert.ok(l.tracedIops > 0 && l.untracedMedianIops! > 0);
  });
}

test('ioeventfd off: QEMU handles the kick in the vCPU thread; on: in the main loop (timeline threads)', async () => {
  const off = await latencyOfTraceDir(dir('virtio-blk-ioeventfd-off'));
  const on = await latencyOfTraceDir(dir('virtio-blk-ioeventfd-on'));
  const kickThread = (l: CellLatency) =>
    l.timelines[0]!.events.find((e) => e.event === 'virtio_queue_notify' && e.domain === 'qemu')?.thread;
  assert.match(kickThread(off) ?? '', /^vcpu\d$/);
  assert.equal(kickThread(on), 'main-loop');
  for (const l of [on, off]) {
    assert.deepEqual(
      l.timelines.map((t) => t.which),
      ['median', 'p99'],
    );
    assert.ok(l.timelines[1]!.totalUs >= l.timelines[0]!.totalUs);
    assert.ok(l.timelines[0]!.events.some((e) => e.domain === 'guest' && e.event === 'vring_interrupt'));
  }
});

test('vhost-user-blk: guest layers measured; QEMU and daemon layers n/a with the reason', async () => {
  const l = await latencyOfTraceDir(dir('vhost-user-blk'));
  assert.ok(meanOf(l, 'guest.virtio-pci') <= meanOf(l, 'guest.block-device'));
  for (const id of ['qemu.virtqueue', 'qemu.block', 'cross.transport'] as const)
    assert.match(reasonOf(l, id), /qemu-storage-daemon serves the virtqueue/, id);
  // A capture made before the daemon was traced: n/a, saying where its events come from now.
  assert.match(reasonOf(l, 'daemon.block'), /separate traced boot/);
});

test('iodepth > 1: batch-bound layers n/a with the reason; a trace with overruns fails its check', () => {
  const meta = JSON.parse(readFileSync(join(dir('virtio-blk-ioeventfd-on'), 'meta.json'), 'utf8')) as TraceCaptureMeta;
  const l = cellLatency({ meta: { ...meta, iodepth: 4, guestOverruns: [0, 3] }, fioJson: null, ftrace: '' });
  for (const id of ['guest.virtio-pci', 'qemu.virtqueue', 'qemu.notify'] as const)
    assert.match(reasonOf(l, id), /iodepth 4 > 1/, id);
  const overruns = l.checks.find((c) => c.kind === 'overruns')!;
  assert.equal(overruns.ok, false);
  assert.match(overruns.detail, /overruns 0\/3/);
});

test('bfq: insert → issue is its own layer; a kworker that dispatches and kicks is still the request', async () => {
  const l = await latencyOfTraceDir(dir('virtio-blk-bfq'));
  for (const id of ['guest.block-queue', 'guest.block-device', 'guest.virtio-pci'] as const) {
    const r = layer(l, id).result;
    assert.ok(r.available && r.stats.count === 20, `${id}: ${JSON.stringify(r)}`);
  }
  assert.equal(layer(l, 'guest.block-queue').parent, 'guest.total');
  assert.ok(l.unexplainedUs! < meanOf(l, 'guest.total') - meanOf(l, 'guest.block-device'));
});

test('a request the polling iothread picked up without a kick: no virtio-pci span, counted as such, counts agree', async () => {
  const l = await latencyOfTraceDir(dir('virtio-blk-iothread-polled'));
  const pci = layer(l, 'guest.virtio-pci').result;
  assert.ok(pci.available && pci.stats.count === 306);
  assert.ok(layer(l, 'guest.block-device').result.available);
  const counts = l.checks.find((c) => c.kind === 'request-counts')!;
  assert.match(counts.detail, /guest\.virtio-pci \+ 2 without a kick \(the device polled\) 308/);
  assert.ok(l.notes.some((n) => /2 request\(s\) completed without a guest kick/.test(n)));
  const timelineThreads = new Set(
    l.timelines.flatMap((t) => t.events.filter((e) => e.domain === 'qemu').map((e) => e.thread)),
  );
  assert.deepEqual([...timelineThreads], ['iothread']);
});

test("every fixture's CellLatency passes latency.json's reader schema (what explain --latency reads)", async () => {
  const { CellLatencySchema } = await import('../../../src/model/schemas/latency.js');
  for (const name of ['virtio-blk-ioeventfd-on', 'virtio-blk-ioeventfd-off', 'vhost-user-blk', 'virtio-blk-bfq']) {
    const r = CellLatencySchema.safeParse(JSON.parse(JSON.stringify(await latencyOfTraceDir(dir(name)))));
    assert.ok(r.success, `${name}: ${JSON.stringify(r.error?.issues.slice(0, 3))}`);
  }
});
