import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDirectIo } from '../../../src/run/backing-store.js';
import { HostError } from '../../../src/model/errors.js';

const einval = async () => {
  throw Object.assign(new Error('EINVAL: invalid argument, open'), { code: 'EINVAL' });
};

test('cache: none on a tmpfs without O_DIRECT fails with the reason and a way out, never a silent fallback', async () => {
  await assert.rejects(checkDirectIo('/dev/shm/vblk-bench-1.raw', true, einval), (e: unknown) => {
    assert.ok(e instanceof HostError);
    assert.match(
      e.message,
      /^disk\.cache none needs O_DIRECT, but tmpfs \(\/dev\/shm\) refuses it \(EINVAL; tmpfs supports O_DIRECT from Linux 6\.6, this host runs .+\)$/,
    );
    assert.match(e.hint ?? '', /disk\.path to a file on a real filesystem/);
    return true;
  });
  await assert.rejects(checkDirectIo('/data/x.raw', false, einval), /but \/data\/x\.raw refuses it/);
});

test('an O_DIRECT open that works passes; other errors are not disguised as EINVAL', async () => {
  let closed = false;
  await checkDirectIo('/x', true, async () => ({ close: async () => void (closed = true) }));
  assert.equal(closed, true);
  await assert.rejects(
    checkDirectIo('/x', true, async () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    }),
    /EACCES/,
  );
});
