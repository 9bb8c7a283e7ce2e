/** The real CLI on bad input and on --dry-run: exit codes and messages users see. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';

async function profileFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-cli-'));
  const path = join(dir, 'bad.yaml');
  await writeFile(path, yaml);
  return path;
}

test('an invalid profile exits 2 with path: problem lines naming the file, no stack trace', async () => {
  const path = await profileFile('matrix:\n  iodepth: [1, 2, 0]\n  ioeventfd: [maybe]\n');
  const r = await runCli(['run', path]);
  assert.equal(r.exitCode, 2);
  assert.ok(r.stderr.includes(`${path}: matrix.iodepth[2]: expected a positive integer`), r.stderr);
  assert.ok(r.stderr.includes(`${path}: matrix.ioeventfd[0]: expected on or off`), r.stderr);
  assert.ok(!hasStackTrace(r.stderr));
});

test('a missing profile file exits 2', async () => {
  const r = await runCli(['run', '/nonexistent/profile.yaml']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /\/nonexistent\/profile\.yaml: no such file/);
});

test('usage errors exit 2 (commander exitOverride), help exits 0', async () => {
  assert.equal((await runCli(['run'])).exitCode, 2);
  assert.equal((await runCli(['frobnicate'])).exitCode, 2);
  assert.equal((await runCli(['--help'])).exitCode, 0);
  assert.equal((await runCli(['run', '--no-such-flag', 'x.yaml'])).exitCode, 2);
});

test('a qemu.binary that is not QEMU is refused with a one-line cause', async () => {
  const path = await profileFile('qemu: {binary: /bin/true, accel: tcg}\nmatrix: {iodepth: [1]}\n');
  const r = await runCli(['run', '--dry-run', path]);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /does not look like QEMU/);
  assert.ok(!hasStackTrace(r.stderr));
});

test('--dry-run prints groups, exact command lines, pruned cells and an estimate', async () => {
  const r = await runCli(['run', '--dry-run', 'profiles/seed-2011.yaml']);
  assert.equal(r.exitCode, 0, r.stderr);
  // virtio-blk on/off, iothread on, vhost-user-blk (ioeventfd n/a: one group, not two) × 18 cells.
  assert.match(r.stdout, /4 QEMU configuration\(s\), 72 sample\(s\)/);
  assert.match(r.stdout, /group g4: backend=vhost-user-blk,ioeventfd=n\/a/);
  assert.match(r.stdout, /storage_daemon: qemu-storage-daemon .*--export 'type=vhost-user-blk,/);
  assert.match(
    r.stdout,
    /backend=vhost-blk,ioeventfd=n\/a,scheduler=bfq,iodepth=1: unsupported: in-kernel vhost-blk is not available on this host: /,
  );
  assert.match(r.stdout, /group g2: backend=virtio-blk,ioeventfd=off/);
  assert.match(r.stdout, /qemu-system-x86_64 .*-device .*virtio-blk-pci.*ioeventfd=off/);
  assert.match(r.stdout, /fio: fio .*--iodepth=16/);
  assert.match(
    r.stdout,
    /backend=virtio-blk-iothread,ioeventfd=off,scheduler=bfq,iodepth=1: impossible: ioeventfd is required for iothread/,
  );
  assert.match(r.stdout, /info: .*cfq/);
  assert.match(r.stdout, /estimated duration: /);
});
