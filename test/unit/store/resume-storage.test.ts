/** Pure parts of resume (what changed, what is missing) and of storage handling; the private key check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentChanges,
  missingSlots,
  profileChanges,
  recordedSlots,
  sampleSlot,
} from '../../../src/store/resume.js';
import {
  checkResultsLocation,
  estimateResultsBytes,
  isStorageFull,
  rescueSamples,
  unsavedAsJsonLines,
} from '../../../src/store/storage.js';
import { SampleWriteError } from '../../../src/store/run-writer.js';
import { HostError } from '../../../src/model/errors.js';
import { readPrivateKey } from '../../../src/security/private-key.js';

test('profileChanges lists changed measurement fields and ignores operational ones', () => {
  const stored = {
    name: 'p',
    description: 'a',
    boot_retries: 1,
    guest: { boot_timeout: 60, kind: 'builtin' },
    fio: { runtime: 2, bs: '4k' },
    matrix: { iodepth: [{ requested: 1, options: {} }] },
  };
  const same = {
    ...stored,
    description: 'b',
    boot_retries: 3,
    guest: { boot_timeout: 300, kind: 'builtin' },
    extra: undefined,
  };
  assert.deepEqual(profileChanges(stored, same), []);
  const changed = {
    ...stored,
    fio: { runtime: 3, bs: '4k' },
    matrix: {
      iodepth: [
        { requested: 1, options: {} },
        { requested: 4, options: {} },
      ],
    },
  };
  assert.deepEqual(profileChanges(stored, changed), [
    'fio.runtime: 2 → 3',
    'matrix.iodepth: [{"requested":1,"options":{}}] → [{"requested":1,"options":{}},{"requested":4,"options":{}}]',
  ]);
});

test('environmentChanges ignores volatile fields (node version, timestamps) only', () => {
  const stored = {
    accel: 'tcg',
    host: { hostKernel: '6.1', nodeVersion: 'v20.1', collectedAt: 'x' },
    qemu: { version: '7.2.19' },
  };
  assert.deepEqual(
    environmentChanges(stored, { ...stored, host: { hostKernel: '6.1', nodeVersion: 'v20.9', collectedAt: 'y' } }),
    [],
  );
  assert.deepEqual(environmentChanges(stored, { ...stored, accel: 'kvm', qemu: { version: '8.0.0' } }), [
    'accel: "tcg" → "kvm"',
    'qemu.version: "7.2.19" → "8.0.0"',
  ]);
});

test('missingSlots: planned (cell, repetition) without a record, whatever the record status', () => {
  const planned = [
    { cellKey: 'a', repetition: 0 },
    { cellKey: 'a', repetition: 1 },
    { cellKey: 'b', repetition: 0 },
  ];
  const recorded = recordedSlots([
    { cellKey: 'a', repetition: 0 },
    { cellKey: 'b', repetition: 0 },
  ]);
  assert.deepEqual(missingSlots(planned, recorded), [sampleSlot('a', 1)]);
});

test('storage: estimate grows with samples and boots; full-disk errors recognised; a file as parent is refused', async () => {
  assert.ok(estimateResultsBytes(10, 2) > estimateResultsBytes(1, 1));
  const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
  assert.ok(isStorageFull(enospc));
  assert.ok(isStorageFull(new SampleWriteError(enospc, { base: 'b', record: {} as never })));
  assert.ok(!isStorageFull(Object.assign(new Error('x'), { code: 'ECONNRESET' })));
  const dir = await mkdtemp(join(tmpdir(), 'vblk-storage-'));
  await writeFile(join(dir, 'file'), 'x');
  await assert.rejects(
    checkResultsLocation(join(dir, 'file', 'sub'), 1, 'x'),
    (e: unknown) => e instanceof HostError && /cannot create it \(ENOTDIR\)/.test(e.message),
  );
  await assert.rejects(
    checkResultsLocation(dir, Number.MAX_SAFE_INTEGER, '1 sample(s)'),
    /not enough free space in .* for 1 sample\(s\)/,
  );
  await checkResultsLocation(join(dir, 'ok'), 1024, 'x');
  await rm(dir, { recursive: true, force: true });
});

test('rescueSamples writes unsaved samples (and raw fio) elsewhere in the results layout; JSON lines as last resort', async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'vblk-rescue-'));
  const unsaved = [
    {
      base: '0002-c-r0',
      record: { cellKey: 'c', rawFioPath: 'raw/0002-c-r0.fio.json' } as never,
      rawFio: { jobs: [] },
    },
  ];
  const rescued = await rescueSamples(runDir, unsaved);
  assert.ok(rescued && !rescued.startsWith(runDir));
  assert.equal(JSON.parse(await readFile(join(rescued, 'samples', '0002-c-r0.json'), 'utf8')).cellKey, 'c');
  assert.deepEqual(JSON.parse(await readFile(join(rescued, 'raw', '0002-c-r0.fio.json'), 'utf8')), { jobs: [] });
  assert.match(unsavedAsJsonLines(unsaved)[0]!, /^\{"file":"samples\/0002-c-r0\.json","sample":\{"cellKey":"c"/);
  await rm(rescued, { recursive: true, force: true });
  await rm(runDir, { recursive: true, force: true });
});

test('private keys readable by others are refused; 0600 is read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-key-'));
  const key = join(dir, 'id');
  await writeFile(key, 'secret', { mode: 0o600 });
  assert.equal((await readPrivateKey(key)).toString(), 'secret');
  for (const mode of [0o644, 0o640, 0o604]) {
    await chmod(key, mode);
    await assert.rejects(
      readPrivateKey(key),
      (e: unknown) =>
        e instanceof HostError && e.message.includes(`mode 0${mode.toString(8)}`) && e.hint === `chmod 600 ${key}`,
    );
  }
  await assert.rejects(readPrivateKey(join(dir, 'missing')), /cannot open \(ENOENT\)/);
  await rm(dir, { recursive: true, force: true });
});
