/**
 * The default sampling's guest script and dialogue: the script run by a real
 * /bin/sh with a stand-in for fio (so its markers, its wait for the host and
 * fio's status and output are the shell's, not a model of it), and the host
 * side driven by a scripted session that refuses any step out of order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXIT_MARKER,
  FIO_BRACKET_SCRIPT,
  READY_MARKER,
  bracketedFioArgv,
  markerAt,
  splitBracketOutput,
} from '../../../src/insight/fio-bracket.js';
import { runAroundFio, type HostSnapshot } from '../../../src/insight/around-fio.js';
import { ActivityJournal, fioSpans } from '../../../src/util/activity-journal.js';
import type { GuestRunner } from '../../../src/guest/ssh-session.js';
import type { ExecOptions, ExecResult } from '../../../src/guest/remote-command.js';
import { realClock } from '../../../src/insight/window.js';
import { fixtureText } from './fixtures.js';

const before = fixtureText('guest-snapshot-before.txt');
const after = fixtureText('guest-snapshot-after.txt');
const FIO_JSON = '{"fio version": "fio-3.33", "jobs": []}\n';

test('the script takes the disk and fio as arguments, never inside its text', () => {
  const argv = bracketedFioArgv('vdb', ['fio', '--name=x', '--filename=/dev/vdb']);
  assert.deepEqual(argv.slice(0, 5), ['sh', '-c', FIO_BRACKET_SCRIPT, 'sh', 'vdb']);
  assert.deepEqual(argv.slice(5), ['fio', '--name=x', '--filename=/dev/vdb']);
  assert.ok(!FIO_BRACKET_SCRIPT.includes('vdb'));
});

test('splitBracketOutput: both snapshots, fio status and fio stdout; a cut-short script has no status', () => {
  const stdout = `${before}${READY_MARKER}\n${EXIT_MARKER} 3\n${after}@@vblk-fio-stdout\n${FIO_JSON}`;
  const parts = splitBracketOutput(stdout);
  assert.equal(parts.before, before);
  assert.equal(parts.after, after);
  assert.equal(parts.fioStatus, 3);
  assert.equal(parts.fioStdout, FIO_JSON);
  const cut = splitBracketOutput(`${before}${READY_MARKER}\n`);
  assert.equal(cut.fioStatus, null);
  assert.equal(cut.before, before);
  assert.equal(markerAt(`x${READY_MARKER}`, READY_MARKER), -1, 'a marker counts only at the start of a line');
});

/** Runs the script with real sh; `fio` is a shell command standing in for it. Answers like the host does. */
function runScript(
  fio: string[],
  opts: { answer: boolean },
): Promise<{ stdout: string; stderr: string; code: number | null; ranBeforeGo: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', FIO_BRACKET_SCRIPT, 'sh', 'no-such-disk', ...fio], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let ranBeforeGo = false;
    let said = 0;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (said === 0 && markerAt(stdout, READY_MARKER) >= 0) {
        said = 1;
        ranBeforeGo = stdout.includes('FIO-RAN');
        if (opts.answer) child.stdin.write('go\n');
        else child.stdin.end();
      } else if (said === 1 && markerAt(stdout, EXIT_MARKER) >= 0) {
        said = 2;
        child.stdin.write('ok\n');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code, ranBeforeGo }));
  });
}

test('real sh: fio starts only after the host answers; its status, stdout and stderr come back as its own', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-bracket-'));
  try {
    const ran = join(dir, 'ran');
    const fake = ['sh', '-c', `touch ${ran}; echo '{"x": 1}'; echo 'fio: warning' >&2; exit 3`];
    const r = await runScript(fake, { answer: true });
    const parts = splitBracketOutput(r.stdout);
    assert.equal(r.code, 3, 'the script exits with fio’s status');
    assert.equal(parts.fioStatus, 3);
    assert.equal(parts.fioStdout, '{"x": 1}\n');
    assert.match(r.stderr, /fio: warning/);
    assert.ok(existsSync(ran));
    assert.ok(!r.ranBeforeGo);
    assert.match(parts.before, /^@@diskstat$/m, 'the snapshot sections are printed even when the disk is absent');

    const missing = await runScript(['no-such-fio-here'], { answer: true });
    assert.equal(splitBracketOutput(missing.stdout).fioStatus, 127, 'fio not found keeps its 127');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real sh: no answer from the host (stdin closed) and fio never starts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-bracket-'));
  try {
    const ran = join(dir, 'ran');
    const r = await runScript(['sh', '-c', `touch ${ran}`], { answer: false });
    assert.equal(r.code, 96);
    assert.equal(existsSync(ran), false);
    assert.equal(splitBracketOutput(r.stdout).fioStatus, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * A session that plays the guest's side: snapshot + ready, then waits for
 * `go`; fio "runs" for `runMs`; exit marker, waits for `ok`, then the rest.
 * `fioRunning` is true while fio runs, so the host's readings can be checked.
 */
class ScriptedGuest implements GuestRunner {
  fioRunning = false;
  execs = 0;
  constructor(private readonly o: { status: number; runMs: number }) {}
  async exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    this.execs++;
    assert.equal(argv[2], FIO_BRACKET_SCRIPT);
    let answered: (text: string) => void = () => undefined;
    const answer = () => new Promise<string>((r) => (answered = r));
    const write = (text: string) => answered(text);
    const say = (text: string) => opts.onStdout?.(Buffer.from(text), write);
    let out = `${before}${READY_MARKER}\n`;
    const go = answer();
    say(`${before}${READY_MARKER}\n`);
    assert.equal(await go, 'go\n');
    this.fioRunning = true;
    await new Promise((r) => setTimeout(r, this.o.runMs));
    this.fioRunning = false;
    const ok = answer();
    say(`${EXIT_MARKER} ${this.o.status}\n`);
    out += `${EXIT_MARKER} ${this.o.status}\n`;
    assert.equal(await ok, 'ok\n');
    out += `${after}@@vblk-fio-stdout\n${FIO_JSON}`;
    return { stdout: out, stderr: '', code: this.o.status };
  }
  run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    return this.exec(argv, opts);
  }
}

test('runAroundFio: the host reads only before fio is let run and after it exited; one exec; marks bound fio', async () => {
  const guest = new ScriptedGuest({ status: 0, runMs: 30 });
  const readsWhileFioRan: boolean[] = [];
  const journal = new ActivityJournal();
  const hostSnapshot = async (): Promise<HostSnapshot> => {
    readsWhileFioRan.push(guest.fioRunning);
    journal.record('qmp-send', 'query-blockstats');
    return { atMs: realClock.now(), host: { ok: true, value: [] }, block: null, exits: null };
  };
  const { result, window } = await runAroundFio({
    session: guest,
    device: 'vda',
    fioArgv: ['fio'],
    timeoutMs: 10_000,
    hostSnapshot,
    clock: realClock,
    journal,
    what: 'cell #0',
  });
  assert.equal(guest.execs, 1, 'one SSH exec for the whole dialogue');
  assert.deepEqual(readsWhileFioRan, [false, false]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, FIO_JSON, 'fio’s stdout, as if it had run alone');
  assert.ok(window.ok, JSON.stringify(window));
  assert.ok(window.before.guest.ok && window.after.guest.ok);
  assert.equal(window.ioStartMs, null);
  assert.ok(window.endMs - window.startMs >= 30);
  const spans = fioSpans(journal.events);
  assert.equal(spans.length, 1);
  assert.deepEqual(spans[0]!.inside, [], 'the host read nothing between launch and end');
  assert.ok(spans[0]!.launch.cpuUs! >= 0 && spans[0]!.end.cpuUs! >= spans[0]!.launch.cpuUs!);
});

test('runAroundFio: a failed fio keeps its status and still has its window', async () => {
  const guest = new ScriptedGuest({ status: 1, runMs: 1 });
  const hostSnapshot = async (): Promise<HostSnapshot> => ({
    atMs: realClock.now(),
    host: { ok: false, error: 'gone' },
    block: null,
    exits: null,
  });
  const { result, window } = await runAroundFio({
    session: guest,
    device: 'vda',
    fioArgv: ['fio'],
    timeoutMs: 10_000,
    hostSnapshot,
    clock: realClock,
    what: 'cell #0',
  });
  assert.equal(result.code, 1);
  assert.ok(window.ok);
});

test('fioSpans: events strictly between a launch and its end, per run', () => {
  const e = (t: number, kind: string, what = 'x') => ({ t, kind, what }) as never;
  const spans = fioSpans([
    e(1, 'qmp-send'),
    e(2, 'fio-launch', 'a'),
    e(3, 'ssh-exec'),
    e(4, 'fio-end', 'a'),
    e(5, 'fio-launch', 'b'),
    e(6, 'fio-end', 'b'),
    e(7, 'ssh-close'),
  ]);
  assert.deepEqual(
    spans.map((s) => [s.what, s.inside.map((i) => i.t)]),
    [
      ['a', [3]],
      ['b', []],
    ],
  );
});
