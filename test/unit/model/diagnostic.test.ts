/**
 * Typed diagnostics: every kind has a severity, an explanation and a hint
 * from the one table; a failed sample carries its kind through a real results
 * directory (and one stored before kinds existed still reads); the CLI prints
 * the hint of a typed failure from its kind, whatever its message says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  DIAGNOSTIC_KINDS, FAILURE_KINDS, diagnosticText, explain, hint, sampleFailure, severityOf,
  type Diagnostic, type DiagnosticKind,
} from '../../../src/model/diagnostic.js';
import { RunStepError } from '../../../src/model/errors.js';
import { describeError } from '../../../src/cli/errors.js';
import { createLogger } from '../../../src/cli/log.js';
import { fioExitFailure } from '../../../src/run/measure-cell.js';
import { groupFailures } from '../../../src/run/failure-summary.js';
import { RunWriter } from '../../../src/store/run-writer.js';
import { loadRun } from '../../../src/store/run-reader.js';
import { withTempDir } from '../../helpers/temp.js';
import { repoRoot } from '../../../src/util/paths.js';
import { makeSample } from '../gate/sample-factory.js';

/** One example of every kind: the record type makes a kind without an example a compile error. */
const EXAMPLES: Record<DiagnosticKind, Diagnostic> = {
  HighCv: { kind: 'HighCv', cv: 0.12, threshold: 0.05 },
  TooFewSamples: { kind: 'TooFewSamples', purpose: 'test', n: 3, needed: 6, alpha: 0.05 },
  OutliersPresent: { kind: 'OutliersPresent', indices: [4], n: 10 },
  FirstSampleSlow: { kind: 'FirstSampleSlow', first: 80, medianOfRest: 100, slowerBy: 0.2, threshold: 0.1 },
  Bimodal: { kind: 'Bimodal', lowerCount: 5, upperCount: 5, lowerMax: 101, upperMin: 119 },
  NonZeroSteal: { kind: 'NonZeroSteal', stealPct: 0.4 },
  StoredFileSkipped: { kind: 'StoredFileSkipped', file: 'r/samples/0001-x.json', what: 'sample', problem: 'metrics.iops.value: negative' },
  DuplicateSample: { kind: 'DuplicateSample', file: 'r/samples/0009-x.json', slot: 'iodepth=1#r0', kept: 'r/samples/0001-x.json' },
  UnplannedSample: { kind: 'UnplannedSample', file: 'r/samples/0009-x.json', slot: 'iodepth=1#r7' },
  MissingSamples: { kind: 'MissingSamples', file: 'r/run.json', missing: 1, planned: 24, first: [{ cellKey: 'iodepth=1', repetition: 3 }] },
  ...(Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, { kind, reason: `a ${kind} happened` }])) as Record<(typeof FAILURE_KINDS)[number], Diagnostic>),
};

describe('the diagnostics table', () => {
  it('every kind has a severity, an explanation and a hint', () => {
    assert.deepEqual(new Set(Object.keys(EXAMPLES)), new Set(DIAGNOSTIC_KINDS), 'one example per kind of the table');
    for (const kind of DIAGNOSTIC_KINDS) {
      const d = EXAMPLES[kind];
      assert.ok(['error', 'warning', 'info'].includes(severityOf(d)), kind);
      for (const text of [explain(d), hint(d)]) {
        assert.ok(text.length > 10 && !/undefined|NaN|\[object/.test(text), `${kind}: ${text}`);
      }
      assert.match(hint(d), /^[a-z`]/, `${kind}: a hint reads on after "hint: "`);
      assert.equal(diagnosticText(d), `${explain(d)} Hint: ${hint(d)}`);
    }
  });

  it('a failure explains itself with its recorded reason', () => {
    assert.equal(explain({ kind: 'FioFailed', reason: 'fio exited with 1: bad option' }), 'fio exited with 1: bad option');
  });

  it('sample failures: the stored kind, or for samples stored before kinds the one their status implies', () => {
    assert.equal(sampleFailure({ status: 'ok' }), null);
    assert.deepEqual(sampleFailure({ status: 'failed', reason: 'x', failureKind: 'GuestLost' }), { kind: 'GuestLost', reason: 'x' });
    assert.equal(sampleFailure({ status: 'failed', reason: 'x' })?.kind, 'UnclassifiedFailure');
    assert.equal(sampleFailure({ status: 'invalid', reason: 'x' })?.kind, 'ConfigMismatch');
    assert.equal(sampleFailure({ status: 'unsupported', reason: 'x' })?.kind, 'CellUnsupported');
  });
});

describe('a failed sample carries its kind', () => {
  it('fio exiting 127 is FioNotFound, any other exit FioFailed', () => {
    assert.deepEqual(fioExitFailure({ code: 127, stdout: '', stderr: 'sh: fio: not found\n' }), {
      failureKind: 'FioNotFound',
      reason: 'fio not found in the guest (exit 127: sh: fio: not found)',
    });
    assert.equal(fioExitFailure({ code: 1, stdout: '', stderr: 'fio: bad option\n' }).failureKind, 'FioFailed');
  });

  it('through a real results directory; a sample file from before kinds still reads', () =>
    withTempDir('diag-sample', async (dir) => {
      const base = makeSample({ iodepth: 1 }, { iops: 5 });
      const { schemaVersion: _v, rawFioPath: _r, ...draft } = base;
      const writer = await RunWriter.create(dir, {
        tool: { name: 'vblk-bench', version: 'test' }, profileName: 'p', profilePath: null, startedAt: base.startedAt, accel: 'tcg', warnings: [], plannedSamples: 2,
      });
      await writer.writeSample({ ...draft, status: 'failed', reason: 'fio output: JSON ends early', failureKind: 'FioOutputUnusable', metrics: {} });
      const old = await writer.writeSample({ ...draft, repetition: 1, status: 'failed', reason: 'boot failed: boot: no marker', metrics: {} });
      // The reader checks samples against the plan: two planned repetitions of the one cell (an import's plan is the shortest).
      await writer.writeProfile({ name: 'p' });
      await writer.writePlan({ imported: true, files: [0, 1].map((i) => ({ path: `f${i}`, cellKey: base.cellKey })), failed: [] });
      // The second file as an older version wrote it: no failureKind field at all.
      const oldName = (await readdir(join(dir, 'samples'))).sort()[1]!;
      const oldText = await readFile(join(dir, 'samples', oldName), 'utf8');
      assert.ok(!oldText.includes('failureKind'), 'written without a kind');
      assert.equal(old.failureKind, undefined);

      const stored = await loadRun(dir);
      assert.deepEqual(stored.samples.map((s) => s.failureKind), ['FioOutputUnusable', undefined]);
      assert.deepEqual(stored.samples.map((s) => sampleFailure(s)?.kind), ['FioOutputUnusable', 'UnclassifiedFailure']);
    }));

  it('a boot failure thrown as a typed error keeps its kind, however its message reads', () => {
    const err = new RunStepError('SSH connection to root@127.0.0.1:2222 lost while a command ran', 'ssh', [], 'HostKeyMismatch');
    assert.equal(err.failure, 'HostKeyMismatch');
    assert.equal(new RunStepError('no marker', 'boot').failure, 'BootFailed', 'the step gives the kind when the thrower names none');
  });
});

describe('the CLI prints the hint of a typed failure', () => {
  it('a run step error: the hint of its kind, not of words in its message', () => {
    // The message talks about a lost SSH connection; the kind says fio is missing: the kind wins.
    const err = new RunStepError('SSH connection lost (a message that says nothing about the kind)', 'guest', ['detail'], 'FioNotFound');
    const described = describeError(err);
    assert.ok(described);
    assert.deepEqual(described.lines.slice(0, 2), ['error: guest: SSH connection lost (a message that says nothing about the kind)', '  detail']);
    assert.equal(described.lines[2], `hint: ${hint({ kind: 'FioNotFound', reason: err.message })}`);
    assert.match(described.lines[2]!, /^hint: the guest has no fio on PATH/);
    assert.equal(described.exitCode, 3);
  });

  it('the end-of-run summary: one line per reason, one hint per kind', () => {
    const samples = [
      { status: 'failed' as const, reason: 'fio not found in the guest (exit 127: a)', failureKind: 'FioNotFound' as const },
      { status: 'failed' as const, reason: 'fio not found in the guest (exit 127: a)', failureKind: 'FioNotFound' as const },
      { status: 'failed' as const, reason: 'fio not found in the guest (exit 127: b)', failureKind: 'FioNotFound' as const },
      { status: 'failed' as const, reason: 'words that match no pattern', failureKind: 'GuestLost' as const },
      { status: 'ok' as const },
    ];
    let text = '';
    const stream = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) }) as unknown as NodeJS.WriteStream;
    const log = createLogger('quiet', stream);
    for (const { reasons } of groupFailures(samples)) {
      reasons.forEach(({ diagnostic, samples: n }, i) => log.diagnostic(diagnostic, { prefix: `${n} sample(s) `, hint: i === reasons.length - 1 }));
    }
    const lines = text.trim().split('\n').map((l) => l.replace(/^\S+Z /, ''));
    assert.deepEqual(lines, [
      'error: 2 sample(s) fio not found in the guest (exit 127: a)',
      'error: 1 sample(s) fio not found in the guest (exit 127: b)',
      `hint: ${hint({ kind: 'FioNotFound', reason: '' })}`,
      'error: 1 sample(s) words that match no pattern',
      `hint: ${hint({ kind: 'GuestLost', reason: '' })}`,
    ]);
  });
});

describe('docs/diagnostics.md', () => {
  it('names every kind with its severity', async () => {
    const doc = await readFile(join(repoRoot(), 'docs', 'diagnostics.md'), 'utf8');
    for (const kind of DIAGNOSTIC_KINDS) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${kind}\` |`));
      assert.ok(row, `docs/diagnostics.md has a row for ${kind}`);
      assert.match(row, new RegExp(`^\\| \`${kind}\` \\| ${severityOf(EXAMPLES[kind])} \\|`), `${kind}: the documented severity is the table's`);
    }
  });
});
