/**
 * Nothing of the harness inside fio's window, on a real guest (TCG): two runs
 * of one cell with `ramp_time: 0` — fio's measured phase starts with its
 * first I/O, so nothing can hide in a ramp — one per `insight.sampling`.
 * The harness's activity journal (boots/<id>/activity.jsonl: every QMP
 * command and reply, SSH exec and channel event) is read against fio's run as
 * the harness bounds it (from the instant fio is let start to the instant its
 * exit is seen: the measured phase lies inside). The default must have no
 * event there; the in-window mode must have some — QMP commands and guest
 * execs — or the check could not fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { assertNothingLeft, fastProfile, removeTemp, runDirIn, tempDir, writeProfile } from '../helpers/faults.js';
import { loadRun } from '../../src/store/run-reader.js';
import { BOOTS_DIR } from '../../src/store/layout.js';
import {
  ACTIVITY_FILE,
  fioSpans,
  parseActivityJournal,
  type ActivityEvent,
  type FioSpan,
} from '../../src/util/activity-journal.js';

async function runOnce(dir: string, sampling: 'outside-window' | 'in-window') {
  // Short names: the QMP socket's path lives under the results directory (108 bytes at most).
  const name = sampling === 'in-window' ? 'win' : 'wout';
  const yaml = fastProfile(name, {
    fio: 'runtime: 2s, ramp_time: 0s',
    extra: sampling === 'in-window' ? 'insight: {sampling: in-window}' : '',
  });
  const out = join(dir, name);
  const r = await runCli(['run', await writeProfile(dir, name, yaml), '--out', out], { timeoutMs: 240_000 });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const runDir = runDirIn(out)!;
  const run = await loadRun(runDir);
  const spans: FioSpan[] = [];
  const events: ActivityEvent[] = [];
  for (const boot of await readdir(join(runDir, BOOTS_DIR))) {
    const journal = parseActivityJournal(await readFile(join(runDir, BOOTS_DIR, boot, ACTIVITY_FILE), 'utf8'));
    events.push(...journal);
    spans.push(...fioSpans(journal));
  }
  return { run, spans, events };
}

const show = (span: FioSpan) =>
  span.inside.map((e) => `${(e.t - span.launch.t).toFixed(1)} ms after launch: ${e.kind} ${e.what}`).join('\n');

test('default sampling: no SSH, no QMP between fio’s launch and its end; in-window: both', async () => {
  const dir = await tempDir('iw');

  const quiet = await runOnce(dir, 'outside-window');
  assert.equal(quiet.run.samples.length, 1);
  const sample = quiet.run.samples[0]!;
  assert.equal(sample.status, 'ok', sample.reason);
  assert.ok(sample.insight?.window.available, JSON.stringify(sample.insight?.window));
  assert.equal(sample.insight.window.placement, 'around-fio');
  assert.ok(sample.insight.window.ios! > 0, 'the counters around fio saw its I/O');
  assert.ok(sample.insight.hostCpu.available && sample.insight.guest.available);
  assert.equal(quiet.spans.length, 1, 'one fio run, bounded by its launch and end marks');
  const span = quiet.spans[0]!;
  assert.deepEqual(span.inside, [], show(span));
  // Not vacuous: the journal holds the host's readings right around fio — blockstats before launch and after end.
  const last = (kind: string, before: number) => quiet.events.filter((e) => e.kind === kind && e.t <= before).pop();
  const first = (kind: string, after: number) => quiet.events.find((e) => e.kind === kind && e.t >= after);
  assert.equal(last('qmp-send', span.launch.t)?.what, 'query-blockstats');
  assert.equal(first('qmp-send', span.end.t)?.what, 'query-blockstats');
  assert.ok(last('ssh-exec', span.launch.t), 'the exec that carries fio was journaled');

  const busy = await runOnce(dir, 'in-window');
  assert.equal(busy.run.samples[0]?.status, 'ok', busy.run.samples[0]?.reason);
  assert.equal(
    busy.run.samples[0]!.insight?.window.available && busy.run.samples[0]!.insight.window.placement,
    'steady-state',
  );
  assert.equal(busy.spans.length, 1);
  const kinds = new Set(busy.spans[0]!.inside.map((e) => e.kind));
  assert.ok(kinds.has('qmp-send') && kinds.has('ssh-exec'), `in-window activity: ${[...kinds].join(', ')}`);

  await assertNothingLeft(dir);
  await removeTemp(dir);
});
