/**
 * `npm run bench [-- <profile> ...]`: measures the harness itself on a real
 * run — boot-to-SSH per boot, the sum of fio windows, total wall time and the
 * share of wall time that is not fio (the harness's overhead). Ratios come
 * from one run, never asserted in timed tests.
 *
 * KVM targets (boot-to-SSH ≤ 1 s, non-fio overhead ≤ 10 %) are printed for
 * comparison; under TCG they are not expected to hold.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRun } from '../src/store/run-reader.js';
import { BOOTS_DIR } from '../src/store/layout.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface BootRecord {
  bootId: string;
  groupId: string;
  timings: { readyMs: number; sshMs: number };
}

async function benchProfile(profile: string): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'vblk-bench-bench-'));
  const started = Date.now();
  const r = await execa(process.execPath, [join(ROOT, 'bin', 'vblk-bench'), 'run', '--quiet', '--out', out, profile], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
  });
  const wallMs = Date.now() - started;
  if (r.exitCode !== 0) {
    console.error(String(r.stderr));
    throw new Error(`run ${profile} exited with ${r.exitCode}`);
  }
  const [dirName] = await readdir(out);
  const run = await loadRun(join(out, dirName!));
  const profileData = run.profile as { fio: { runtime: number; ramp_time: number } };
  const fioMs = run.samples.length * (profileData.fio.runtime + profileData.fio.ramp_time) * 1000;
  const boots: BootRecord[] = [];
  for (const id of (await readdir(join(run.dir, BOOTS_DIR))).sort()) {
    boots.push(JSON.parse(await readFile(join(run.dir, BOOTS_DIR, id, 'boot.json'), 'utf8')) as BootRecord);
  }
  const overhead = (wallMs - fioMs) / wallMs;
  console.log(`profile ${profile} (accel ${run.manifest.accel}, ${run.samples.length} samples, ${boots.length} boots)`);
  for (const b of boots) {
    console.log(
      `  boot ${b.bootId} (${b.groupId}): ready ${(b.timings.readyMs / 1000).toFixed(2)} s, boot-to-SSH ${(b.timings.sshMs / 1000).toFixed(2)} s`,
    );
  }
  const meanSsh = boots.reduce((a, b) => a + b.timings.sshMs, 0) / boots.length / 1000;
  console.log(`  mean boot-to-SSH:        ${meanSsh.toFixed(2)} s   (KVM target ≤ 1 s; TCG done criterion ≤ 15 s)`);
  console.log(`  sum of fio windows:      ${(fioMs / 1000).toFixed(1)} s (runtime + ramp_time per sample)`);
  console.log(
    `  total wall time:         ${(wallMs / 1000).toFixed(1)} s (including process start and guest image check)`,
  );
  console.log(`  non-fio overhead ratio:  ${(overhead * 100).toFixed(1)} %   (KVM target ≤ 10 %)`);
}

const profiles = process.argv.slice(2);
for (const profile of profiles.length ? profiles : ['profiles/quick.yaml']) await benchProfile(profile);
