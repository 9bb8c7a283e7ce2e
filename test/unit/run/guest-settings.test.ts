/**
 * Guest queue knobs (nomerges, nr_requests): the exact guest commands, the
 * read-back, the refusal message, and re-application after a scheduler
 * change (which resets nr_requests in the kernel). Plus the unsupported
 * samples a run stores for cells this host cannot run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../guest/fake-runner.js';
import { setQueueAttribute } from '../../../src/guest/queue-attr.js';
import { applyGuestSettings } from '../../../src/run/guest-settings.js';
import type { RunningGuest } from '../../../src/run/guest-boot.js';
import type { Cell } from '../../../src/plan/cells.js';
import type { PrunedCell } from '../../../src/plan/rules.js';
import { storeUnsupported, unsupportedSamples, unsupportedWarnings } from '../../../src/run/unsupported.js';
import { explain } from '../../../src/model/diagnostic.js';
import type { Plan } from '../../../src/plan/plan.js';
import { SampleSchema } from '../../../src/model/schemas/sample.js';

const WRITE = 'printf "%s\\n" "$1" > "/sys/block/$2/queue/$3"';

/** A guest whose sysfs holds values; writes above `maxNr` to nr_requests fail like the kernel's EINVAL. */
function fakeGuest(maxNr = 256) {
  const sysfs: Record<string, string> = { scheduler: '[none] mq-deadline', nomerges: '0', nr_requests: '256' };
  const runner = new FakeRunner((argv) => {
    if (argv[0] === 'cat') {
      const attr = argv[1]!.split('/').pop()!;
      return { stdout: `${sysfs[attr]}\n` };
    }
    if (argv[0] === 'sh' && argv[2] === WRITE) {
      const [value, , attr] = argv.slice(4) as [string, string, string];
      if (attr === 'nr_requests' && Number(value) > maxNr)
        return { code: 1, stderr: 'sh: line 1: printf: write error: Invalid argument\n' };
      sysfs[attr] = value;
      return {};
    }
    if (argv[0] === 'sh' && argv[2]?.includes('/queue/scheduler')) {
      sysfs.scheduler = ['none', 'mq-deadline'].map((n) => (n === argv[4] ? `[${n}]` : n)).join(' ');
      sysfs.nr_requests = '64'; // what the kernel does when the elevator changes
      return {};
    }
    return undefined;
  });
  return { runner, sysfs, guest: { session: runner, device: 'vdb' } as unknown as RunningGuest };
}

test('queue attributes: constant script, positional values, read back', async () => {
  const { runner } = fakeGuest();
  assert.equal(await setQueueAttribute(runner, 'vdb', 'nomerges', 2), 2);
  assert.deepEqual(runner.calls, [
    ['sh', '-c', WRITE, 'sh', '2', 'vdb', 'nomerges'],
    ['cat', '/sys/block/vdb/queue/nomerges'],
  ]);
});

test('a value the kernel refuses is an error naming it and why', async () => {
  const { runner } = fakeGuest(256);
  await assert.rejects(
    setQueueAttribute(runner, 'vdb', 'nr_requests', 1024),
    /^RunStepError: the guest refused nr_requests=1024 on vdb \(printf: write error: Invalid argument\): without a scheduler nr_requests cannot exceed the device queue depth \(queue_size\)$/,
  );
  await assert.rejects(setQueueAttribute(runner, 'vdb; reboot', 'nomerges', 0), /not a virtio disk name/);
  await assert.rejects(
    setQueueAttribute(runner, 'vdb', 'read_ahead_kb' as 'nomerges', 0),
    /is not one of nomerges, nr_requests/,
  );
});

const cell = (values: Record<string, string | number>): Cell => ({
  key: '',
  values,
  requested: values,
  options: {},
  notices: [],
});

test('a scheduler change re-applies the knobs after it; unchanged settings are not rewritten', async () => {
  const { runner, guest, sysfs } = fakeGuest();
  const active = new Map<string, string | number>();
  const a = await applyGuestSettings(
    guest,
    cell({ scheduler: 'none', nomerges: 1, nr_requests: 128, iodepth: 1 }),
    active,
  );
  assert.deepEqual(a, { scheduler: 'none', nomerges: 1, nr_requests: 128 });
  const writes = () => runner.calls.filter((c) => c[0] === 'sh').length;
  const before = writes();
  assert.deepEqual(
    await applyGuestSettings(guest, cell({ scheduler: 'none', nomerges: 1, nr_requests: 128, iodepth: 4 }), active),
    a,
  );
  assert.equal(writes(), before, 'same settings: no writes');
  const b = await applyGuestSettings(
    guest,
    cell({ scheduler: 'mq-deadline', nomerges: 1, nr_requests: 128, iodepth: 1 }),
    active,
  );
  assert.deepEqual(b, { scheduler: 'mq-deadline', nomerges: 1, nr_requests: 128 });
  assert.equal(sysfs.nr_requests, '128', 'written again after the elevator reset it to 64');
});

const pruned = (key: string, status: 'impossible' | 'unsupported', reason: string): PrunedCell => ({
  cell: {
    key,
    values: { backend: 'vhost-blk', iodepth: 1 },
    requested: { backend: 'vhost-blk', iodepth: 1 },
    options: {},
    notices: ['n'],
  },
  status,
  reason,
});

test('unsupported cells become unsupported samples and one warning per reason; impossible ones do not', async () => {
  const list = [
    pruned('a', 'unsupported', 'no vhost-blk'),
    pruned('b', 'unsupported', 'no vhost-blk'),
    pruned('c', 'impossible', 'qemu says no'),
  ];
  const now = new Date('2026-01-01T00:00:00Z');
  assert.deepEqual(unsupportedSamples(list, 'tcg', now)[0], {
    cellKey: 'a',
    cell: { backend: 'vhost-blk', iodepth: 1 },
    requested: { backend: 'vhost-blk', iodepth: 1 },
    groupId: '-',
    bootId: '-',
    repetition: 0,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    status: 'unsupported',
    reason: 'no vhost-blk',
    failureKind: 'CellUnsupported',
    accel: 'tcg',
    metrics: {},
    observed: {},
    notices: ['n'],
  });
  // (The fixture's key 'a' stands for its cell; a stored record's key must match its values.)
  const record = {
    schemaVersion: 1,
    ...unsupportedSamples(list, 'tcg', now)[0]!,
    cellKey: 'backend=vhost-blk,iodepth=1',
  };
  assert.ok(
    SampleSchema.safeParse(record).success,
    'its own reader accepts it (group and boot "-": no boot produced it)',
  );
  const warnings = unsupportedWarnings(list);
  assert.deepEqual(warnings, [{ kind: 'CellUnsupported', reason: 'no vhost-blk', count: 2 }]);
  assert.equal(explain(warnings[0]!), '2 cell(s) unsupported on this host, recorded as such: no vhost-blk');
  const written: string[] = [];
  const writer = { writeSample: async (s: { cellKey: string }) => void written.push(s.cellKey) };
  const plan = { pruned: list, accel: 'tcg' } as unknown as Plan;
  await storeUnsupported(writer, plan, new Set(['b']));
  assert.deepEqual(written, ['a'], 'a resumed run does not store them twice');
  await storeUnsupported(writer, { ...plan, shard: { index: 2 } } as Plan);
  assert.deepEqual(written, ['a'], 'only shard 1 stores them');
});
