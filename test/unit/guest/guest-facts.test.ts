import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readGuestFacts } from '../../../src/guest/guest-facts.js';
import { RunStepError } from '../../../src/model/errors.js';
import { hint } from '../../../src/model/diagnostic.js';
import { FakeRunner } from './fake-runner.js';

const uname = { stdout: '6.1.0-28-amd64\n' };

test('readGuestFacts returns kernel release and fio version', async () => {
  const r = new FakeRunner((argv) =>
    argv[0] === 'uname' ? uname : argv[0] === 'fio' ? { stdout: 'fio-3.33\n' } : undefined,
  );
  assert.deepEqual(await readGuestFacts(r), { kernel: '6.1.0-28-amd64', fioVersion: 'fio-3.33' });
  assert.deepEqual(r.calls, [
    ['uname', '-r'],
    ['fio', '--version'],
  ]);
});

test('a missing fio says so, typed FioNotFound (whose hint says how to get one)', async () => {
  const r = new FakeRunner((argv) => (argv[0] === 'uname' ? uname : { code: 127, stderr: 'sh: fio: not found\n' }));
  await assert.rejects(readGuestFacts(r), (err: unknown) => {
    assert.ok(err instanceof RunStepError);
    assert.equal(err.message, 'fio not found in the guest');
    assert.equal(err.failure, 'FioNotFound');
    assert.match(hint({ kind: err.failure, reason: err.message }), /fio on PATH/);
    return true;
  });
});

test('a fio that cannot load its libraries is not reported as missing', async () => {
  const r = new FakeRunner((argv) =>
    argv[0] === 'uname'
      ? uname
      : {
          code: 127,
          stderr:
            'fio: error while loading shared libraries: librbd.so.1: cannot open shared object file: No such file or directory\n',
        },
  );
  await assert.rejects(readGuestFacts(r), (err: unknown) => {
    assert.ok(err instanceof RunStepError);
    assert.match(err.message, /fio in the guest cannot start: shared library librbd\.so\.1 is missing/);
    assert.equal(err.failure, 'FioNotFound');
    return true;
  });
});

test('odd output is refused', async () => {
  const r = new FakeRunner((argv) => (argv[0] === 'uname' ? uname : { stdout: 'hello\n' }));
  await assert.rejects(readGuestFacts(r), /unexpected 'fio --version' output/);
});
