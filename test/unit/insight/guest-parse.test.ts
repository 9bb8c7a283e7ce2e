import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  busyTicks,
  cpuTicksDelta,
  interruptDeltas,
  parseBlockStat,
  parseGuestSnapshot,
  parseProcInterrupts,
  parseProcStatCpu,
  splitSections,
  virtioNameOf,
  virtioQueueRows,
} from '../../../src/insight/guest-parse.js';
import { fixtureJson, fixtureText } from './fixtures.js';

const beforeText = fixtureText('guest-snapshot-before.txt');
const afterText = fixtureText('guest-snapshot-after.txt');
const fio = fixtureJson<{ total_ios: number; io_bytes: number; device: string }>('fio-summary.json');

test('real guest /proc/interrupts: CPU columns, MSI-X virtio lines, one-count rows', () => {
  const rows = parseProcInterrupts(splitSections(afterText).get('interrupts')!);
  const req0 = rows.find((r) => r.actions.includes('virtio1-req.0'))!;
  assert.equal(req0.irq, '25');
  assert.equal(req0.perCpu.length, 2);
  assert.match(req0.desc, /PCI-MSI .*virtio1-req\.0$/);
  const err = rows.find((r) => r.irq === 'ERR')!;
  assert.deepEqual(err.perCpu, [0], 'ERR: has a single count');
  const loc = rows.find((r) => r.irq === 'LOC')!;
  assert.equal(loc.perCpu.length, 2);
  assert.throws(() => parseProcInterrupts('  0: 1 2 timer\n'), /no CPU header/);
});

test('the test disk is virtio1 (device link); its queue lines are virtio1-req.*, not the NIC (virtio0) nor config', () => {
  const sections = splitSections(afterText);
  assert.equal(virtioNameOf(sections.get('virtio')!), 'virtio1');
  assert.throws(() => virtioNameOf('../../../0000:00:04.0'), /does not point at a virtio device/);
  const rows = parseProcInterrupts(sections.get('interrupts')!);
  assert.deepEqual(
    virtioQueueRows(rows, 'virtio1').map((r) => r.actions[0]),
    ['virtio1-req.0', 'virtio1-req.1'],
  );
  assert.deepEqual(virtioQueueRows(rows, 'virtio0'), [], 'the NIC has input/output queues, not req');
  // A shared MSI-X vector and legacy INTx (synthetic lines in the same layout).
  const shared = parseProcInterrupts(
    '           CPU0       CPU1\n 24:   5   6   PCI-MSI 32768-edge   virtio3-virtqueues\n 11:   7   0   IO-APIC 11-fasteoi   virtio3, uhci_hcd:usb1\n',
  );
  assert.deepEqual(
    virtioQueueRows(shared, 'virtio3').map((r) => r.irq),
    ['24', '11'],
  );
});

test('interrupt deltas over the captured fio run are > 0 and about one per guest I/O', () => {
  const a = parseGuestSnapshot(beforeText);
  const b = parseGuestSnapshot(afterText);
  const lines = interruptDeltas(a.interrupts, b.interrupts, b.virtio);
  assert.deepEqual(
    lines.map((l) => l.name),
    ['virtio1-req.0', 'virtio1-req.1'],
  );
  const irqs = lines.reduce((s, l) => s + l.count, 0);
  assert.ok(irqs > 0);
  for (const l of lines)
    assert.equal(
      l.count,
      l.perCpu.reduce((s, n) => s + n, 0),
    );
  // With event_idx the device may coalesce, never exceed one interrupt per request by much.
  assert.ok(irqs <= fio.total_ios * 1.05, `${irqs} IRQs for ${fio.total_ios} I/Os`);
});

test('guest /sys/block/<dev>/stat deltas are exactly fio’s I/Os and bytes', () => {
  const a = parseGuestSnapshot(beforeText);
  const b = parseGuestSnapshot(afterText);
  assert.equal(b.disk.readIos + b.disk.readMerges - a.disk.readIos - a.disk.readMerges, fio.total_ios);
  assert.equal((b.disk.readSectors - a.disk.readSectors) * 512, fio.io_bytes);
  assert.equal(b.disk.inFlight, 0);
  assert.throws(() => parseBlockStat('1 2 3'), /not a \/sys\/block/);
});

test('guest /proc/stat cpu line, uptime, scheduler and blk-mq queues from the snapshot', () => {
  const a = parseGuestSnapshot(beforeText);
  const b = parseGuestSnapshot(afterText);
  const d = cpuTicksDelta(a.cpu, b.cpu);
  assert.ok(busyTicks(d) > 0, 'fio kept the guest busy');
  assert.ok(b.uptimeS > a.uptimeS);
  assert.equal(b.scheduler, 'none');
  assert.equal(b.hwQueues, 2, 'one blk-mq queue per vCPU');
  const stat = splitSections(afterText).get('stat')!;
  const fields = stat
    .split('\n')
    .find((l) => l.startsWith('cpu '))!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  assert.deepEqual(Object.values(parseProcStatCpu(stat)), fields);
  assert.throws(() => parseGuestSnapshot(afterText.replace(/@@mq[\s\S]*$/, '@@mq\n')), /section mq is empty/);
});
