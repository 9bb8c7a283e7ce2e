import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedulerList, SchedulerUnavailableError, setScheduler } from '../../../src/guest/scheduler.js';
import { InputError, RunStepError } from '../../../src/model/errors.js';
import { FakeRunner } from './fake-runner.js';
import { mapLegacyScheduler, SCHEDULER_NAME_PATTERN } from '../../../src/model/scheduler-names.js';

test('parseSchedulerList reads the bracketed active entry and all available ones', () => {
  assert.deepEqual(parseSchedulerList('[mq-deadline] kyber bfq none\n'), {
    active: 'mq-deadline',
    available: ['mq-deadline', 'kyber', 'bfq', 'none'],
  });
  assert.deepEqual(parseSchedulerList('mq-deadline kyber [none]'), {
    active: 'none',
    available: ['mq-deadline', 'kyber', 'none'],
  });
  assert.deepEqual(parseSchedulerList('[none] \n'), { active: 'none', available: ['none'] });
  assert.deepEqual(parseSchedulerList('none'), { active: 'none', available: ['none'] });
});

test('parseSchedulerList refuses what sysfs never prints', () => {
  assert.throws(() => parseSchedulerList(''), /empty/);
  assert.throws(() => parseSchedulerList('mq-deadline none'), /no active/);
  assert.throws(() => parseSchedulerList('[mq-deadline] [none]'), /two active/);
  assert.throws(() => parseSchedulerList('[none] $(reboot)'), /unexpected entry/);
});

test('legacy names map to blk-mq successors with a notice that says why', () => {
  for (const [legacy, modern] of [
    ['noop', 'none'],
    ['deadline', 'mq-deadline'],
    ['cfq', 'bfq'],
  ] as const) {
    const m = mapLegacyScheduler(legacy);
    assert.equal(m.effective, modern);
    assert.match(m.notice ?? '', /Linux 5\.0/);
    assert.match(m.notice ?? '', /blk-mq/);
  }
  assert.deepEqual(mapLegacyScheduler('kyber'), { effective: 'kyber' });
  assert.deepEqual(mapLegacyScheduler('none'), { effective: 'none' });
  assert.ok(SCHEDULER_NAME_PATTERN.test('mq-deadline'));
  assert.ok(!SCHEDULER_NAME_PATTERN.test('Deadline'));
  assert.ok(!SCHEDULER_NAME_PATTERN.test('none;reboot'));
});

/** A fake guest kernel: sysfs scheduler file, loadable modules. */
function fakeKernel(opts: { builtin: string[]; modules: Record<string, string>; active: string; stickTo?: string }) {
  const available = [...opts.builtin];
  let active = opts.active;
  const render = () => available.map((n) => (n === active ? `[${n}]` : n)).join(' ') + '\n';
  const runner = new FakeRunner((argv) => {
    const [cmd, a1, , , a4, a5] = argv;
    if (cmd === 'cat' && a1 === '/sys/block/vdb/queue/scheduler') return { stdout: render() };
    if (cmd === 'modprobe' && a1 !== undefined) {
      const provides = opts.modules[a1];
      if (provides === undefined) return { code: 1, stderr: `modprobe: FATAL: Module ${a1} not found` };
      if (!available.includes(provides)) available.push(provides);
      return {};
    }
    if (cmd === 'sh' && a1 === '-c' && a5 === 'vdb' && a4 !== undefined) {
      if (!available.includes(a4)) return { code: 1, stderr: 'sh: write error: Invalid argument' };
      active = opts.stickTo ?? a4;
      return {};
    }
    return undefined;
  });
  return runner;
}

test('setScheduler loads the bfq module when needed, writes, and reads back', async () => {
  const runner = fakeKernel({
    builtin: ['mq-deadline', 'none'],
    modules: { bfq: 'bfq', 'kyber-iosched': 'kyber' },
    active: 'none',
  });
  const r = await setScheduler(runner, 'vdb', 'cfq');
  assert.equal(r.requested, 'cfq');
  assert.equal(r.effective, 'bfq');
  assert.equal(r.active, 'bfq');
  assert.equal(r.notices.length, 1);
  assert.deepEqual(
    runner.calls.map((c) => c[0]),
    ['cat', 'modprobe', 'cat', 'sh', 'cat'],
  );
  assert.deepEqual(runner.calls[1], ['modprobe', 'bfq']);
  // The script is constant; name and device travel as positional parameters.
  assert.deepEqual(runner.calls[3]?.slice(3), ['sh', 'bfq', 'vdb']);
  assert.ok(!runner.calls[3]?.[2]?.includes('bfq'));
});

test('setScheduler loads kyber-iosched for kyber and skips modprobe for built-ins', async () => {
  const k = fakeKernel({ builtin: ['mq-deadline', 'none'], modules: { 'kyber-iosched': 'kyber' }, active: 'none' });
  assert.equal((await setScheduler(k, 'vdb', 'kyber')).active, 'kyber');
  assert.deepEqual(k.calls[1], ['modprobe', 'kyber-iosched']);
  const d = fakeKernel({ builtin: ['mq-deadline', 'none'], modules: {}, active: 'none' });
  const r = await setScheduler(d, 'vdb', 'deadline');
  assert.equal(r.active, 'mq-deadline');
  assert.ok(!d.calls.some((c) => c[0] === 'modprobe'));
});

test('an unavailable scheduler fails with the list the kernel offers', async () => {
  const runner = fakeKernel({ builtin: ['mq-deadline', 'none'], modules: {}, active: 'none' });
  await assert.rejects(setScheduler(runner, 'vdb', 'bfq'), (err: unknown) => {
    assert.ok(err instanceof SchedulerUnavailableError);
    assert.match(err.message, /does not offer scheduler 'bfq'.*modprobe bfq.*available: mq-deadline, none/);
    assert.deepEqual(err.available, ['mq-deadline', 'none']);
    assert.match(err.details.join('\n'), /Module bfq not found/);
    return true;
  });
  await assert.rejects(
    setScheduler(runner, 'vdb', 'fancy'),
    /does not offer scheduler 'fancy'.*available: mq-deadline, none/,
  );
});

test('a read-back that differs from what was written is an error', async () => {
  const runner = fakeKernel({ builtin: ['mq-deadline', 'none'], modules: {}, active: 'none', stickTo: 'none' });
  await assert.rejects(setScheduler(runner, 'vdb', 'mq-deadline'), (err: unknown) => {
    assert.ok(err instanceof RunStepError);
    assert.match(err.message, /reads back as 'none' after writing 'mq-deadline'/);
    return true;
  });
});

test('bad names and devices are refused before anything is sent', async () => {
  const runner = new FakeRunner(() => ({}));
  await assert.rejects(setScheduler(runner, 'vdb', 'none; reboot'), InputError);
  await assert.rejects(setScheduler(runner, '../sda', 'none'), InputError);
  await assert.rejects(setScheduler(runner, 'sda', 'none'), InputError);
  assert.equal(runner.calls.length, 0);
});
