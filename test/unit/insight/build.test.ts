import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSampleInsight, type InsightInput, type Snapshot } from '../../../src/insight/build.js';
import { blockstatsInsight, pickBlockCounters, BYTES_TOLERANCE } from '../../../src/insight/blockstats.js';
import { parseGuestSnapshot } from '../../../src/insight/guest-parse.js';
import { noExitsReason } from '../../../src/insight/kvm-stats.js';
import { capturedHints, capturedReading, fixtureJson, fixtureText } from './fixtures.js';

const fio = fixtureJson<{ total_ios: number; io_bytes: number; runtime_ms: number }>('fio-summary.json');
const match = { nodeName: 'vblk-disk' };

function snapshot(when: 'before' | 'after', atMs: number): Snapshot {
  return {
    atMs,
    host: { ok: true, value: [capturedReading(`host-tasks-${when}.json`)] },
    block: { ok: true, value: pickBlockCounters(fixtureJson(`qmp-query-blockstats-${when}.json`), match) },
    exits: null,
    guest: { ok: true, value: parseGuestSnapshot(fixtureText(`guest-snapshot-${when}.txt`)) },
  };
}

const TCG_REASON = noExitsReason('tcg', 'QEMU returned no kvm statistics', '/sys/kernel/debug/kvm does not exist');

/** The capture's snapshots were taken before and after fio: its window is the guest's uptime between them. */
const windowMs =
  (parseGuestSnapshot(fixtureText('guest-snapshot-after.txt')).uptimeS -
    parseGuestSnapshot(fixtureText('guest-snapshot-before.txt')).uptimeS) *
  1000;

function input(over: Partial<InsightInput> = {}): InsightInput {
  // fio's figures over the same window, so that rates compare like for like.
  const seconds = windowMs / 1000;
  return {
    window: {
      ok: true,
      before: snapshot('before', 0),
      after: snapshot('after', windowMs),
      ioStartMs: 12,
      startMs: 1112,
      endMs: 1112 + windowMs,
    },
    placement: 'steady-state',
    probe: 'qemu-blockstats',
    fioPhaseMs: windowMs,
    hints: capturedHints(),
    exits: { available: false, reason: TCG_REASON },
    block: { kind: 'qemu', node: 'vblk-disk' },
    fio: {
      iops: fio.total_ios / seconds,
      bwBytesPerS: fio.io_bytes / seconds,
      usrCpuPct: 5,
      sysCpuPct: 40,
      ctx: 6000,
      totalIos: fio.total_ios,
    },
    config: {
      checks: [{ item: 'ioeventfd', planned: true, observed: true, ok: true, source: 'QMP qom-get ioeventfd' }],
      facts: {},
      vcpuAffinity: [],
    },
    ...over,
  };
}

test('real query-blockstats (QEMU 7.2, -blockdev: device "", node-name, qdev): the test disk by node or by qdev', () => {
  const reply = fixtureJson('qmp-query-blockstats-after.json');
  const byNode = pickBlockCounters(reply, match);
  assert.deepEqual(pickBlockCounters(reply, { qdev: '/machine/peripheral/vblk0/virtio-backend' }), byNode);
  assert.ok(byNode.rdOperations > 0 && byNode.rdBytes > 0);
  assert.throws(() => pickBlockCounters(reply, { nodeName: 'nope' }), /no entry for .*entries: vblk-disk/);
  assert.throws(() => pickBlockCounters({}, match), /expected a list/);
});

test('the captured fio run, end to end through the pure builder: every section measured and consistent', () => {
  const insight = buildSampleInsight(input());
  assert.ok(insight.window.available);
  assert.equal(
    insight.window.guestIos,
    fio.total_ios,
    'the guest-side denominator is the guest’s own count of fio’s I/Os',
  );
  assert.equal(
    insight.window.ios,
    fio.total_ios,
    'the host-side one: requests the disk node received × guest I/Os per request (1 here)',
  );
  assert.equal(insight.window.iosSource, 'host-requests');
  assert.ok(insight.hostCpu.available);
  assert.ok(
    insight.hostCpu.roles.some((r) => r.role === 'iothread' && (r.usPerIo ?? 0) > 0),
    'iothread0 served the disk',
  );
  assert.ok(insight.guest.available);
  assert.ok(insight.guest.irqs > 0);
  assert.equal(insight.guest.virtioDevice, 'virtio1');
  assert.ok(insight.blockstats.available);
  assert.equal(insight.blockstats.rdBytes, fio.io_bytes, 'host bytes = fio bytes');
  assert.equal(insight.blockstats.hostVsGuestBytes, 1, 'the same requests counted on both sides');
  assert.ok(Math.abs(insight.blockstats.hostVsFioBytes! - 1) < 0.01);
  // Sequential 4k reads at qd 4 on an iothread: the guest merged nothing, QEMU merged neighbours (rd_merged).
  const merged = insight.blockstats.rdMerged;
  assert.ok(merged > 0);
  assert.equal(insight.blockstats.rdOperations, fio.total_ios, 'every virtio request is accounted');
  assert.equal(insight.blockstats.mergeRatio, fio.total_ios / (fio.total_ios - merged));
  assert.equal(insight.blockstats.mismatch, null);
  assert.deepEqual(insight.exits, { available: false, reason: TCG_REASON });
  assert.ok(insight.config.available);
  const share = insight.config.notification.ioSideCpuShare!;
  assert.ok(share > 0 && share < 1, `${share}`);
  assert.deepEqual(insight.notes, []);
});

test('a large byte mismatch is flagged, with what disagrees; clock-sized differences are not', () => {
  const i = input();
  const cached = buildSampleInsight({ ...i, fio: { ...i.fio, bwBytesPerS: i.fio.bwBytesPerS! * 3 } });
  assert.ok(cached.blockstats.available);
  assert.match(
    cached.blockstats.mismatch ?? '',
    /^large byte mismatch: the host's read rate is 33 % of fio's \(caching, or not the disk under test\)$/,
  );
  // fio's clock 30 % off (TCG on a busy host): reported, not flagged.
  const skewed = buildSampleInsight({ ...i, fio: { ...i.fio, bwBytesPerS: i.fio.bwBytesPerS! * 1.3 } });
  assert.ok(skewed.blockstats.available && skewed.blockstats.mismatch === null);
  const counters = (rdBytes: number) => ({ rdBytes, rdOperations: rdBytes / 4096, rdMerged: 0 });
  const zero = counters(0);
  const other = blockstatsInsight({
    source: 'qemu',
    node: 'other-disk',
    before: zero,
    after: counters(4096),
    windowMs: 1000,
    ios: 1,
    guestReadBytes: 4096000,
    fioBytesPerS: null,
  });
  assert.equal(
    other.mismatch,
    'large byte mismatch: the host read 0 % of the bytes the guest read from the disk (caching, or not the disk under test)',
  );
  const nothing = blockstatsInsight({
    source: 'qemu',
    node: 'other-disk',
    before: zero,
    after: zero,
    windowMs: 1000,
    ios: 1000,
    guestReadBytes: null,
    fioBytesPerS: null,
  });
  assert.equal(
    nothing.mismatch,
    'large byte mismatch: the host node read nothing while the guest completed I/O (caching, or not the disk under test)',
  );
  assert.equal(nothing.mergeRatio, null);
  assert.equal(BYTES_TOLERANCE, 1.5);
});

test('without a window every section says why; exits keep their own reason', () => {
  const insight = buildSampleInsight(input({ window: { ok: false, reason: 'fio ended before the window began' } }));
  assert.deepEqual(insight.window, { available: false, reason: 'fio ended before the window began' });
  for (const s of [insight.hostCpu, insight.guest, insight.blockstats]) {
    assert.deepEqual(s, { available: false, reason: 'no measurement window: fio ended before the window began' });
  }
  assert.deepEqual(insight.exits, { available: false, reason: TCG_REASON });
  assert.ok(insight.config.available, 'the configuration is read after fio, window or not');
});

test('a guest snapshot that failed: the guest section says why, host figures keep the host’s count', () => {
  const i = input();
  if (!i.window.ok) throw new Error('unreachable');
  const after = { ...i.window.after, guest: { ok: false as const, error: 'guest command timed out' } };
  const insight = buildSampleInsight({ ...i, window: { ...i.window, after } });
  assert.deepEqual(insight.guest, {
    available: false,
    reason: 'guest snapshot at the window end: guest command timed out',
  });
  assert.ok(insight.hostCpu.available);
  assert.ok(insight.window.available && insight.window.guestIos === null);
  assert.equal(insight.window.ios, fio.total_ios, 'host-side figures still have the host’s count');
  assert.ok(Math.abs(insight.hostCpu.totalUsPerIo! - insight.hostCpu.totalCpuUs / fio.total_ios) < 1e-9);
  // Without any I/O count nothing is per I/O.
  const blind = buildSampleInsight({
    ...i,
    block: { available: false, reason: 'no monitor' },
    window: { ...i.window, after },
  });
  assert.ok(blind.hostCpu.available && blind.hostCpu.totalUsPerIo === null);
  assert.deepEqual(blind.blockstats, { available: false, reason: 'no monitor' });
});

test('exit counters, when a source exists, become deltas per I/O', () => {
  const i = input();
  if (!i.window.ok) throw new Error('unreachable');
  const withExits = (s: Snapshot, exits: number): Snapshot => ({
    ...s,
    exits: { ok: true, value: { exits, io_exits: exits / 2 } },
  });
  const insight = buildSampleInsight({
    ...i,
    exits: { source: 'query-stats' },
    window: {
      ...i.window,
      before: withExits(i.window.before, 1000),
      after: withExits(i.window.after, 1000 + 2 * fio.total_ios),
    },
  });
  assert.ok(insight.exits.available);
  assert.equal(insight.exits.exitsPerIo, 2);
  assert.equal(insight.exits.perIo.io_exits, 1);
  assert.equal(insight.exits.source, 'query-stats');
});

test('a storage daemon whose counters never move (QEMU 7.2 vhost-user-blk exports account no I/O): not measurable, guest count as denominator', () => {
  const frozen = pickBlockCounters(fixtureJson('qmp-query-blockstats-before.json'), match);
  const still = (s: Snapshot): Snapshot => ({ ...s, block: { ok: true, value: frozen } });
  const base = input();
  assert.ok(base.window.ok);
  const insight = buildSampleInsight(
    input({
      block: { kind: 'storage-daemon', node: 'vblk-disk' },
      window: { ...base.window, before: still(base.window.before), after: still(base.window.after) },
    }),
  );
  assert.ok(insight.window.available);
  assert.equal(insight.window.iosSource, 'guest-diskstats');
  assert.equal(insight.window.ios, fio.total_ios);
  assert.ok(insight.hostCpu.available && insight.hostCpu.totalUsPerIo !== null, 'host CPU per I/O still measured');
  assert.equal(insight.blockstats.available, false);
  assert.match(
    !insight.blockstats.available ? insight.blockstats.reason : '',
    /does not account I\/O on vhost-user-blk exports/,
  );
});
