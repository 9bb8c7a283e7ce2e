/**
 * qemu-storage-daemon for real, without a guest: start, socket, QMP monitor
 * with the export, blockstats, clean stop (pid and socket gone); and a daemon
 * that fails at start reported with its log. Under a second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStepError } from '../../src/model/errors.js';
import { buildStorageDaemonArgs, startStorageDaemon, storageDaemonPaths } from '../../src/vm/storage-daemon.js';
import { queryBlockDevice } from '../../src/vm/readback.js';
import { leftoverProcesses } from '../helpers/processes.js';

test('a real daemon: socket, QMP with the export and node stats, stop leaves nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-qsd-'));
  const image = join(dir, 'disk.raw');
  await writeFile(image, Buffer.alloc(1024 * 1024, 1));
  const paths = storageDaemonPaths(dir);
  const disk = {
    path: image,
    format: 'raw' as const,
    cache: 'writeback' as const,
    aio: 'threads' as const,
    serial: '',
    readOnly: true,
  };
  const side = await startStorageDaemon({
    qemuBinary: 'qemu-system-x86_64',
    args: buildStorageDaemonArgs({ disk, socket: paths.socket, qmpSocket: paths.qmpSocket, numQueues: 2 }),
    paths,
  });
  try {
    assert.ok(existsSync(paths.socket));
    assert.ok(existsSync(join(dir, 'storage-daemon.argv.json')));
    assert.equal(side.observed.storageDaemonExport, 'vhost-user-blk vblk-export');
    const pid = side.pids.storage_daemon!;
    assert.ok(existsSync(`/proc/${pid}`));
    const block = await queryBlockDevice(side.qmp!);
    assert.deepEqual([block.filename, block.readOnly, block.cacheDirect], [image, true, false]);
    const stats = await side.qmp!.execute<unknown[]>('query-blockstats', { 'query-nodes': true });
    assert.ok(stats.length >= 2, 'node statistics need query-nodes: true on the daemon');
  } finally {
    await side.stop();
  }
  assert.ok(!existsSync(paths.socket), 'quit removes the socket');
  assert.deepEqual(await leftoverProcesses(dir), []);
});

test('a daemon that cannot start: a daemon-step error with its log, nothing left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-qsd-bad-'));
  const paths = storageDaemonPaths(dir);
  await assert.rejects(
    startStorageDaemon({
      qemuBinary: 'qemu-system-x86_64',
      args: ['--blockdev', `driver=file,node-name=x,filename=${dir}/missing.raw`],
      paths,
    }),
    (err: unknown) => {
      assert.ok(err instanceof RunStepError);
      assert.equal(err.step, 'daemon');
      assert.equal(err.message, `qemu-storage-daemon exited before creating its vhost-user socket ${paths.socket}`);
      assert.ok(
        err.details.some((l) => l.includes('missing.raw')),
        err.details.join('\n'),
      );
      return true;
    },
  );
  assert.deepEqual(await leftoverProcesses(dir), []);
});
