import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseSchedstat,
  parseStatusField,
  parseTaskStat,
  threadReadingOf,
  NS_PER_TICK,
} from '../../../src/insight/proc-parse.js';
import { classifyThread } from '../../../src/insight/thread-roles.js';
import { hostCpuInsight } from '../../../src/insight/host-cpu.js';
import { capturedHints, capturedReading, fixtureJson, type CapturedTasks } from './fixtures.js';

const before = fixtureJson<CapturedTasks>('host-tasks-before.json');

test('real QEMU 7.2 /proc/<pid>/task/<tid>/stat lines: names with spaces, utime/stime, ppid', () => {
  const names = before.tasks.map((t) => parseTaskStat(t.stat).name);
  assert.ok(names.includes('CPU 0/TCG') && names.includes('CPU 1/TCG'), names.join(', '));
  assert.ok(names.includes('IO iothread0'));
  assert.ok(names.includes('IO mon_iothread'));
  assert.equal(names.filter((n) => n === 'qemu-system-x86').length, 2, 'main loop and call_rcu share the name');
  for (const t of before.tasks) {
    const s = parseTaskStat(t.stat);
    assert.equal(s.tid, t.tid);
    // Fields 14/15 counted independently: split after the last ')'.
    const fields = t.stat
      .slice(t.stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
    assert.equal(s.utimeTicks, Number(fields[11]));
    assert.equal(s.stimeTicks, Number(fields[12]));
    assert.equal(s.state, fields[0]);
  }
});

test('stat lines whose name contains ") " are split at the last ")" (synthetic name, real layout)', () => {
  const real = before.tasks[0]!.stat;
  const tricky = real.replace(/\(([^)]*)\)/, '(a) b (c)');
  const s = parseTaskStat(tricky);
  assert.equal(s.name, 'a) b (c');
  assert.equal(s.utimeTicks, parseTaskStat(real).utimeTicks);
  assert.throws(() => parseTaskStat('not a stat line'), /not a \/proc stat line/);
});

test('real schedstat lines: run ns, wait ns, timeslices; ticks fallback without schedstat', () => {
  for (const t of before.tasks) {
    const s = parseSchedstat(t.schedstat);
    assert.deepEqual(t.schedstat.trim().split(' ').map(Number), [s.runNs, s.waitNs, s.timeslices]);
    const r = threadReadingOf(t.stat, t.schedstat);
    assert.equal(r.clock, 'schedstat');
    assert.equal(r.cpuNs, s.runNs);
    const ticks = threadReadingOf(t.stat, null);
    const st = parseTaskStat(t.stat);
    assert.equal(ticks.clock, 'stat-ticks');
    assert.equal(ticks.cpuNs, (st.utimeTicks + st.stimeTicks) * NS_PER_TICK);
    assert.equal(ticks.runs, null);
  }
  assert.throws(() => parseSchedstat('1 2'), /not a schedstat line/);
});

test('thread roles from names and the QMP ids of the same capture', () => {
  const hints = { ...capturedHints(), pid: before.pid };
  const roles = Object.fromEntries(
    before.tasks.map((t) => {
      const s = parseTaskStat(t.stat);
      return [`${s.tid} ${s.name}`, classifyThread(s, hints)];
    }),
  );
  const byName = (name: string) =>
    Object.entries(roles)
      .filter(([k]) => k.endsWith(` ${name}`))
      .map(([, r]) => r);
  assert.deepEqual(byName('CPU 0/TCG'), ['vcpu']);
  assert.deepEqual(byName('CPU 1/TCG'), ['vcpu']);
  assert.deepEqual(byName('IO iothread0'), ['iothread']);
  assert.deepEqual(byName('IO mon_iothread'), ['other'], 'the QMP monitor iothread is not a user iothread');
  assert.deepEqual(byName('worker'), ['aio-worker']);
  assert.deepEqual(
    byName('qemu-system-x86').sort(),
    ['main-loop', 'other'],
    'tid == pid is the main loop, call_rcu is other',
  );
  // Without QMP ids, names alone give the same answer.
  for (const t of before.tasks) {
    const s = parseTaskStat(t.stat);
    assert.equal(classifyThread(s, { pid: before.pid }), classifyThread(s, hints), s.name);
  }
  assert.equal(classifyThread({ tid: 9, name: 'vhost-1234' }, { pid: 1234 }), 'vhost');
  assert.equal(classifyThread({ tid: 9, name: 'anything' }, { pid: 5, fixedRole: 'storage-daemon' }), 'storage-daemon');
});

test('per-role host CPU over the captured fio run: deltas, per I/O, IOPS per core-second', () => {
  const a = capturedReading('host-tasks-before.json');
  const b = capturedReading('host-tasks-after.json');
  const ios = 5978;
  const insight = hostCpuInsight([a], [b], { ios, windowMs: 2000, hints: capturedHints() });
  assert.equal(insight.clock, 'schedstat');
  const role = (r: string) => insight.roles.find((x) => x.role === r);
  for (const r of ['vcpu', 'main-loop', 'iothread']) assert.ok((role(r)?.cpuUs ?? 0) > 0, `${r} used CPU during fio`);
  assert.equal(role('vcpu')?.threads, 2);
  // Every number is the sum of its threads' schedstat deltas.
  const delta = (tid: number) =>
    (b.threads.find((t) => t.tid === tid)!.cpuNs - a.threads.find((t) => t.tid === tid)!.cpuNs) / 1000;
  const vcpus = [...capturedHints().vcpuTids];
  assert.ok(Math.abs(role('vcpu')!.cpuUs - vcpus.reduce((s, t) => s + delta(t), 0)) < 1e-6);
  assert.ok(Math.abs(insight.totalCpuUs - b.threads.reduce((s, t) => s + delta(t.tid), 0)) < 1e-6);
  assert.ok(Math.abs(insight.totalUsPerIo! - insight.totalCpuUs / ios) < 1e-9);
  assert.ok(Math.abs(insight.iopsPerCoreSecond! - ios / (insight.totalCpuUs / 1e6)) < 1e-6);
  assert.ok(Math.abs(role('vcpu')!.busyCores - role('vcpu')!.cpuUs / 2e6) < 1e-9);
  assert.deepEqual(
    insight.roles.map((r) => r.cpuUs),
    [...insight.roles.map((r) => r.cpuUs)].sort((x, y) => y - x),
    'largest first',
  );
  assert.equal(insight.endedThreads, 0);
});

test('threads that start or end inside the window', () => {
  const a = capturedReading('host-tasks-before.json');
  const b = capturedReading('host-tasks-after.json');
  const gone = a.threads[a.threads.length - 1]!;
  const newcomer = { tid: 999999, name: 'worker', cpuNs: 5_000_000, runs: 7, clock: 'schedstat' as const };
  const after = { ...b, threads: [...b.threads.filter((t) => t.tid !== gone.tid), newcomer] };
  const insight = hostCpuInsight([a], [after], { ios: null, windowMs: 1000, hints: capturedHints() });
  assert.equal(insight.endedThreads, 1);
  const t = insight.threads.find((x) => x.tid === 999999)!;
  assert.equal(t.seen, 'started');
  assert.equal(t.cpuUs, 5000, 'a thread born in the window counts whole');
  assert.equal(insight.totalUsPerIo, null, 'no I/O count, nothing per I/O');
});

test('status fields', () => {
  assert.equal(parseStatusField('Name:\tqemu\nCpus_allowed_list:\t0-1\n', 'Cpus_allowed_list'), '0-1');
  assert.equal(parseStatusField('Name:\tqemu\n', 'Cpus_allowed_list'), undefined);
});
