/**
 * The storage daemon's layer (daemon.block) from captured host ftrace text
 * (test/fixtures/latency/README.md says how it was made), and its n/a reasons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/util/paths.js';
import { daemonRequests, parseDaemonFtrace } from '../../../src/latency/daemon-requests.js';
import { latencyOfTraceDir } from '../../../src/latency/analyze-trace-dir.js';
import { cellLatency } from '../../../src/latency/cell-latency.js';
import { structuralReason } from '../../../src/latency/unavailable.js';
import { tracefsUnavailableReason } from '../../../src/trace/host-ftrace.js';
import { daemonAioUnavailableReason } from '../../../src/trace/qemu-trace.js';
import type { CellLatency, LayerId } from '../../../src/model/latency.js';
import type { TraceCaptureMeta } from '../../../src/model/trace-capture.js';

const dir = (name: string) => join(repoRoot(), 'test', 'fixtures', 'latency', name);
const fixture = (name: string, file: string) => readFileSync(join(dir(name), file), 'utf8');
const layer = (l: CellLatency, id: LayerId) => l.layers.find((x) => x.id === id)!;

test('daemon ftrace: tid, µs mono time, the QEMU event and its arguments from each trace_marker line', () => {
  const t = parseDaemonFtrace(fixture('vhost-user-blk-daemon', 'daemon-ftrace.txt'));
  assert.deepEqual(t.skipped, []);
  assert.equal(t.entriesInBuffer, 8172);
  assert.equal(t.entriesWritten, 8172);
  assert.deepEqual(t.events[0], {
    tid: 11793,
    tUs: 59898859634,
    name: 'blk_co_preadv',
    args: { blk: '0x55835f034300', bs: '0x55835f02f000', offset: '0', bytes: '4096', flags: '0x0' },
  });
  assert.deepEqual(t.events[2]!.args, {
    pool: '0x55835f0358e0',
    req: '0x55835f0378b0',
    opaque: '0x7f7a610707e0',
    ret: '0',
  });
  assert.deepEqual(
    parseDaemonFtrace('CPU:1 [LOST 12 EVENTS]\n  <...>-5 [000] ...1. 1.000002: sched_switch: x\n').skipped,
    ['CPU:1 [LOST 12 EVENTS]', 'sched_switch: x'],
  );
});

test('daemon requests at iodepth 1: blk_co_preadv → thread_pool_complete, one per 4 KiB read, in order', () => {
  const reqs = daemonRequests(parseDaemonFtrace(fixture('vhost-user-blk-daemon', 'daemon-ftrace.txt')).events);
  assert.equal(reqs.length, 20);
  assert.deepEqual(
    reqs.map((r) => r.offset),
    Array.from({ length: 20 }, (_, i) => i * 4096),
  );
  assert.equal(reqs[0]!.endUs! - reqs[0]!.startUs, 837);
  assert.deepEqual(
    reqs[0]!.events.map((e) => e.event),
    ['blk_co_preadv', 'thread_pool_submit', 'thread_pool_complete'],
  );
});

test('daemon requests at iodepth 4: out-of-order completions matched by the pool request pointer', () => {
  const reqs = daemonRequests(parseDaemonFtrace(fixture('vhost-user-blk-daemon-qd4', 'daemon-ftrace.txt')).events);
  const done = reqs.filter((r) => r.endUs !== undefined);
  assert.equal(done.length, 20);
  // The first four were in flight together; the last submitted (offset 12288) completed first.
  const first4 = reqs.slice(0, 4);
  assert.deepEqual(
    first4.map((r) => r.endUs! - r.startUs),
    [59905316791 - 59905311480, 59905316786 - 59905316129, 59905316760 - 59905316383, 59905316662 - 59905316596],
  );
});

test('io_uring: luring_co_submit → luring_process_completion by the luringcb pointer', () => {
  const text = [
    '  <...>-7 [000] ...1. 10.000100: tracing_mark_write: blk_co_preadv blk 0x1 bs 0x2 offset 8192 bytes 4096 flags 0x0',
    '  <...>-7 [000] ...1. 10.000105: tracing_mark_write: luring_co_submit bs 0x2 s 0x3 luringcb 0xa fd 9 offset 8192 nbytes 4096 type 1',
    '  <...>-7 [001] ...1. 10.000180: tracing_mark_write: luring_process_completion LuringState 0x3 luringcb 0xa ret 4096',
  ].join('\n');
  const [r] = daemonRequests(parseDaemonFtrace(text).events);
  assert.equal(r!.offset, 8192);
  assert.equal(r!.endUs! - r!.startUs, 80);
});

test('vhost-user-blk with the daemon traced: daemon.block per request, nests within guest virtio-pci; timeline has daemon events', async () => {
  for (const name of ['vhost-user-blk-daemon', 'vhost-user-blk-daemon-qd4']) {
    const l = await latencyOfTraceDir(dir(name));
    const d = layer(l, 'daemon.block');
    assert.ok(d.result.available, `${name}: ${JSON.stringify(d.result)}`);
    assert.equal(d.result.stats.count, 20);
    assert.equal(d.domain, 'daemon');
    assert.equal(d.resolutionUs, 1);
    const nest = l.checks.find((c) => c.kind === 'nesting' && c.detail.startsWith('daemon.block'));
    assert.ok(nest?.ok, `${name}: ${nest?.detail}`);
    // At iodepth 4 guest.virtio-pci is n/a: the check climbs to the nearest measured outer layer.
    assert.match(nest!.detail, name.endsWith('qd4') ? /≤ guest.block-device/ : /≤ guest.virtio-pci/);
    assert.ok(l.checks.find((c) => c.kind === 'overruns')!.ok);
    assert.ok(l.notes.some((n) => /daemon timestamps: host ftrace instance, trace_clock mono/.test(n)));
  }
  const l = await latencyOfTraceDir(dir('vhost-user-blk-daemon'));
  const daemonEvents = l.timelines[0]!.events.filter((e) => e.domain === 'daemon');
  assert.deepEqual(
    daemonEvents.map((e) => e.event),
    ['blk_co_preadv', 'thread_pool_submit', 'thread_pool_complete'],
  );
  assert.ok(daemonEvents.every((e) => e.thread === 'daemon-main'));
});

test('daemon.block n/a: the recorded reason (aio native, no tracefs), or no daemon at all', () => {
  const meta = JSON.parse(fixture('vhost-user-blk-daemon', 'meta.json')) as TraceCaptureMeta;
  const native = daemonAioUnavailableReason('native')!;
  assert.equal(daemonAioUnavailableReason('threads'), null);
  assert.equal(daemonAioUnavailableReason('io_uring'), null);
  assert.equal(
    native,
    "disk aio native: QEMU 7.2 has no laio_* trace events, so the daemon's block layer has no completion event; daemon.block needs aio threads (thread_pool_complete) or io_uring (luring_process_completion)",
  );
  const l = cellLatency({ meta: { ...meta, daemon: { unavailable: native } }, fioJson: null });
  const r = layer(l, 'daemon.block').result;
  assert.ok(!r.available && r.reason === native);
  assert.equal(
    structuralReason('daemon.block', { ...meta, backend: 'virtio-blk' }),
    'no qemu-storage-daemon in this configuration',
  );
});

test('host tracefs n/a reasons name what is needed', () => {
  const needs =
    'daemon.block needs a writable host tracefs at /sys/kernel/tracing with instances (run as root: the run mounts it with "mount -t tracefs nodev /sys/kernel/tracing")';
  assert.equal(tracefsUnavailableReason({ mounted: true, writable: true, root: true }), null);
  assert.equal(
    tracefsUnavailableReason({ mounted: false, writable: false, root: false }),
    `${needs}; it is not mounted and vblk-bench is not running as root`,
  );
  assert.equal(
    tracefsUnavailableReason({ mounted: false, writable: false, root: true, mountError: 'mount: permission denied' }),
    `${needs}; mounting it failed: mount: permission denied`,
  );
  assert.equal(
    tracefsUnavailableReason({ mounted: true, writable: false, root: false }),
    `${needs}; /sys/kernel/tracing/instances is not writable (not running as root)`,
  );
});
