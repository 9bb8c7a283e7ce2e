/**
 * End to end: builds (or reuses) the real built-in guest in the real cache, checks
 * what is inside, then boots it under QEMU/TCG, logs in over SSH and runs fio.
 * The first run takes about a minute (apt downloads, static fio build).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, open, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import ssh2 from 'ssh2';
import { ensureGuestImage, type GuestImage } from '../../src/guest-image/guest-image.js';
import { loadRun } from '../../src/store/run-reader.js';
import { runCli } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';

// Compiled to dist/test/e2e/: the repository root is three levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let image: GuestImage;
let unpacked: string;

async function hasCommand(cmd: string): Promise<boolean> {
  const r = await execa('sh', ['-c', 'command -v "$1"', 'sh', cmd], { reject: false });
  return r.exitCode === 0;
}

before(async () => {
  image = await ensureGuestImage({
    repoRoot,
    build: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  unpacked = await mkdtemp(join(tmpdir(), 'vblk-initramfs-'));
  const cpioPath = join(unpacked, '..', `${unpacked.split('/').pop()}.cpio`);
  await execa('zstd', ['-q', '-d', '-f', '-o', cpioPath, image.initramfs]);
  await execa('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { cwd: unpacked, inputFile: cpioPath });
  await rm(cpioPath, { force: true });
});

after(async () => {
  if (unpacked) await rm(unpacked, { recursive: true, force: true });
});

describe('built-in guest image', { timeout: 30 * 60_000 }, () => {
  it('ships a statically linked fio under 5 MB', async () => {
    const fio = join(unpacked, 'usr', 'bin', 'fio');
    const st = await stat(fio);
    assert.ok(st.size < 5 * 1024 * 1024, `fio is ${st.size} bytes`);
    assert.ok((st.mode & 0o111) !== 0, 'fio is executable');
    const phdrs = (await execa('readelf', ['-lW', fio])).stdout;
    assert.doesNotMatch(phdrs, /INTERP/, 'no program interpreter');
    const dyn = (await execa('readelf', ['-dW', fio], { reject: false })).stdout;
    assert.doesNotMatch(dyn, /\(NEEDED\)/, 'no shared-library dependency');
    if (await hasCommand('file')) {
      assert.match((await execa('file', ['-b', fio])).stdout, /statically linked/);
    }
    // It runs on the host too (static): engines needed by the benchmark are there.
    const engines = (await execa(fio, ['--enghelp'])).stdout;
    for (const e of ['libaio', 'io_uring', 'psync']) assert.match(engines, new RegExp(`^\\s*${e}$`, 'm'));
    assert.equal((await execa(fio, ['--version'])).stdout.trim(), image.manifest.fio.version);
  });

  it('ships /init, busybox, dropbear with its libraries, modules and modules.dep', async () => {
    const init = await stat(join(unpacked, 'init'));
    assert.ok((init.mode & 0o111) !== 0);
    assert.match(await readFile(join(unpacked, 'init'), 'utf8'), /VBLK-GUEST-READY/);
    for (const p of [
      'bin/busybox',
      'bin/sh',
      'sbin/modprobe',
      'usr/sbin/dropbear',
      'lib64/ld-linux-x86-64.so.2',
      'lib/x86_64-linux-gnu/libgmp.so.10',
      'lib/x86_64-linux-gnu/libtomcrypt.so.1',
      'etc/dropbear/dropbear_ed25519_host_key',
    ]) {
      await lstat(join(unpacked, p)); // throws if missing (symlinks point at absolute in-guest paths)
    }
    assert.equal(
      await readlink(join(unpacked, 'lib64', 'ld-linux-x86-64.so.2')),
      '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    );
    assert.ok((await lstat(join(unpacked, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'))).isFile());
    const modDir = join(unpacked, 'lib', 'modules', image.manifest.kernelVersion);
    const dep = await readFile(join(modDir, 'modules.dep'), 'utf8');
    for (const m of ['virtio_pci', 'virtio_blk', 'virtio_net', 'net_failover', 'failover', 'bfq', 'kyber-iosched']) {
      assert.match(dep, new RegExp(`/${m}\\.ko(\\.[a-z]+)?:`), `modules.dep lists ${m}`);
    }
    assert.match(await readFile(join(unpacked, 'etc', 'passwd'), 'utf8'), /^root:x:0:0:[^:]*:\/root:\/bin\/sh$/m);
  });

  it('has private files with tight modes', async () => {
    assert.equal((await stat(image.clientKeyPath)).mode & 0o777, 0o600, 'id_ed25519 is 0600');
    assert.equal((await stat(join(unpacked, 'root', '.ssh', 'authorized_keys'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(unpacked, 'root', '.ssh'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(unpacked, 'root'))).mode & 0o777, 0o700);
  });

  it('has keys ssh2 can parse, and the client key is authorized in the guest', async () => {
    const host = ssh2.utils.parseKey(await readFile(join(image.dir, 'host_key.pub'), 'utf8'));
    assert.ok(!(host instanceof Error), String(host));
    assert.equal((host as ssh2.ParsedKey).type, 'ssh-ed25519');
    assert.match(image.hostPublicKey, /^ssh-ed25519 [A-Za-z0-9+/]+=*$/);

    const priv = ssh2.utils.parseKey(await readFile(image.clientKeyPath));
    assert.ok(!(priv instanceof Error), String(priv));
    const privKey = priv as ssh2.ParsedKey;
    assert.equal(privKey.type, 'ssh-ed25519');
    assert.ok(privKey.isPrivateKey());
    const blob = privKey.getPublicSSH().toString('base64');
    assert.ok((await readFile(join(image.dir, 'id_ed25519.pub'), 'utf8')).includes(blob));
    assert.ok((await readFile(join(unpacked, 'root', '.ssh', 'authorized_keys'), 'utf8')).includes(blob));
  });

  it('has an ELF vmlinux with a PVH entry and a bzImage vmlinuz', async () => {
    const fh = await open(image.vmlinux, 'r');
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    await fh.close();
    assert.deepEqual([...head], [0x7f, 0x45, 0x4c, 0x46]);
    const notes = (await execa('readelf', ['-nW', image.vmlinux])).stdout;
    assert.match(notes, /note type: \(0x00000012\)|XEN_ELFNOTE_PHYS32_ENTRY/, 'PVH entry note');

    const z = await open(image.vmlinuz, 'r');
    const magic = Buffer.alloc(4);
    await z.read(magic, 0, 4, 0x202);
    await z.close();
    assert.equal(magic.toString('latin1'), 'HdrS');
    assert.match(image.manifest.kernelVersion, /^6\.1\.0-\d+-amd64$/);
    assert.equal(image.manifest.kernelPackage.name, `linux-image-${image.manifest.kernelVersion}`);
  });

  it('boots through the real run pipeline: pinned SSH, disk by serial, every blk-mq scheduler, fio', async () => {
    // The same boot code as every run (src/run/guest-boot.ts), driven by the real CLI.
    // bfq and kyber are modules: they must be loaded before the kernel lists them.
    const dir = await mkdtemp(join(tmpdir(), 'vblk-guest-boot-'));
    const profile = join(dir, 'schedulers.yaml');
    await writeFile(
      profile,
      'name: schedulers\nqemu: {accel: tcg}\nfio: {runtime: 1s, ramp_time: 0s}\nmatrix:\n  scheduler: [mq-deadline, bfq, kyber]\n',
    );
    const r = await runCli(['run', profile, '--out', dir, '--quiet']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const runDir = (await readdir(dir)).find((n) => n.startsWith('schedulers-'))!;
    const run = await loadRun(join(dir, runDir));
    assert.deepEqual(
      run.samples.map((s) => s.observed.scheduler),
      ['mq-deadline', 'bfq', 'kyber'],
    );
    for (const s of run.samples) {
      assert.equal(s.status, 'ok', s.reason);
      assert.ok(s.metrics.iops!.value > 0);
      assert.equal(s.observed.device, 'vda');
    }
    const fio = JSON.parse(await readFile(join(run.dir, run.samples[0]!.rawFioPath!), 'utf8')) as {
      'fio version': string;
    };
    assert.equal(fio['fio version'], image.manifest.fio.version);
    assert.deepEqual(await leftoverProcesses(dir), []);
  });
});
