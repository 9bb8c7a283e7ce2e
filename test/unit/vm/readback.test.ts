import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInfoUsernet } from '../../../src/vm/readback.js';

test('parseInfoUsernet reads the host forwards of QEMU 7.2 HMP output', () => {
  // Captured from qemu-system-x86_64 7.2 with hostfwd=tcp:127.0.0.1:0-:22.
  const text =
    'Hub -1 (net0):\r\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n' +
    '  TCP[HOST_FORWARD]  11       127.0.0.1 37969       10.0.2.15    22     0     0\r\n';
  assert.deepEqual(parseInfoUsernet(text), [
    { protocol: 'TCP', hostAddress: '127.0.0.1', hostPort: 37969, guestAddress: '10.0.2.15', guestPort: 22 },
  ]);
  assert.deepEqual(parseInfoUsernet(''), []);
});
