/**
 * Bring your own guest, end to end under TCG: the test image (a bootable
 * qcow2 built locally from Debian packages, cached; built here on a cache
 * miss) boots through SeaBIOS from a qcow2 overlay, reads the generated
 * cloud-init NoCloud seed, and fio runs in it over SSH. The image file is
 * never modified. Then trust on first use: the first boot learns the host
 * key, the second pins it, and a changed key is refused.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace, REPO_ROOT } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';
import { ensureGuestImage } from '../../src/guest-image/guest-image.js';
import { ensureTestImage, type TestImage } from '../../src/guest-image/test-image.js';
import { generateEd25519KeyPair } from '../../src/guest-image/byo/ssh-keys.js';
import { defaultGuestCacheRoot } from '../../src/util/cache-root.js';

let image: TestImage;
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

before(async () => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const guest = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true, log });
  image = await ensureTestImage({ repoRoot: REPO_ROOT, cacheRoot: defaultGuestCacheRoot(), guest, log });
});

async function profile(dir: string, name: string, guest: string, extra = ''): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    `name: ${name}\nguest: ${guest}\nboot_retries: 0\nfio: {runtime: 2s, ramp_time: 1s}\n${extra}matrix:\n  iodepth: [1]\n`,
  );
  return path;
}

describe('guest: {kind: image}', { timeout: 10 * 60_000 }, () => {
  it('boots the image from an overlay with the generated seed, measures IOPS > 0, leaves the image unchanged', async () => {
    const before = await sha256(image.path);
    const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-byo-'));
    const out = join(dir, 'results');
    const r = await runCli([
      'run',
      await profile(dir, 'byo', `{kind: image, path: ${image.path}}`),
      '--out',
      out,
      '--wait-lock',
      '900',
    ]);
    assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);

    const [runName] = await readdir(out);
    const run = await loadRun(join(out, runName!));
    assert.equal(run.manifest.status, 'complete');
    const [s] = run.samples;
    assert.equal(s?.status, 'ok', s?.reason);
    assert.ok(s!.metrics.iops!.value > 0);
    const guest = (run.environment as { guest: Record<string, unknown> }).guest;
    assert.equal(guest.kind, 'image');
    assert.equal(guest.imageSha256, before);
    assert.equal(guest.hostKey, 'seed');

    const [bootId] = await readdir(join(run.dir, 'boots'));
    const bootDir = join(run.dir, 'boots', bootId!);
    const argv = JSON.parse(await readFile(join(bootDir, 'qemu.argv.json'), 'utf8')) as string[];
    assert.ok(!argv.includes('-kernel'), 'firmware boot, no -kernel');
    assert.ok(argv.some((a) => a.includes('bootindex=0')));
    const serial = await readFile(join(bootDir, 'serial.log'), 'utf8');
    assert.match(serial, /vblk-testimage: cloud-init seed on \/dev\/vd[a-z]/);
    assert.match(serial, /ssh_authorized_keys: 1 key\(s\) for root/);
    assert.match(serial, /ssh_keys: ed25519 host key installed/);
    assert.ok(!(await readdir(bootDir)).includes('os-overlay.qcow2'), 'the overlay is removed with the boot');
    assert.equal(await sha256(image.path), before, 'the image file is never written');
    assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
  });

  it('host_key: tofu learns the key on the first boot, pins it on the next, refuses a different one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-tofu-'));
    const cache = join(dir, 'cache'); // a fresh cache: nothing learned yet
    const env = { VBLK_BENCH_CACHE: cache };
    const out = join(dir, 'results');
    const path = await profile(dir, 'tofu', `{kind: image, path: ${image.path}, host_key: tofu}`, 'repetitions: 2\n');
    const r = await runCli(['run', path, '--out', out, '--wait-lock', '900'], { env });
    assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
    const [runName] = await readdir(out);
    const run = await loadRun(join(out, runName!));
    assert.equal(run.samples.length, 2);
    assert.equal(new Set(run.samples.map((x) => x.bootId)).size, 2, 'two boots');
    for (const x of run.samples) assert.equal(x.status, 'ok', x.reason);
    const [hashDir] = (await readdir(join(cache, 'byo'))).filter((n) => n !== 'index');
    const known = (await readFile(join(cache, 'byo', hashDir!, 'known_host_key.pub'), 'utf8')).trim();
    assert.match(known, /^ssh-ed25519 AAAA/);

    // Someone else's key pinned: the next boot must refuse to log in.
    await writeFile(join(cache, 'byo', hashDir!, 'known_host_key.pub'), `${generateEd25519KeyPair('x').publicKey}\n`);
    const out2 = join(dir, 'results2');
    const bad = await runCli(
      [
        'run',
        await profile(dir, 'tofu2', `{kind: image, path: ${image.path}, host_key: tofu}`),
        '--out',
        out2,
        '--wait-lock',
        '900',
      ],
      { env },
    );
    assert.equal(bad.exitCode, 3, `${bad.stdout}\n${bad.stderr}`);
    assert.match(
      `${bad.stdout}\n${bad.stderr}`,
      /host key mismatch: the guest presented SHA256:\S+, SHA256:\S+ is pinned; refusing to log in/,
    );
    assert.deepEqual(await leftoverProcesses(dir), [], 'no QEMU left running');
  });
});
