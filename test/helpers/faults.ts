/**
 * Helpers of the fault-injection suite (test/faults/): short profiles, waiting
 * for a run to reach a point, reaching into a running guest over SSH, and
 * checking the process table for anything left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestSession } from '../../src/guest/ssh-session.js';
import type { Sample } from '../../src/model/sample.js';
import { ensureGuestImage, type GuestImage } from '../../src/guest-image/guest-image.js';
import { processesMatching, leftoverProcesses } from './processes.js';
import { REPO_ROOT, startCli } from './cli.js';

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `vblk-fault-${prefix}-`));

/**
 * A profile that boots fast and measures briefly under TCG: `extra` is YAML
 * appended as is (top-level keys), `matrix` the matrix section's body.
 */
export function fastProfile(name: string, opts: { matrix?: string; fio?: string; extra?: string } = {}): string {
  return [
    `name: ${name}`,
    'qemu: {accel: tcg}',
    `fio: {${opts.fio ?? 'runtime: 1s, ramp_time: 0s'}}`,
    opts.extra ?? '',
    'matrix:',
    `  ${opts.matrix ?? 'iodepth: [1]'}`,
    '',
  ].join('\n');
}

export async function writeProfile(dir: string, name: string, yaml: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, yaml);
  return path;
}

/**
 * The start of most fault tests: a temporary directory (or `opts.dir`), the
 * profile in it, and the real CLI running it into `<dir>/out`.
 */
export async function startRun(
  name: string,
  yaml: string,
  opts: { dir?: string; args?: string[]; env?: Record<string, string> } = {},
) {
  await guestImage(opts.env?.VBLK_BENCH_CACHE); // a (re)build of the guest must not eat the test's waiting time
  const dir = opts.dir ?? (await tempDir(name));
  const profile = await writeProfile(dir, name, yaml);
  const out = join(dir, 'out');
  const cli = startCli(['run', profile, '--out', out, ...(opts.args ?? [])], { env: opts.env });
  return { dir, profile, out, cli };
}

/** Polls until `fn` returns something truthy; fails the test with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 180_000,
  pollMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** The one results directory a run created under `out` (once it exists). */
export function runDirIn(out: string): string | undefined {
  const dirs = list(out).filter((n) => !n.startsWith('.'));
  return dirs.length === 1 ? join(out, dirs[0]!) : undefined;
}

export const sampleNames = (runDir: string): string[] =>
  list(join(runDir, 'samples')).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
export const bootNames = (runDir: string): string[] => list(join(runDir, 'boots'));

/** Waits until the run under `out` has stored `n` samples; returns its directory. */
export async function waitForSamples(out: string, n: number, timeoutMs = 180_000): Promise<string> {
  return waitFor(
    `${n} stored sample(s) under ${out}`,
    () => {
      const dir = runDirIn(out);
      return dir && sampleNames(dir).length >= n ? dir : undefined;
    },
    timeoutMs,
  );
}

/** Waits until a boot of the run under `out` has a file `name` (qemu.argv.json: QEMU starts; boot.json: guest ready). */
export async function waitForBootFile(out: string, name: string, timeoutMs = 180_000): Promise<string> {
  return waitFor(
    `boots/*/${name} under ${out}`,
    () => {
      const dir = runDirIn(out);
      const boot = dir && bootNames(dir).find((b) => existsSync(join(dir, 'boots', b, name)));
      return boot ? join(dir, 'boots', boot) : undefined;
    },
    timeoutMs,
  );
}

/** QEMU processes whose command line names `needle` (e.g. the results directory). */
export const qemuProcesses = (needle: string) =>
  processesMatching(needle).filter((p) => p.cmdline.includes('qemu-system'));

/** The built-in guest image of this checkout (built by the first run of the suite if needed). */
export function guestImage(cacheRoot?: string): Promise<GuestImage> {
  return ensureGuestImage({ repoRoot: REPO_ROOT, build: true, cacheRoot });
}

/** An SSH session into the running guest of a boot directory (port from its QEMU argv). */
export async function sshIntoBoot(bootDir: string): Promise<GuestSession> {
  const argv = JSON.parse(readFileSync(join(bootDir, 'qemu.argv.json'), 'utf8')) as string[];
  const port = Number(/hostfwd=tcp:127\.0\.0\.1:(\d+)-:22/.exec(argv.join(' '))?.[1]);
  const image = await guestImage();
  return GuestSession.connect({
    host: '127.0.0.1',
    port,
    username: 'root',
    privateKey: readFileSync(image.clientKeyPath),
    hostPublicKey: image.hostPublicKey,
    timeoutMs: 10_000,
    retryUntilMs: Date.now() + 20_000,
  });
}

/** Socket files left anywhere in a results directory. */
export function socketsIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of list(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSocket()) out.push(p);
    else if (st.isDirectory()) out.push(...socketsIn(p));
  }
  return out;
}

/** The test's own leftovers: no process naming `needle` (QEMU names its results directory), no socket in it. */
export async function assertNothingLeft(needle: string): Promise<void> {
  assert.deepEqual(await leftoverProcesses(needle), [], `processes left running that name ${needle}`);
  if (existsSync(needle) && lstatSync(needle).isDirectory())
    assert.deepEqual(socketsIn(needle), [], 'sockets left behind');
}

export async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export async function samplesOf(runDir: string): Promise<Sample[]> {
  const names = (await readdir(join(runDir, 'samples')))
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort();
  return Promise.all(names.map((n) => readJson<Sample>(join(runDir, 'samples', n))));
}

/** Removes a test's temporary directory (after its checks passed: a failing test keeps it for inspection). */
export async function removeTemp(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
