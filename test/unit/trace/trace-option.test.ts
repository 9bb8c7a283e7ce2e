/** `trace: latency`: validated, off by default, not a change on resume, and QEMU's launch flags only with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { InputError } from '../../../src/model/errors.js';
import { mayDiffer } from '../../../src/model/may-differ.js';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';
import { baseSpec, hasSequence } from '../vm/fixtures.js';
import { QEMU_TRACE_EVENTS } from '../../../src/trace/qemu-trace.js';
import { makePlan } from '../../../src/plan/plan.js';
import { launchSpecFor } from '../../../src/run/launch.js';
import { getBackend } from '../../../src/vm/backends/index.js';

test('trace defaults to none, accepts latency, refuses anything else with its path', () => {
  assert.equal(validateProfile(parseYaml('name: t\nmatrix: {iodepth: [1]}\n')).trace, 'none');
  assert.equal(validateProfile(parseYaml('name: t\ntrace: latency\nmatrix: {iodepth: [1]}\n')).trace, 'latency');
  assert.throws(
    () => validateProfile(parseYaml('name: t\ntrace: full\nmatrix: {iodepth: [1]}\n')),
    (err: unknown) => err instanceof InputError && err.lines.some((l) => /^trace: expected none or latency/.test(l)),
  );
});

test('trace may differ on resume and between compared runs: it adds a traced run, never a sample', () => {
  assert.equal(mayDiffer('profile.trace', 'resume'), true);
  assert.equal(mayDiffer('profile.trace', 'comparison'), true);
});

test('a trace log adds -D <file> -msg timestamp=on; without one QEMU gets neither; no -trace at launch', () => {
  const plain = buildQemuArgs(baseSpec());
  assert.ok(!plain.includes('-D') && !plain.includes('-msg'));
  const traced = buildQemuArgs({ ...baseSpec(), traceLog: '/tmp/b/qemu-trace.log' });
  assert.ok(hasSequence(traced, ['-D', '/tmp/b/qemu-trace.log', '-msg', 'timestamp=on']));
  assert.ok(!traced.includes('-trace'), 'events are switched over QMP, not at launch');
});

test('the QEMU events: those of the layers, no laio_* (QEMU 7.2 has none)', () => {
  for (const e of ['virtio_queue_notify', 'virtio_blk_req_complete', 'virtio_blk_rw_complete', 'blk_co_preadv'])
    assert.ok(QEMU_TRACE_EVENTS.includes(e), e);
  assert.ok(!QEMU_TRACE_EVENTS.some((e) => e.startsWith('laio_')));
});

test('trace: latency leaves the measured vhost-user-blk daemon untraced; only a traced boot passes its events', () => {
  const profile = validateProfile(
    parseYaml('name: t\ntrace: latency\ndisk: {aio: threads}\nmatrix: {backend: [vhost-user-blk], iodepth: [1]}\n'),
  );
  const group = makePlan(profile, 'tcg').groups[0]!;
  const ctx = { profile, accel: 'tcg' as const, kernelPath: '/k', initrdPath: '/i', backingPath: '/b' };
  const measured = launchSpecFor(group, { ...ctx, bootDir: '/d', sshHostPort: 0 });
  assert.equal(measured.daemonTrace, undefined);
  const daemonArgv = getBackend('vhost-user-blk').hostCommands!(measured)[0]!.args;
  assert.ok(!daemonArgv.includes('--trace'), daemonArgv.join(' '));
  const daemonTrace = { output: '/sys/kernel/tracing/instances/x/trace_marker', events: ['blk_co_preadv'] };
  const traced = launchSpecFor(group, { ...ctx, bootDir: '/d', sshHostPort: 0, daemonTrace });
  assert.ok(getBackend('vhost-user-blk').hostCommands!(traced)[0]!.args.includes('--trace'));
});
