/**
 * The nightly and CI examples pin the guest by an exported guest tar:
 * examples/nightly.sh is run for real (one tiny pinned profile, a cache of
 * its own, the real CLI, one TCG boot) and refuses a tar of another hash
 * before anything boots; examples/github-actions.yml is checked for the
 * import on every runner before its shard runs (GitHub itself is not here).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { CLI, REPO_ROOT, runCli, testLockDirectory } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { ensureGuestImage, type GuestImage } from '../../src/guest-image/guest-image.js';
import { loadProfile } from '../../src/profile/load.js';
import { loadRun } from '../../src/store/run-reader.js';

const EX = join(REPO_ROOT, 'examples');
const text = (name: string) => readFile(join(EX, name), 'utf8');

let image: GuestImage;
let work: string;
let archive: string;
let pin: string;
before(async () => {
  image = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true });
  work = await mkdtemp(join(tmpdir(), 'vblk-e2e-examples-'));
  pin = image.contentHash.slice(0, 16);
  archive = join(work, 'guest.tar');
  const ex = await runCli(['guest', 'export', archive]);
  assert.equal(ex.exitCode, 0, ex.stderr);
});

test('the example profiles pin the guest, with the same placeholder hash as the workflow, cron entry and systemd unit', async () => {
  const hashes = new Set<string>();
  for (const name of ['nightly.yaml', 'ci.yaml']) {
    const profile = await loadProfile(join(EX, name));
    assert.equal(profile.guest.kind, 'builtin');
    const hash = (profile.guest as { image_hash?: string }).image_hash;
    assert.match(hash ?? '', /^[0-9a-f]{16}$/, `${name} pins guest.image_hash`);
    hashes.add(hash!);
  }
  const workflow = parse(await text('github-actions.yml')) as { env: Record<string, string> };
  hashes.add(workflow.env.GUEST_HASH!);
  hashes.add(/GUEST_HASH=([0-9a-f]+)/.exec(await text('cron/vblk-bench-nightly'))![1]!);
  hashes.add(/Environment=GUEST_HASH=([0-9a-f]+)/.exec(await text('systemd/vblk-bench-nightly.service'))![1]!);
  assert.equal(hashes.size, 1, `one hash to replace everywhere: ${[...hashes].join(', ')}`);
});

test('github-actions.yml: every shard imports the pinned guest into a cache of its own, checked against the hash, before it runs', async () => {
  type Step = { name?: string; run?: string; env?: Record<string, string> };
  const workflow = parse(await text('github-actions.yml')) as {
    env: Record<string, string>;
    jobs: { measure: { steps: Step[] } };
  };
  const steps = workflow.jobs.measure.steps;
  const importAt = steps.findIndex((s) => /guest import \S+ --expect-hash "\$GUEST_HASH"/.test(s.run ?? ''));
  const runAt = steps.findIndex((s) => /vblk-bench run "\$PROFILE" --shard/.test(s.run ?? ''));
  assert.ok(importAt >= 0 && runAt > importAt, `import (${importAt}) before the shard run (${runAt})`);
  assert.match(steps[importAt]!.run!, /VBLK_BENCH_CACHE=\$RUNNER_TEMP\/vblk-bench-cache" >> "\$GITHUB_ENV"/);
  const profile = await loadProfile(join(REPO_ROOT, workflow.env.PROFILE!));
  assert.equal((profile.guest as { image_hash?: string }).image_hash, workflow.env.GUEST_HASH);
});

function nightly(env: Record<string, string>) {
  return execa('bash', [join(EX, 'nightly.sh')], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 900_000,
    env: { VBLK_BENCH: CLI, VBLK_BENCH_LOCK_DIR: testLockDirectory(), ...env },
  });
}

test('nightly.sh imports the pinned guest into its own cache, runs on it, writes the reports; another hash: refused before anything boots', async () => {
  const profile = join(work, 'tiny.yaml');
  await writeFile(
    profile,
    `name: tiny\nguest: {kind: builtin, image_hash: ${pin}}\nfio: {runtime: 1s, ramp_time: 0s}\nmatrix: {iodepth: [1]}\n`,
  );
  const env = {
    PROFILE: profile,
    NAME: 'tiny',
    RESULTS: join(work, 'results'),
    REPORTS: join(work, 'reports'),
    LOCK: join(work, 'nightly.lock'),
    GUEST_TAR: archive,
    GUEST_HASH: pin,
    VBLK_BENCH_CACHE: join(work, 'nightly-cache'),
  };
  const r = await nightly(env);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(
    await readFile(join(work, 'reports', 'guest-import.txt'), 'utf8'),
    new RegExp(`^imported: .*\\ncontent hash: ${image.contentHash}`, 'm'),
  );
  for (const f of ['last-run.txt', 'latest.html', 'latest.md', 'history.html', 'history.txt'])
    assert.ok(existsSync(join(work, 'reports', f)), f);
  const [dir, ...more] = await readdir(join(work, 'results'));
  assert.deepEqual(more, []);
  const guest = (await loadRun(join(work, 'results', dir!))).environment.guest as {
    imageHash: string;
    packages: { kernel: string };
  };
  assert.equal(guest.imageHash, image.contentHash, 'the run booted the imported guest');
  assert.equal(guest.packages.kernel, image.manifest.kernelPackage.version);

  const other = await nightly({ ...env, GUEST_HASH: 'deadbeefdeadbeef' });
  assert.equal(other.exitCode, 2, `${other.stdout}\n${other.stderr}`);
  assert.match(other.stderr, /the pinned guest could not be imported; not running/);
  assert.match(other.stderr, new RegExp(`content hash ${image.contentHash} is not the expected deadbeefdeadbeef`));
  assert.equal((await readdir(join(work, 'results'))).length, 1, 'no second run');

  const unset = await nightly({ ...env, GUEST_HASH: '' });
  assert.notEqual(unset.exitCode, 0);
  assert.match(unset.stderr, /set GUEST_HASH to the content hash of \$GUEST_TAR/);
  assert.deepEqual(await leftoverProcesses(work), [], 'no QEMU left running');
});
