import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { InputError } from '../../../src/model/errors.js';

/** Validation errors as the user sees them: one `path: problem` line each. */
function errorsOf(yaml: string): string[] {
  try {
    validateProfile(parseYaml(yaml), 'p');
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err.lines;
  }
  assert.fail('expected validation to fail');
}

test('a five-line profile gets every default', () => {
  const p = validateProfile(parseYaml('name: five\nmatrix:\n  iodepth: [1, 4]\n'));
  assert.equal(p.qemu.binary, 'qemu-system-x86_64');
  assert.equal(p.qemu.accel, 'auto');
  assert.equal(p.qemu.memory, 512 * 1024 * 1024);
  assert.equal(p.disk.cache, 'none');
  assert.equal(p.disk.aio, 'native');
  assert.equal(p.fio.rw, 'read');
  assert.equal(p.fio.bs, '4k');
  assert.equal(p.fio.ioengine, 'libaio');
  assert.equal(p.fio.direct, true);
  assert.equal(p.guest.kind, 'builtin');
  assert.deepEqual(
    p.matrix.iodepth?.map((e) => e.requested),
    [1, 4],
  );
});

test('the name defaults to the file name when absent', () => {
  assert.equal(validateProfile(parseYaml('matrix: {iodepth: [1]}'), 'from-file').name, 'from-file');
});

test('iodepth 0 names the exact path', () => {
  assert.deepEqual(errorsOf('matrix:\n  iodepth: [1, 2, 0]\n'), ['matrix.iodepth[2]: expected a positive integer']);
});

test('a string iodepth names the exact path', () => {
  assert.deepEqual(errorsOf('matrix:\n  iodepth: [1, "four"]\n'), ['matrix.iodepth[1]: expected a positive integer']);
});

test('unknown keys are errors, at every level', () => {
  const lines = errorsOf('qemu:\n  acel: kvm\nmatrix:\n  iodepht: [1]\nfoo: 1\n');
  assert.ok(lines.includes('qemu.acel: unknown key'), lines.join('\n'));
  assert.ok(lines.includes('matrix.iodepht: unknown key'), lines.join('\n'));
  assert.ok(lines.includes('foo: unknown key'), lines.join('\n'));
});

test('every problem gets its own line', () => {
  const lines = errorsOf('qemu:\n  vcpus: 0\n  accel: xen\nfio:\n  bs: "4k; rm -rf /"\nmatrix:\n  iodepth: [1]\n');
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('qemu.vcpus: must be at least 1')));
  assert.ok(lines.some((l) => l.startsWith('qemu.accel: expected auto, kvm or tcg')));
  assert.ok(lines.some((l) => l.startsWith('fio.bs: expected a block size')));
});

test('ioeventfd accepts on/off strings (YAML 1.2) and booleans (YAML 1.1)', () => {
  const asStrings = validateProfile(parseYaml('matrix:\n  ioeventfd: [on, "off"]\n'), 'p');
  const asBooleans = validateProfile(parseYaml('matrix:\n  ioeventfd: [true, false]\n'), 'p');
  assert.deepEqual(
    asStrings.matrix.ioeventfd?.map((e) => e.requested),
    ['on', 'off'],
  );
  assert.deepEqual(
    asBooleans.matrix.ioeventfd?.map((e) => e.requested),
    ['on', 'off'],
  );
  assert.deepEqual(errorsOf('matrix:\n  ioeventfd: [on, true]\n'), [
    'matrix.ioeventfd[1]: duplicate of ioeventfd[0] (both mean on)',
  ]);
});

test('duplicate effective values are refused (cfq and bfq are one scheduler)', () => {
  assert.deepEqual(errorsOf('matrix:\n  scheduler: [bfq, cfq]\n'), [
    'matrix.scheduler[1]: duplicate of scheduler[0] (both mean bfq)',
  ]);
});

test('an empty matrix is refused', () => {
  assert.deepEqual(errorsOf('name: x\nmatrix: {}\n'), [
    'matrix: expected at least one axis (backend, ioeventfd, aio, cache, vcpus, num_queues, queue_size, poll_max_ns, scheduler, nomerges, nr_requests, rw, bs, numjobs, iodepth)',
  ]);
});

test('a missing matrix is refused', () => {
  assert.ok(errorsOf('name: x\n')[0]!.startsWith('matrix: '));
});

test('scheduler names with shell characters are refused', () => {
  const lines = errorsOf('matrix:\n  scheduler: ["none; reboot"]\n');
  assert.match(lines[0]!, /^matrix\.scheduler\[0\]: expected a scheduler name/);
});

test('paths with shell or QEMU option characters are refused', () => {
  const lines = errorsOf('disk:\n  path: "/tmp/a,b"\nmatrix: {iodepth: [1]}\n');
  assert.match(lines[0]!, /^disk\.path: expected a path/);
});

test('aio native needs cache none, said at validation time', () => {
  const lines = errorsOf('disk: {cache: writeback}\nmatrix: {iodepth: [1]}\n');
  assert.match(lines[0]!, /^disk\.aio: aio native requires cache: none/);
});

test('sizes and durations are normalised', () => {
  const p = validateProfile(
    parseYaml('qemu: {memory: 1G}\ndisk: {size: 64M}\nfio: {runtime: 2m, ramp_time: 2}\nmatrix: {iodepth: [1]}'),
    'p',
  );
  assert.equal(p.qemu.memory, 1024 ** 3);
  assert.equal(p.disk.size, 64 * 1024 ** 2);
  assert.equal(p.fio.runtime, 120);
  assert.equal(p.fio.ramp_time, 2);
  assert.equal(errorsOf('fio: {runtime: 500ms}\nmatrix: {iodepth: [1]}').length, 1);
});

test('huge values are bounded', () => {
  assert.deepEqual(errorsOf('matrix: {iodepth: [100000]}'), ['matrix.iodepth[0]: must be at most 4096']);
});

test('backend entries may be objects with options', () => {
  const p = validateProfile(
    parseYaml('matrix:\n  backend: [virtio-blk, {name: virtio-blk-iothread, queue_size: 128, label: io-qs128}]\n'),
    'p',
  );
  assert.deepEqual(p.matrix.backend?.[1], {
    requested: 'io-qs128',
    options: { backend: 'virtio-blk-iothread', queue_size: 128 },
  });
  assert.match(errorsOf('matrix:\n  backend: [{name: virtio-blk, queue_siz: 1}]\n')[0]!, /^matrix\.backend\[0\]/);
});

test('YAML syntax errors say where', () => {
  const lines = errorsOf('matrix:\n  iodepth: [1, 2\n');
  assert.match(lines[0]!, /^line \d+, column \d+: /);
});

test('YAML alias bombs are stopped', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  ].join('\n');
  const lines = errorsOf(bomb);
  assert.match(lines[0]!, /^YAML: .*alias/i);
});

test('a YAML list at the top level is not a profile', () => {
  assert.deepEqual(errorsOf('- a\n- b\n'), ['(top level): expected a mapping at the top level']);
});

test('guest.image_hash: a hash YAML reads as a number says to quote it; quoted it is accepted', () => {
  for (const hash of ['0000000000000000', '12e45678']) {
    assert.deepEqual(errorsOf(`name: t\nguest: {kind: builtin, image_hash: ${hash}}\nmatrix: {iodepth: [1]}\n`), [
      'guest.image_hash: expected a quoted string of 8 to 64 lower-case hex digits (YAML reads some unquoted hashes as numbers: write image_hash: "…")',
    ]);
    const p = validateProfile(
      parseYaml(`name: t\nguest: {kind: builtin, image_hash: "${hash}"}\nmatrix: {iodepth: [1]}\n`),
    );
    assert.equal((p.guest as { image_hash?: string }).image_hash, hash);
  }
  assert.deepEqual(errorsOf('name: t\nguest: {kind: builtin, image_hash: XYZ}\nmatrix: {iodepth: [1]}\n'), [
    'guest.image_hash: expected 8 to 64 lower-case hex digits of a content hash',
  ]);
});

test('an axis with more than 64 values says the limit, not "expected a list"', () => {
  const values = Array.from({ length: 65 }, (_, i) => i + 1).join(', ');
  assert.deepEqual(errorsOf(`matrix: {iodepth: [${values}]}`), ['matrix.iodepth: at most 64 values per axis, got 65']);
  assert.deepEqual(errorsOf('matrix: {iodepth: 4}'), ['matrix.iodepth: expected a list']);
});

test('a file that is not a profile is refused in one line that quotes none of it', () => {
  const keyValues = Array.from({ length: 40 }, (_, i) => `SECRET_KEY_${i}: value-${i}`).join('\n');
  const lines = errorsOf(keyValues);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^\(top level\): not a vblk-bench profile: no matrix, and most of its 40 top-level key\(s\) are not profile keys/,
  );
  assert.ok(!lines[0]!.includes('SECRET'));
  // Not YAML at all: the first problem and the count, one line, in our words.
  const shadow = Array.from({ length: 30 }, (_, i) => `user${i}:$6$SECRET/hash:19000:0:99999:7:::\n\t- [ ] : {x`).join(
    '\n',
  );
  const yaml = errorsOf(shadow);
  assert.equal(yaml.length, 1);
  assert.match(yaml[0]!, /^line \d+, column \d+: .+ \(and \d+ more YAML problem\(s\)\)$/);
  assert.ok(!yaml[0]!.includes('SECRET') && !yaml[0]!.includes('$6$'));
  assert.deepEqual(errorsOf('matrix: !!python/object:os.system {iodepth: [1]}\n'), [
    'line 1, column 9: a tag YAML does not resolve (!!python/…, !!binary and other tags are not allowed)',
  ]);
});

test('problem lists are capped: the first 10, then how many more', () => {
  const lines = errorsOf(`matrix: {iodepth: [${Array.from({ length: 20 }, () => '0').join(', ')}]}`);
  assert.equal(lines.length, 11);
  assert.match(lines[10]!, /^\(top level\): and \d+ more problem\(s\)$/);
});

test('insight.sampling: absent by default (stored as nothing), in-window on request, anything else named', () => {
  assert.equal(validateProfile(parseYaml('matrix: {iodepth: [1]}'), 'p').insight, undefined);
  const p = validateProfile(parseYaml('insight: {sampling: in-window}\nmatrix: {iodepth: [1]}'), 'p');
  assert.equal(p.insight?.sampling, 'in-window');
  assert.equal(
    validateProfile(parseYaml('insight: {}\nmatrix: {iodepth: [1]}'), 'p').insight?.sampling,
    'outside-window',
  );
  assert.deepEqual(errorsOf('insight: {sampling: inside}\nmatrix: {iodepth: [1]}'), [
    'insight.sampling: expected outside-window or in-window',
  ]);
});
