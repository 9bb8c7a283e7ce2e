/**
 * The exit guard, exercised in a separate node process (it ends the process):
 * an uncaught exception, an unhandled rejection and a second SIGINT each kill
 * every registered child and run the cleanups. The children here are started
 * WITHOUT the parent-death signal, so only the guard can be what ends them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { processStartTicks } from '../../../src/lifecycle/proc.js';
import { REPO_ROOT, hasStackTrace } from '../../helpers/cli.js';
import { leftoverProcesses } from '../../helpers/processes.js';

const dist = (p: string) => JSON.stringify(join(REPO_ROOT, 'dist/src', p));

/** A node program: guards installed, a child (`sleep 600 <marker>`-like) registered, a temp file registered, then `fault`. */
function script(dir: string, fault: string): string {
  return `
    const { installProcessGuards, onExit } = await import(${dist('lifecycle/exit-guard.js')});
    const { reportCrash } = await import(${dist('cli/errors.js')});
    const { startQemu } = await import(${dist('vm/process.js')});
    const { installInterruptHandlers } = await import(${dist('lifecycle/signals.js')});
    const { writeFileSync, unlinkSync } = await import('node:fs');
    installProcessGuards(reportCrash);
    installInterruptHandlers(() => {});
    const p = await startQemu('sh', ['-c', 'trap "" TERM INT; exec sleep 600', ${JSON.stringify(dir)}], { stderrLog: '/dev/null', pdeathsig: false, label: 'guarded' });
    writeFileSync(${JSON.stringify(join(dir, 'temp'))}, 'x');
    onExit(() => unlinkSync(${JSON.stringify(join(dir, 'temp'))}));
    process.stdout.write(p.pid + '\\n');
    setTimeout(() => { ${fault} }, 300);
    setTimeout(() => {}, 60_000);`;
}

async function runFault(fault: string, signals: NodeJS.Signals[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-guard-'));
  const sub = execa(process.execPath, ['--input-type=module', '-e', script(dir, fault)], {
    reject: false,
    timeout: 30_000,
  });
  let childPid = 0;
  sub.stdout!.once('data', (d: Buffer) => {
    childPid = Number(d.toString().trim());
    for (const [i, s] of signals.entries()) setTimeout(() => sub.kill(s), 100 + i * 50);
  });
  const r = await sub;
  assert.ok(childPid > 0, r.stderr);
  return { r, childPid, dir };
}

for (const [kind, fault] of [
  ['uncaught exception', "throw new Error('boom')"],
  ['unhandled promise rejection', "Promise.reject(new Error('boom'))"],
] as const) {
  test(`an ${kind}: children killed, cleanups run, exit 3 with a bug report`, async () => {
    const { r, childPid, dir } = await runFault(fault);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.ok(r.stderr.includes(`vblk-bench: ${kind} (a bug, please report it)`), r.stderr);
    assert.match(r.stderr, /Error: boom/);
    assert.equal(processStartTicks(childPid), null, 'the registered child is gone');
    assert.ok(!existsSync(join(dir, 'temp')), 'the exit cleanup ran');
    assert.deepEqual(await leftoverProcesses(dir), []);
    await rm(dir, { recursive: true, force: true });
  });
}

test('a second SIGINT exits at once (130) and still kills children that ignore SIGTERM', async () => {
  const { r, childPid, dir } = await runFault('', ['SIGINT', 'SIGINT']);
  assert.equal(r.exitCode, 130, r.stderr);
  assert.match(r.stderr, /SIGINT again: exiting now/);
  assert.ok(!hasStackTrace(r.stderr));
  assert.equal(processStartTicks(childPid), null);
  assert.ok(!existsSync(join(dir, 'temp')));
  assert.deepEqual(await leftoverProcesses(dir), []);
  await rm(dir, { recursive: true, force: true });
});
