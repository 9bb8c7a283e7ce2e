import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QmpLineParser, parseQmpLine, type QmpMessage } from '../../../src/vm/qmp-protocol.js';

// Real QEMU 7.2 output (captured), including an event between a request and its reply.
const STREAM =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\r\n' +
  '{"return": {}, "id": "vblk-1"}\r\n' +
  '{"timestamp": {"seconds": 1795669491, "microseconds": 61090}, "event": "POWERDOWN"}\r\n' +
  '{"return": {}, "id": "vblk-2"}\r\n' +
  '{"id": "vblk-3", "error": {"class": "GenericError", "desc": "Property \'virtio-blk-device.ioeventfd\' not found"}}\r\n' +
  '{"timestamp": {"seconds": 1795669491, "microseconds": 62026}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}\r\n' +
  '{"return": {}, "id": "vblk-4"}\r\n';

function expected(): QmpMessage[] {
  return [
    {
      kind: 'greeting',
      version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
      capabilities: ['oob'],
    },
    { kind: 'return', id: 'vblk-1', value: {} },
    { kind: 'event', event: 'POWERDOWN', data: undefined, timestampMs: 1795669491061 },
    { kind: 'return', id: 'vblk-2', value: {} },
    {
      kind: 'error',
      id: 'vblk-3',
      errorClass: 'GenericError',
      desc: "Property 'virtio-blk-device.ioeventfd' not found",
    },
    { kind: 'event', event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' }, timestampMs: 1795669491062 },
    { kind: 'return', id: 'vblk-4', value: {} },
  ];
}

test('whole stream in one chunk', () => {
  assert.deepEqual(new QmpLineParser().push(STREAM), expected());
});

test('every split point of the stream gives the same messages', () => {
  const bytes = Buffer.from(STREAM);
  for (let cut = 0; cut <= bytes.length; cut += 7) {
    const p = new QmpLineParser();
    const got = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
    assert.deepEqual(got, expected(), `split at ${cut}`);
    assert.equal(p.pending, '');
  }
});

test('byte-by-byte, including a multi-byte UTF-8 character split across chunks', () => {
  const text = '{"return": "Grüße ✓", "id": "x"}\n{"event": "E", "timestamp": {"seconds": 1, "microseconds": 2000}}\n';
  const p = new QmpLineParser();
  const got: QmpMessage[] = [];
  for (const byte of Buffer.from(text)) got.push(...p.push(Buffer.from([byte])));
  assert.deepEqual(got, [
    { kind: 'return', id: 'x', value: 'Grüße ✓' },
    { kind: 'event', event: 'E', data: undefined, timestampMs: 1002 },
  ]);
});

test('an unterminated line waits for its newline; blank lines are skipped', () => {
  const p = new QmpLineParser();
  assert.deepEqual(p.push('{"return": 1, "id": "a"}'), []);
  assert.equal(p.pending, '{"return": 1, "id": "a"}');
  assert.deepEqual(p.push('\n\n\r\n'), [{ kind: 'return', id: 'a', value: 1 }]);
});

test('garbage is reported as invalid, not thrown, and parsing continues', () => {
  const p = new QmpLineParser();
  const got = p.push('not json\n[1,2]\n{"foo": 1}\n{"return": null, "id": "b"}\n');
  assert.deepEqual(
    got.map((m) => m.kind),
    ['invalid', 'invalid', 'invalid', 'return'],
  );
  assert.equal(
    parseQmpLine('{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}').kind,
    'error',
  );
});

test('an over-long line is dropped up to its newline', () => {
  const p = new QmpLineParser(16);
  const first = p.push('{"return": "' + 'x'.repeat(40));
  assert.equal(first.length, 1);
  assert.equal(first[0]!.kind, 'invalid');
  assert.deepEqual(p.push('xxx"}\n{"return": 2, "id": 1}\n'), [{ kind: 'return', id: 1, value: 2 }]);
});
