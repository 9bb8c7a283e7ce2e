/**
 * The built-in initramfs with a user's kernel (here Debian's bzImage copied
 * elsewhere, format detected), a QEMU "build tree" (the binary next to a
 * pc-bios directory: -L), and the host-native reference with the ratio table.
 * Then a kernel that cannot load a module the guest needs: the boot fails with
 * an error naming it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace, REPO_ROOT } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';
import { ensureGuestImage, type GuestImage } from '../../src/guest-image/guest-image.js';
import { findExecutable } from '../../src/vm/process.js';

let guest: GuestImage;
let dir: string;
let kernel: string;
let qemuTree: string;

before(async () => {
  guest = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true, log: (l) => process.stderr.write(`${l}\n`) });
  dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-own-'));
  kernel = join(dir, 'bzImage');
  await copyFile(guest.vmlinuz, kernel);
  // A stand-in for a QEMU build tree: <tree>/build/qemu-system-x86_64 beside <tree>/build/pc-bios.
  qemuTree = join(dir, 'qemu', 'build');
  await mkdir(join(qemuTree, 'pc-bios'), { recursive: true });
  await symlink((await findExecutable('qemu-system-x86_64'))!, join(qemuTree, 'qemu-system-x86_64'));
  // Debian splits the blobs a build tree keeps in pc-bios between /usr/share/qemu and /usr/share/seabios.
  const linked = new Set<string>();
  for (const from of ['/usr/share/seabios', '/usr/share/qemu']) {
    for (const f of await readdir(from).catch(() => [] as string[])) {
      if (linked.has(f)) continue;
      linked.add(f);
      await symlink(await realpath(join(from, f)), join(qemuTree, 'pc-bios', f));
    }
  }
});

describe('own kernel, QEMU build tree, host-native reference', { timeout: 10 * 60_000 }, () => {
  it('boots the user kernel with -L <tree>/pc-bios, records the reference and prints every cell as % of it', async () => {
    const profile = join(dir, 'own.yaml');
    await writeFile(
      profile,
      `name: own\nqemu: {binary: ${qemuTree}/qemu-system-x86_64}\nguest: {kind: builtin, kernel: ${kernel}}\nreference: host\n` +
        'boot_retries: 0\nfio: {runtime: 2s, ramp_time: 1s}\nmatrix:\n  iodepth: [1, 4]\n',
    );
    const out = join(dir, 'results');
    const r = await runCli(['run', profile, '--out', out, '--wait-lock', '900']);
    assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.match(
      r.stdout,
      /iops as % of host-native \(the same fio job on the host against \/dev\/shm\/vblk-bench-[0-9a-f]+\.raw, before the guests\)/,
    );
    assert.match(r.stdout, /host-native \(fio on the host\)/);
    assert.match(r.stdout, /backend=virtio-blk ioeventfd=on scheduler=none +│ +[0-9.]+ %/);

    const [runName] = await readdir(out);
    const run = await loadRun(join(out, runName!));
    assert.equal(run.manifest.status, 'complete');
    for (const s of run.samples) assert.equal(s.status, 'ok', s.reason);
    assert.deepEqual(
      run.reference?.map((x) => [x.fioKey, x.status]),
      [
        ['iodepth=1', 'ok'],
        ['iodepth=4', 'ok'],
      ],
    );
    for (const ref of run.reference ?? []) {
      assert.ok(ref.metrics.iops!.value > 0);
      assert.ok(ref.argv.includes('--direct=1') && ref.argv.includes('--readonly'));
      assert.ok(JSON.parse(await readFile(join(run.dir, ref.rawFioPath!), 'utf8')).jobs, 'raw host fio JSON kept');
    }
    const env = run.environment as { guest: { kernelFormat: string; userKernel: { release: string; path: string } } };
    assert.equal(env.guest.kernelFormat, 'bzImage');
    assert.equal(env.guest.userKernel.release, guest.manifest.kernelVersion);
    const [bootId] = await readdir(join(run.dir, 'boots'));
    const argv = JSON.parse(await readFile(join(run.dir, 'boots', bootId!, 'qemu.argv.json'), 'utf8')) as string[];
    assert.equal(argv[argv.indexOf('-L') + 1], join(qemuTree, 'pc-bios'));
    assert.equal(argv[argv.indexOf('-kernel') + 1], await realpath(kernel));
    // The report command renders the same reference table from the stored run.
    const rep = await runCli(['report', run.dir]);
    assert.match(rep.stdout, /as % of host-native/);
    assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
  });

  it('a guest kernel that cannot load virtio_blk fails its boot with an error naming the module', async () => {
    // module_blacklist makes modprobe fail in the guest exactly as a missing module would.
    const profile = join(dir, 'nomod.yaml');
    await writeFile(
      profile,
      'name: nomod\nqemu:\n  extra_args: ["-append", "console=ttyS0 panic=-1 quiet loglevel=4 module_blacklist=virtio_blk"]\n' +
        'boot_retries: 0\nfio: {runtime: 1s, ramp_time: 0s}\nmatrix:\n  iodepth: [1]\n',
    );
    const out = join(dir, 'results-nomod');
    const r = await runCli(['run', profile, '--out', out, '--wait-lock', '900']);
    assert.equal(r.exitCode, 3, `${r.stdout}\n${r.stderr}`);
    assert.match(
      `${r.stdout}\n${r.stderr}`,
      /guest kernel \S+ lacks modules the guest needs: virtio_blk \(neither built in nor loadable/,
    );
    assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
  });
});
