/** The trace parsers on captured text (test/fixtures/latency/README.md says how it was made). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/util/paths.js';
import { parseQemuLog } from '../../../src/latency/parse-qemu-log.js';
import { blockRequestOf, parseFtrace } from '../../../src/latency/parse-ftrace.js';
import { parseFtraceReading } from '../../../src/trace/guest-ftrace.js';

const fixture = (dir: string, file: string) =>
  readFileSync(join(repoRoot(), 'test', 'fixtures', 'latency', dir, file), 'utf8');

test('QEMU log lines: tid, µs wall-clock time, event and its key/value arguments', () => {
  const { events, skipped } = parseQemuLog(fixture('virtio-blk-ioeventfd-on', 'qemu.log'));
  assert.equal(skipped, 0);
  const read = events.find((e) => e.name === 'virtio_blk_handle_read')!;
  assert.deepEqual(read, {
    tid: 22303,
    tUs: 1796281881502701,
    name: 'virtio_blk_handle_read',
    args: { vdev: '0x56167a17da40', req: '0x56167a349000', sector: '0', nsectors: '8' },
  });
  assert.equal(events.filter((e) => e.name === 'virtio_blk_req_complete').length, 20);
  assert.deepEqual(events.find((e) => e.name === 'blk_co_preadv')?.args, {
    blk: '0x56167a181fb0',
    bs: '0x56167964b5e0',
    offset: '0',
    bytes: '4096',
    flags: '0x8',
  });
});

test('QEMU log: a line that is not a trace event (a QEMU message, a cut line) is counted, not parsed', () => {
  const r = parseQemuLog('qemu-system-x86_64: warning: x\n22303@1796281881.5027:virtio_notify vdev 0x1 vq 0x2\n');
  assert.equal(r.events.length, 0);
  assert.equal(r.skipped, 2);
});

test('guest ftrace: header counts, events and traced functions with task, CPU and µs time', () => {
  const t = parseFtrace(fixture('virtio-blk-ioeventfd-on', 'guest-ftrace.txt'));
  assert.equal(t.entriesInBuffer, 6210);
  assert.equal(t.entriesWritten, 6210);
  assert.deepEqual(t.skipped, []);
  assert.deepEqual(t.events[0], {
    task: 'fio',
    pid: 146,
    cpu: 1,
    tUs: 10353460,
    name: 'block_rq_issue',
    kind: 'event',
    detail: '254,0 R 4096 () 0 + 8 [fio]',
  });
  assert.deepEqual(t.events[1], {
    task: 'fio',
    pid: 146,
    cpu: 1,
    tUs: 10354033,
    name: 'vp_notify',
    kind: 'function',
    detail: 'virtqueue_notify',
  });
  assert.equal(t.events.filter((e) => e.name === 'block_rq_complete').length, 20);
});

test('guest ftrace: <idle> tasks and lost-event lines', () => {
  const vu = parseFtrace(fixture('vhost-user-blk', 'guest-ftrace.txt'));
  const idle = vu.events.find((e) => e.task === '<idle>')!;
  assert.equal(idle.pid, 0);
  assert.equal(idle.name, 'irq_handler_entry');
  assert.equal(idle.detail, 'irq=25 name=virtio1-req.0');
  const lost = parseFtrace('CPU:1 [LOST 12 EVENTS]\n');
  assert.deepEqual(lost.skipped, ['CPU:1 [LOST 12 EVENTS]']);
});

test('block_rq_* details: device, rwbs, sector and length of issue and complete lines', () => {
  assert.deepEqual(blockRequestOf('254,0 R 4096 () 16 + 8 [fio]'), { dev: '254,0', rwbs: 'R', sector: 16, sectors: 8 });
  assert.deepEqual(blockRequestOf('254,0 R () 16 + 8 [0]'), { dev: '254,0', rwbs: 'R', sector: 16, sectors: 8 });
  assert.equal(blockRequestOf('garbage'), null);
});

test('the guest read script output: per-CPU overruns, the full size and the text after the marker', () => {
  const r = parseFtraceReading('OVERRUN 0\nOVERRUN 17\nTRACE-BYTES 999\nTRACE-BEGIN\n# tracer: function\nx\n');
  assert.deepEqual(r.overruns, [0, 17]);
  assert.equal(r.totalBytes, 999);
  assert.equal(r.text, '# tracer: function\nx\n');
});
