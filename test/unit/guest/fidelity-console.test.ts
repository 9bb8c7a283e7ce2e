/**
 * Reading the harness-free guest's console: fio's output counts only whole
 * (its size and sha256 match the END line); cut-short, garbled or foreign
 * output is a problem with a reason, never a number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseFidelityConsole } from '../../../src/guest/fidelity-console.js';

const N = '0123456789abcdef';
const say = (text: string, nonce = N) => `VBLK-FIDELITY ${nonce} ${text}`;
const JSON_OUT = '{\n  "fio version" : "fio-3.33",\n  "jobs" : []\n}\n';
const end = (id: string, out: string) =>
  say(`END ${id} bytes=${Buffer.byteLength(out)} sha256=${createHash('sha256').update(out).digest('hex')}`);

function consoleOf(lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

test('a whole run: boot facts, settings, argv, fio output checked against its END line', () => {
  const c = parseFidelityConsole(
    consoleOf([
      '[    1.0] some kernel line',
      say('BOOT device=vda sshd=absent kernel=6.1.0-57-amd64'),
      say('SETTING 01 scheduler [none] mq-deadline'),
      say('ARGV 01 fio --name=vblk --filename=/dev/vda'),
      say('BEGIN 01 rc=0'),
      ...JSON_OUT.trimEnd().split('\n'),
      end('01', JSON_OUT),
      say('DONE'),
    ]),
    N,
  );
  assert.deepEqual(c.boot, { device: 'vda', sshd: 'absent', kernel: '6.1.0-57-amd64' });
  const job = c.jobs.get('01')!;
  assert.equal(job.stdout, JSON_OUT);
  assert.equal(job.problem, null);
  assert.equal(job.rc, 0);
  assert.deepEqual(job.argv, ['fio', '--name=vblk', '--filename=/dev/vda']);
  assert.equal(job.settings.scheduler, '[none] mq-deadline');
  assert.equal(c.done, true);
});

test('output without a final newline, and a kernel line inside it, still check out', () => {
  const out = '{"a": 1}';
  const c = parseFidelityConsole(consoleOf([say('BEGIN 01 rc=0'), '{"a": 1}', end('01', out)]), N);
  assert.equal(c.jobs.get('01')!.stdout, out);
  const k = parseFidelityConsole(
    consoleOf([
      say('BEGIN 01 rc=0'),
      '{',
      '[   12.345678] virtio_blk: warning',
      '  "jobs" : []',
      '}',
      end('01', '{\n  "jobs" : []\n}\n'),
    ]),
    N,
  );
  assert.equal(k.jobs.get('01')!.stdout, '{\n  "jobs" : []\n}\n');
});

test('truncated: the console ends (or another marker comes) before END', () => {
  const cut = parseFidelityConsole(consoleOf([say('BEGIN 01 rc=0'), '{', '  "jobs" : [']), N);
  assert.equal(cut.jobs.get('01')!.stdout, null);
  assert.match(cut.jobs.get('01')!.problem!, /cut short/);
  assert.equal(cut.done, false);
  const interrupted = parseFidelityConsole(consoleOf([say('BEGIN 01 rc=0'), '{', say('BEGIN 02 rc=0')]), N);
  assert.match(interrupted.jobs.get('01')!.problem!, /interrupted by another marker/);
});

test('garbled: a changed byte, a wrong size or a malformed END line is refused', () => {
  const changed = parseFidelityConsole(consoleOf([say('BEGIN 01 rc=0'), '{"a": 2}', end('01', '{"a": 1}\n')]), N);
  assert.match(changed.jobs.get('01')!.problem!, /garbled/);
  const malformed = parseFidelityConsole(
    consoleOf([say('BEGIN 01 rc=0'), '{"a": 1}', say('END 01 bytes=x sha256=y')]),
    N,
  );
  assert.equal(malformed.jobs.get('01')!.stdout, null);
  assert.match(malformed.jobs.get('01')!.problem!, /garbled/);
});

test('markers with another nonce are console text, not markers; FAILED and STDERR are kept', () => {
  const c = parseFidelityConsole(
    consoleOf([
      say('BOOT device=vdz sshd=absent kernel=x', 'ffffffffffffffff'),
      say('FAILED no test disk (serial vblk-test, 0 virtio disk(s))'),
      say('STDERR 01 fio: file not found'),
    ]),
    N,
  );
  assert.equal(c.boot, null);
  assert.equal(c.failed, 'no test disk (serial vblk-test, 0 virtio disk(s))');
  assert.equal(c.jobs.get('01')!.stderr, 'fio: file not found');
  assert.equal(parseFidelityConsole('', N).jobs.size, 0);
  assert.equal(parseFidelityConsole('\u0000\u0007garbage\r\r\n', N).boot, null);
});
