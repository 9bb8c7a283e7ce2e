/** `trace: latency`: validated, off by default, not a change on resume, and QEMU's launch flags only with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { InputError } from '../../../src/model/errors.js';
import { mayDiffer } from '../../../src/model/may-differ.js';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';
import { baseSpec, hasSequence } from '../vm/fixtures.js';
import { QEMU_TRACE_EVENTS } from '../../../src/trace/qemu-trace.js';

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
