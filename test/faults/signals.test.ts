/**
 * Interruptions of a real run (QEMU under TCG): SIGINT and SIGTERM mid-fio
 * (exit 130/143, results kept and marked incomplete, no process left), then
 * `run --resume` measures only what is missing and the final cell set is a
 * clean run's; a resume refuses a changed profile or environment; a second
 * Ctrl-C exits at once; a SIGKILL of vblk-bench itself leaves no guest
 * (parent-death signal) and the next start sweeps what it left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, hasStackTrace, testLockDirectory } from '../helpers/cli.js';
import {
  assertNothingLeft,
  fastProfile,
  qemuProcesses,
  readJson,
  removeTemp,
  samplesOf,
  startRun,
  waitFor,
  waitForBootFile,
  waitForSamples,
} from '../helpers/faults.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadProfile } from '../../src/profile/load.js';
import { makePlan } from '../../src/plan/plan.js';
import { plannedSamples } from '../../src/run/run-plan.js';
import { sampleSlot } from '../../src/store/resume.js';

const PROFILE = (name: string) => fastProfile(name, { fio: 'runtime: 2s, ramp_time: 0s', matrix: 'iodepth: [1, 4]' });

/** What a clean run of the profile stores: every planned (cell, repetition), once. */
async function cleanRunSlots(profilePath: string): Promise<string[]> {
  const plan = makePlan(await loadProfile(profilePath), 'tcg');
  return plannedSamples(plan)
    .map((p) => sampleSlot(p.cellKey, p.repetition))
    .sort();
}

async function interruptThenResume(signal: 'SIGINT' | 'SIGTERM', exitCode: number): Promise<void> {
  const { dir, profile, out, cli } = await startRun(signal.toLowerCase(), PROFILE(signal.toLowerCase()));
  const runDir = await waitForSamples(out, 1);
  await new Promise((r) => setTimeout(r, 700)); // mid-fio of the second cell
  cli.kill(signal);
  const r = await cli;
  assert.equal(r.exitCode, exitCode, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.match(r.stderr, new RegExp(`${signal}: stopping guests`));
  assert.match(r.stderr, /complete them with: vblk-bench run --resume /);
  await assertNothingLeft(dir);
  const manifest = await readJson<{ status: string; stopReason: string }>(join(runDir, 'run.json'));
  assert.equal(manifest.status, 'incomplete');
  assert.equal(manifest.stopReason, `interrupted by ${signal}`);
  assert.equal((await samplesOf(runDir)).length, 1, 'the sample cut short is not stored');
  assert.ok(!existsSync(join(runDir, 'pids')) && !existsSync(join(runDir, '.lock')), 'pid files and the lock are gone');
  assert.deepEqual(await readdir(join(testLockDirectory(), 'runs')), [], 'the run left the host registry');

  const resumed = await runCli(['run', '--resume', runDir]);
  assert.equal(resumed.exitCode, 0, resumed.stderr);
  assert.match(resumed.stderr, /measuring 1 missing sample\(s\) of 2/);
  const samples = await samplesOf(runDir);
  assert.deepEqual(
    samples.map((s) => sampleSlot(s.cellKey, s.repetition)).sort(),
    await cleanRunSlots(profile),
    "a clean run's cell set",
  );
  assert.ok(samples.every((s) => s.status === 'ok'));
  assert.match(samples[1]!.bootId, /-s2$/, 'the resumed sample came from a boot of the second session');
  const after = await readJson<{ status: string; resumes: unknown[] }>(join(runDir, 'run.json'));
  assert.equal(after.status, 'complete');
  assert.equal(after.resumes.length, 1);
  await assertNothingLeft(dir);
  await removeTemp(dir);
}

test('SIGINT mid-fio: exit 130, incomplete results, nothing left; --resume completes the clean cell set', () =>
  interruptThenResume('SIGINT', 130));

test('SIGTERM mid-fio: exit 143, incomplete results, nothing left; --resume completes the clean cell set', () =>
  interruptThenResume('SIGTERM', 143));

test('--resume refuses a changed profile or environment and lists what changed', async () => {
  const { dir, profile, out, cli } = await startRun('refuse', PROFILE('refuse'));
  const runDir = await waitForSamples(out, 1);
  cli.kill('SIGINT');
  assert.equal((await cli).exitCode, 130);

  // The profile file changed (a measured field): refused, naming the field.
  await writeFile(profile, PROFILE('refuse').replace('runtime: 2s', 'runtime: 3s'));
  let r = await runCli(['run', '--resume', runDir]);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /the profile .* changed since the run started/);
  assert.match(r.stderr, /profile\.fio\.runtime: 2 → 3/);
  // Operational fields may change (a longer boot timeout): only the check, not a run, here.
  await writeFile(profile, PROFILE('refuse').replace('qemu: {accel: tcg}', 'qemu: {accel: tcg}\nboot_retries: 3'));
  r = await runCli(['run', '--resume', runDir, '--dry-run']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /1 of 2 planned sample\(s\) missing/);

  // The environment changed (another QEMU): refused before anything boots.
  const copy = join(dir, 'copy');
  await cp(runDir, copy, { recursive: true });
  const env = JSON.parse(await readFile(join(copy, 'environment.json'), 'utf8'));
  env.qemu.version = '0.0.1';
  await writeFile(join(copy, 'environment.json'), JSON.stringify(env));
  r = await runCli(['run', '--resume', copy]);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /the environment changed since the run started/);
  assert.match(r.stderr, /environment\.qemu\.version: "0\.0\.1" → "\d+\.\d+/);
  assert.ok(!existsSync(join(copy, 'boots', 'b001-g1-r0-s2')), 'nothing booted');
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

test('a second Ctrl-C exits at once and still kills the guest', async () => {
  const { dir, out, cli } = await startRun('twice', PROFILE('twice'));
  const bootDir = await waitForBootFile(out, 'qemu.argv.json');
  await waitFor('QEMU running', () => qemuProcesses(bootDir).length > 0, 10_000);
  cli.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 30));
  cli.kill('SIGINT');
  const r = await cli;
  assert.equal(r.exitCode, 130, r.stderr);
  assert.match(r.stderr, /SIGINT again: exiting now/);
  // "At once": the process ended in the second signal's handler, before the
  // orderly shutdown of the first one printed its closing advice (no clock involved).
  assert.doesNotMatch(r.stderr, /complete them with: vblk-bench run --resume/);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

test('SIGKILL of vblk-bench: its guest dies with it; the next start sweeps what it left (tmpfs backing file)', async () => {
  const { dir, out, cli } = await startRun('kill9', PROFILE('kill9'));
  const runDir = await waitForSamples(out, 1);
  const registry = join(testLockDirectory(), 'runs');
  const [entryName] = await readdir(registry);
  const entry = await readJson<{ runDir: string; tempPaths: string[] }>(join(registry, entryName!));
  assert.equal(entry.runDir, runDir);
  const [backing] = entry.tempPaths;
  assert.ok(backing && existsSync(backing), 'the run records its tmpfs backing file');
  cli.kill('SIGKILL');
  await cli;
  // No handler ran, yet the guest is gone: QEMU runs under a parent-death signal.
  assert.deepEqual(await leftoverProcesses(dir), [], 'no process left');
  assert.ok(existsSync(backing), 'a SIGKILLed run cannot remove its own files');
  assert.equal((await readJson<{ status: string }>(join(runDir, 'run.json'))).status, 'incomplete');

  const r = await runCli(['run', '--resume', runDir]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /cleanup: run .* ended without cleaning up; sweeping/);
  assert.match(r.stderr, new RegExp(`cleanup: removed leftover temporary file ${backing}`));
  assert.ok(!existsSync(backing), 'swept');
  assert.match(r.stderr, /cleanup: removed stale socket .*qmp\.sock/);
  assert.equal((await samplesOf(runDir)).length, 2);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
