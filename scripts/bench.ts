/**
 * `npm run bench [-- <profile> ...]`: measures the harness itself on a real
 * run — boot-to-SSH per boot, the sum of fio windows, total wall time and the
 * share of wall time that is not fio (the harness's overhead). Ratios come
 * from one run, never asserted in timed tests.
 *
 * Then the Node process's own CPU inside the cell windows (process.cpuUsage:
 * ssh2's crypto included, QEMU and the daemon not), from the runs' activity
 * journals, for the default insight sampling and for the opt-in in-window
 * one (the same profile run again with `insight: {sampling: in-window}`), as
 * % of one core. Target: ≤ 1 % by default.
 *
 * KVM targets (boot-to-SSH ≤ 1 s, non-fio overhead ≤ 10 %) are printed for
 * comparison; under TCG they are not expected to hold.
 */
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRun } from '../src/store/run-reader.js';
import { BOOTS_DIR } from '../src/store/layout.js';
import { ACTIVITY_FILE, fioSpans, parseActivityJournal } from '../src/util/activity-journal.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface BootRecord {
  bootId: string;
  groupId: string;
  timings: { readyMs: number; sshMs: number };
}

/** Node's CPU over the cell windows of a run (fio's launch to its end, as the journal marks them). */
async function nodeCpuInWindows(runDir: string): Promise<{ windows: number; windowMs: number; cpuUs: number }> {
  let windows = 0;
  let windowMs = 0;
  let cpuUs = 0;
  for (const boot of await readdir(join(runDir, BOOTS_DIR))) {
    const text = await readFile(join(runDir, BOOTS_DIR, boot, ACTIVITY_FILE), 'utf8').catch(() => '');
    for (const span of fioSpans(parseActivityJournal(text))) {
      windows++;
      windowMs += span.end.t - span.launch.t;
      cpuUs += (span.end.cpuUs ?? 0) - (span.launch.cpuUs ?? 0);
    }
  }
  return { windows, windowMs, cpuUs };
}

/** The profile with `insight.sampling: in-window`, as a file beside the bench's output. */
async function inWindowVariant(profile: string, dir: string): Promise<string> {
  const doc = parse(await readFile(profile, 'utf8')) as Record<string, unknown>;
  doc.name = `${String(doc.name ?? 'bench')}-in-window`;
  doc.insight = { sampling: 'in-window' };
  const path = join(dir, 'in-window.yaml');
  await writeFile(path, stringify(doc));
  return path;
}

async function benchProfile(profile: string): Promise<void> {
  const quiet = await runMeasured(profile, true);
  const busy = await runMeasured(await inWindowVariant(profile, await mkdtemp(join(tmpdir(), 'vblk-bench-'))), false);
  const pct = (c: { windowMs: number; cpuUs: number }) => (c.windowMs > 0 ? (c.cpuUs / 1000 / c.windowMs) * 100 : NaN);
  const line = (label: string, c: { windows: number; windowMs: number; cpuUs: number }) =>
    `  ${label} ${pct(c).toFixed(2)} % of a core (${(c.cpuUs / 1000).toFixed(1)} ms CPU in ${c.windows} windows, ${(c.windowMs / 1000).toFixed(1)} s)`;
  console.log(`Node CPU in cell windows (fio launch → end; ssh2 crypto included, QEMU and the daemon not):`);
  console.log(line('outside-window (default):', quiet));
  console.log(line('in-window (opt-in):      ', busy));
  console.log(`  target: default ≤ 1 % of a core`);
}

/** One run of a profile through the real CLI; prints the boot and overhead figures when `report`. */
async function runMeasured(
  profile: string,
  report: boolean,
): Promise<{ windows: number; windowMs: number; cpuUs: number }> {
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
  const cpu = await nodeCpuInWindows(run.dir);
  if (!report) return cpu;
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
  return cpu;
}

const profiles = process.argv.slice(2);
for (const profile of profiles.length ? profiles : ['profiles/quick.yaml']) await benchProfile(profile);
