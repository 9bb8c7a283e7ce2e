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
  DIAGNOSTIC_KINDS,
  FAILURE_KINDS,
  diagnosticText,
  explain,
  hint,
  sampleFailure,
  severityOf,
  storedWarning,
  type Diagnostic,
  type DiagnosticKind,
  type StoredWarning,
} from '../../../src/model/diagnostic.js';
import { RunManifestSchema } from '../../../src/model/schemas/manifest.js';
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
  HighSteal: { kind: 'HighSteal', stealPct: 0.4, spreadPct: 1.2, spreadOf: 'cv', ratio: 1 / 3, threshold: 0.25 },
  StoredFileSkipped: {
    kind: 'StoredFileSkipped',
    file: 'r/samples/0001-x.json',
    what: 'sample',
    problem: 'metrics.iops.value: negative',
  },
  DuplicateSample: {
    kind: 'DuplicateSample',
    file: 'r/samples/0009-x.json',
    slot: 'iodepth=1#r0',
    kept: 'r/samples/0001-x.json',
  },
  UnplannedSample: { kind: 'UnplannedSample', file: 'r/samples/0009-x.json', slot: 'iodepth=1#r7' },
  MissingSamples: {
    kind: 'MissingSamples',
    file: 'r/run.json',
    missing: 1,
    planned: 24,
    first: [{ cellKey: 'iodepth=1', repetition: 3 }],
  },
  ...(Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, { kind, reason: `a ${kind} happened` }])) as Record<
    (typeof FAILURE_KINDS)[number],
    Diagnostic
  >),
  TcgEmulation: { kind: 'TcgEmulation' },
  KvmUnusable: { kind: 'KvmUnusable', why: '/dev/kvm does not exist (no KVM on this host)', cause: 'absent' },
  BootRetry: { kind: 'BootRetry', bootId: 'b001-g1-r0', samples: 2, bootRetries: 1 },
  RunIncomplete: {
    kind: 'RunIncomplete',
    run: 'quick-20260101T000000Z',
    dir: 'results/quick-20260101T000000Z',
    stopReason: 'interrupted by SIGINT',
    missing: 3,
  },
  RunPartial: { kind: 'RunPartial', failed: 2, missing: 0, dir: 'results/q' },
  QemuStopFailed: { kind: 'QemuStopFailed', bootId: 'b001-g1-r0', message: 'QEMU pid 7 did not exit after SIGKILL' },
  ManifestNotUpdated: { kind: 'ManifestNotUpdated', path: 'results/q/run.json', why: 'ENOSPC' },
  ResultsUnwritable: { kind: 'ResultsUnwritable', dir: 'results/q', code: 'ENOSPC' },
  SamplesRescued: { kind: 'SamplesRescued', count: 1, to: '/tmp/vblk-bench-rescue-x', dir: 'results/q' },
  SamplesUnsaved: { kind: 'SamplesUnsaved', count: 1, dir: 'results/q' },
  ProfileFileGone: { kind: 'ProfileFileGone', path: 'quick.yaml', dir: 'results/quick' },
  LockWait: { kind: 'LockWait', pid: 42, since: '2026-01-01T00:00:00Z' },
  LockTakenOver: {
    kind: 'LockTakenOver',
    text: 'host.lock: taking over a stale lock: its holder (pid 42) is no longer running',
  },
  LeftoverCleaned: { kind: 'LeftoverCleaned', action: 'removed /dev/shm/vblk-bench-1.raw' },
  Interrupted: { kind: 'Interrupted', signal: 'SIGINT' },
  GuestKernelUnchecked: {
    kind: 'GuestKernelUnchecked',
    kernel: 'kernel 6.9.0',
    initramfs: '6.1.0-28-amd64',
    modules: ['virtio_blk'],
  },
  GuestImageBackingFile: { kind: 'GuestImageBackingFile', path: 'a.qcow2', backingFile: 'base.qcow2' },
  ImportedRun: { kind: 'ImportedRun', files: 3, accel: 'kvm', accelStated: false },
  ImportFileSkipped: { kind: 'ImportFileSkipped', file: 'x.json: no JSON object found' },
  RecordedText: { kind: 'RecordedText', text: 'a warning stored as text' },
  RunPublished: {
    kind: 'RunPublished',
    dir: 'results/nightly-20261126T051715Z',
    runId: '5f0c7a3e-2b8d-4c51-9e6a-0d4b7f19c2a8',
    outcome: 'inserted',
  },
  RunNotPublished: {
    kind: 'RunNotPublished',
    dir: 'results/nightly-20261126T051715Z',
    why: 'cannot connect: ECONNREFUSED',
  },
  SubjectDiffers: { kind: 'SubjectDiffers', difference: 'profile.qemu.binary: a → b' },
  EnvironmentDiffersAllowed: { kind: 'EnvironmentDiffersAllowed', difference: 'host.kernel: a → b' },
  InformationalDiffers: { kind: 'InformationalDiffers', difference: 'tool.node: 20 → 22' },
  SubjectUnchanged: { kind: 'SubjectUnchanged', subjects: ['profile.qemu.binary'] },
  SubjectAxisFolded: { kind: 'SubjectAxisFolded', axis: 'backend' },
  SetHasSteal: {
    kind: 'SetHasSteal',
    label: 'base',
    cells: 1,
    withSteal: 2,
    worstCell: 'iodepth=1',
    stealPct: 0.4,
    spreadPct: 5,
    spreadOf: 'min-effect',
    ratio: 0.08,
  },
  ConfirmRerunStored: { kind: 'ConfirmRerunStored', dir: 'results/confirm' },
  ConfirmRerunFailed: { kind: 'ConfirmRerunFailed', exitCode: 3 },
  CalibrationEnvironmentDiffers: { kind: 'CalibrationEnvironmentDiffers', difference: 'host.kernel: a → b' },
  CalibrationLowPower: {
    kind: 'CalibrationLowPower',
    metric: 'iops',
    cellKey: 'iodepth=1',
    effectPct: 5,
    power: 0.4,
    target: 0.8,
    n: [6, 6],
    alpha: 0.01,
    minEffectPct: 5,
    minEffectTooLarge: true,
    noise: { cv: 0.03, madPct: 2 },
    needed: 14,
  },
  CalibrationCoversNone: { kind: 'CalibrationCoversNone', calibrated: ['iodepth=1'] },
  CalibrationRunFailed: { kind: 'CalibrationRunFailed', exitCode: 3 },
  AaArmsDiffer: { kind: 'AaArmsDiffer', metric: 'iops', cellKey: 'iodepth=1', p: 0.004, deltaPct: -6 },
  CalibrationPartial: { kind: 'CalibrationPartial', calibrated: 1, expected: 2, dir: 'results/aa' },
  NoOkMeasurements: { kind: 'NoOkMeasurements', metric: 'iops' },
  NothingToExplain: { kind: 'NothingToExplain', what: 'ioeventfd' },
  PairsWithoutInsight: { kind: 'PairsWithoutInsight', missing: 1, pairs: 3 },
  BaselineNotWhole: { kind: 'BaselineNotWhole', dir: 'results/q' },
  RunUnreadable: { kind: 'RunUnreadable', dir: 'results/x', error: 'run.json: missing' },
  HostReferenceFailed: { kind: 'HostReferenceFailed', fioKey: 'iodepth=1', reason: 'host fio: boom' },
  ReferenceAbove100: { kind: 'ReferenceAbove100' },
  NoLatencyTraces: { kind: 'NoLatencyTraces', dirs: ['results/q'] },
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
    assert.equal(
      explain({ kind: 'FioFailed', reason: 'fio exited with 1: bad option' }),
      'fio exited with 1: bad option',
    );
  });

  it('sample failures: the stored kind, or for samples stored before kinds the one their status implies', () => {
    assert.equal(sampleFailure({ status: 'ok' }), null);
    assert.deepEqual(sampleFailure({ status: 'failed', reason: 'x', failureKind: 'GuestLost' }), {
      kind: 'GuestLost',
      reason: 'x',
    });
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
        tool: { name: 'vblk-bench', version: 'test' },
        profileName: 'p',
        profilePath: null,
        startedAt: base.startedAt,
        accel: 'tcg',
        warnings: [],
        plannedSamples: 2,
      });
      await writer.writeSample({
        ...draft,
        status: 'failed',
        reason: 'fio output: JSON ends early',
        failureKind: 'FioOutputUnusable',
        metrics: {},
      });
      const old = await writer.writeSample({
        ...draft,
        repetition: 1,
        status: 'failed',
        reason: 'boot failed: boot: no marker',
        metrics: {},
      });
      // The reader checks samples against the plan: two planned repetitions of the one cell (an import's plan is the shortest).
      await writer.writeProfile({ name: 'p' });
      await writer.writePlan({
        imported: true,
        files: [0, 1].map((i) => ({ path: `f${i}`, cellKey: base.cellKey })),
        failed: [],
      });
      // The second file as an older version wrote it: no failureKind field at all.
      const oldName = (await readdir(join(dir, 'samples'))).sort()[1]!;
      const oldText = await readFile(join(dir, 'samples', oldName), 'utf8');
      assert.ok(!oldText.includes('failureKind'), 'written without a kind');
      assert.equal(old.failureKind, undefined);

      const stored = await loadRun(dir);
      assert.deepEqual(
        stored.samples.map((s) => s.failureKind),
        ['FioOutputUnusable', undefined],
      );
      assert.deepEqual(
        stored.samples.map((s) => sampleFailure(s)?.kind),
        ['FioOutputUnusable', 'UnclassifiedFailure'],
      );
    }));

  it('a boot failure thrown as a typed error keeps its kind, however its message reads', () => {
    const err = new RunStepError(
      'SSH connection to root@127.0.0.1:2222 lost while a command ran',
      'ssh',
      [],
      'HostKeyMismatch',
    );
    assert.equal(err.failure, 'HostKeyMismatch');
    assert.equal(
      new RunStepError('no marker', 'boot').failure,
      'BootFailed',
      'the step gives the kind when the thrower names none',
    );
  });
});

describe('the CLI prints the hint of a typed failure', () => {
  it('a run step error: the hint of its kind, not of words in its message', () => {
    // The message talks about a lost SSH connection; the kind says fio is missing: the kind wins.
    const err = new RunStepError(
      'SSH connection lost (a message that says nothing about the kind)',
      'guest',
      ['detail'],
      'FioNotFound',
    );
    const described = describeError(err);
    assert.ok(described);
    assert.deepEqual(described.lines.slice(0, 2), [
      'error: guest: SSH connection lost (a message that says nothing about the kind)',
      '  detail',
    ]);
    assert.equal(described.lines[2], `hint: ${hint({ kind: 'FioNotFound', reason: err.message })}`);
    assert.match(described.lines[2]!, /^hint: the guest has no fio on PATH/);
    assert.equal(described.exitCode, 3);
  });

  it('the end-of-run summary: one line per reason, one hint per kind', () => {
    const samples = [
      {
        status: 'failed' as const,
        reason: 'fio not found in the guest (exit 127: a)',
        failureKind: 'FioNotFound' as const,
      },
      {
        status: 'failed' as const,
        reason: 'fio not found in the guest (exit 127: a)',
        failureKind: 'FioNotFound' as const,
      },
      {
        status: 'failed' as const,
        reason: 'fio not found in the guest (exit 127: b)',
        failureKind: 'FioNotFound' as const,
      },
      { status: 'failed' as const, reason: 'words that match no pattern', failureKind: 'GuestLost' as const },
      { status: 'ok' as const },
    ];
    let text = '';
    const stream = new Writable({
      write: (chunk, _enc, cb) => ((text += String(chunk)), cb()),
    }) as unknown as NodeJS.WriteStream;
    const log = createLogger('quiet', stream);
    for (const reasons of groupFailures(samples))
      reasons.forEach((d, i) => log.diagnostic(d, { hint: i === reasons.length - 1 }));
    const lines = text
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\S+Z /, ''));
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
      assert.match(
        row,
        new RegExp(`^\\| \`${kind}\` \\| ${severityOf(EXAMPLES[kind])} \\|`),
        `${kind}: the documented severity is the table's`,
      );
    }
  });
});

describe("run.json's warnings", () => {
  const manifest = (warnings: unknown[]) => ({
    schemaVersion: 1,
    tool: { name: 'vblk-bench', version: 't' },
    profileName: 'p',
    profilePath: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    status: 'incomplete',
    accel: 'tcg',
    stopReason: null,
    warnings,
    counts: {},
    plannedSamples: 1,
  });

  it('typed warnings of the stored kinds read, and so does text from before kinds (as RecordedText)', () => {
    const warnings = [
      { kind: 'TcgEmulation' },
      { kind: 'CellUnsupported', reason: 'no vhost-blk', count: 2 },
      'accel tcg: an old text warning',
    ];
    assert.ok(RunManifestSchema.safeParse(manifest(warnings)).success);
    assert.deepEqual(
      warnings.map((w) => storedWarning(w as StoredWarning).kind),
      ['TcgEmulation', 'CellUnsupported', 'RecordedText'],
    );
  });

  it('a warning of another kind, or one missing its fields, is refused (its text could not be made)', () => {
    assert.ok(!RunManifestSchema.safeParse(manifest([{ kind: 'KvmUnusable' }])).success);
    assert.ok(!RunManifestSchema.safeParse(manifest([{ kind: 'HighCv', cv: 1, threshold: 0.05 }])).success);
  });
});
