/**
 * The exporter contract: every command's `--format` comes from the registry
 * and is refused through it; every JSON output starts with the versioned
 * envelope; every typed cell warning (host steal included) reaches every
 * report format.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/program.js';
import type { FormatOption } from '../../../src/cli/format-option.js';
import { InputError } from '../../../src/model/errors.js';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { buildHistory } from '../../../src/history/history.js';
import { PLAIN } from '../../../src/report/export/exporter.js';
import { JSON_SCHEMAS } from '../../../src/report/export/json.js';
import { exporterFor, formatsOf, type OutputKind, type OutputModels } from '../../../src/report/export/registry.js';
import { buildReportModel } from '../../../src/report/model.js';
import { overviewOf } from '../../../src/store/run-overview.js';
import { buildRunListing } from '../../../src/report/run-listing.js';
import type { StoredRun } from '../../../src/store/run-reader.js';
import { loadFixtureRun } from '../../helpers/fixture-run.js';
import { makeRuns } from '../gate/sample-factory.js';
import { hint } from '../../../src/model/diagnostic.js';
import { fidelityReport } from '../../../src/report/fidelity-report.js';
import { fidelityFile } from '../calibrate/fidelity-fixture.js';

/** Every command and subcommand, with its path (`report`, `guest info`). */
function commandsOf(cmd: Command, prefix: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => [
    { path: [...prefix, c.name()], cmd: c },
    ...commandsOf(c, [...prefix, c.name()]),
  ]);
}

/** What each command with `--format` needs besides the format to get as far as parsing it. */
const ARGS: Record<string, string[]> = {
  list: ['list', '/nonexistent'],
  doctor: ['doctor'],
  report: ['report', '/nonexistent/run'],
  compare: ['compare', '/nonexistent/a', '/nonexistent/b'],
  gate: ['gate', '/nonexistent/current', '--baseline', '/nonexistent/base'],
  history: ['history', '/nonexistent', '--profile', 'nightly'],
  explain: ['explain', '/nonexistent/run'],
  calibrate: ['calibrate', '/nonexistent/profile.yaml', '--fidelity'],
};

describe('every --format comes from the exporter registry', () => {
  const program = buildProgram(() => {});
  const withFormat = commandsOf(program).filter(({ cmd }) => cmd.options.some((o) => o.long === '--format'));

  it('the commands that render output have one, each tagged with its output kind', () => {
    assert.deepEqual(withFormat.map((c) => c.path.join(' ')).sort(), Object.keys(ARGS).sort());
    for (const { path, cmd } of withFormat) {
      const option = cmd.options.find((o) => o.long === '--format') as FormatOption;
      assert.ok(option.outputKind, `${path.join(' ')}: --format is not the registry's formatOption`);
      const formats = formatsOf(option.outputKind);
      const alternate = option.alternate
        ? `; with ${option.alternate.flag}: ${formatsOf(option.alternate.kind).join(', ')}`
        : '';
      assert.equal(option.description, `output format: ${formats.join(', ')}${alternate}`, path.join(' '));
      assert.equal(
        option.defaultValue,
        exporterFor(option.outputKind, formats[0]!),
        `${path.join(' ')}: the default is the registry's first`,
      );
    }
  });

  for (const [name, args] of Object.entries(ARGS)) {
    it(`${name}: an unknown format is refused before anything is read, naming the option and the accepted formats`, async () => {
      const option = program.commands
        .find((c) => c.name() === name)!
        .options.find((o) => o.long === '--format') as FormatOption;
      const alternate = option.alternate
        ? ` (with ${option.alternate.flag}: ${formatsOf(option.alternate.kind).join(', ')})`
        : '';
      await assert.rejects(
        buildProgram(() => {}).parseAsync([...args, '--format', 'pdf'], { from: 'user' }),
        (err: unknown) =>
          err instanceof InputError &&
          err.lines.join('\n') ===
            `--format: expected one of ${formatsOf(option.outputKind).join(', ')}${alternate}, got pdf`,
      );
    });
  }

  it('a known format parses to its exporter', async () => {
    let chosen: unknown;
    const program = buildProgram(() => {});
    program.commands
      .find((c) => c.name() === 'explain')!
      .action((_dir: string, _other: unknown, options: { format: unknown }) => {
        chosen = options.format;
      });
    await program.parseAsync(['explain', '/x', '-f', 'json'], { from: 'user' });
    assert.equal(chosen, exporterFor('explain', 'json'));
  });
});

let run: StoredRun;
before(async () => {
  run = await loadFixtureRun();
});

/** A small model of each output kind, from real records. */
function models(): { [K in OutputKind]: OutputModels[K] } {
  const samples = makeRuns({ iodepth: 1 }, 'iops', [100, 101, 99, 100, 102, 98]);
  const result = evaluateGate(samples, samples);
  return {
    report: buildReportModel([run]),
    compare: { header: { a: 'A', b: 'B', metric: 'iops', alpha: 0.05, diagnostics: [] }, rows: [], refused: [] },
    gate: { result, title: 'gate', diagnostics: [{ kind: 'SubjectAxisFolded', axis: 'backend' }] },
    history: buildHistory([run], { profile: 'quick', metric: 'iops' }),
    explain: { explained: 'ioeventfd', pairs: [] },
    latency: { runs: ['r'], cells: [], pairing: 'nothing traced', comparisons: [] },
    runs: buildRunListing([{ dir: run.dir, overview: overviewOf(run) }]),
    doctor: { checks: [{ name: 'QEMU', level: 'ok', detail: 'qemu-system-x86_64 9.2.0' }] },
    'guest-image': { dir: '/cache/guest/x', contentHash: 'ab12', manifest: {} },
    fidelity: fidelityReport(
      fidelityFile({
        'iodepth=1': { normal: [100, 101, 99, 100, 102, 98], harnessFree: [100, 99, 101, 100, 98, 102] },
      }),
      '/results/quick-fidelity-x',
    ),
  };
}

describe('the JSON envelope', () => {
  it('every kind has a json format whose document starts with schema and version', () => {
    const all = models();
    for (const kind of Object.keys(all) as OutputKind[]) {
      const doc = JSON.parse(exporterFor(kind, 'json').render(all[kind] as never, PLAIN)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc).slice(0, 2), ['schema', 'version'], kind);
      assert.equal(doc.schema, `vblk-bench/${kind}`);
      assert.equal(doc.version, JSON_SCHEMAS[kind]);
      assert.ok(Number.isInteger(doc.version) && (doc.version as number) >= 1);
    }
  });

  it('a document field of the same name cannot replace the envelope', () => {
    const doc = JSON.parse(
      exporterFor('explain', 'json').render(
        { explained: 'x', pairs: [], schema: 'other', version: 99 } as never,
        PLAIN,
      ),
    );
    assert.equal(doc.schema, 'vblk-bench/explain');
    assert.equal(doc.version, JSON_SCHEMAS.explain);
  });

  it('keeps the fields scripts read: compare rows, gate verdict and headline, explain pairs', () => {
    const all = models();
    const gate = JSON.parse(exporterFor('gate', 'json').render(all.gate, PLAIN));
    assert.equal(gate.verdict, all.gate.result.verdict);
    assert.equal(gate.headline.verdict, all.gate.result.verdict.toUpperCase());
    assert.deepEqual(gate.diagnostics, [
      {
        kind: 'SubjectAxisFolded',
        severity: 'info',
        text: 'cells paired without the subject axis backend',
        hint: hint({ kind: 'SubjectAxisFolded', axis: 'backend' }),
      },
    ]);
    assert.deepEqual(JSON.parse(exporterFor('compare', 'json').render(all.compare, PLAIN)).rows, []);
    assert.deepEqual(JSON.parse(exporterFor('explain', 'json').render(all.explain, PLAIN)).pairs, []);
  });
});

describe('typed warnings reach every report format', () => {
  /** The recorded run with host steal in every fio window of one cell, far above that cell's spread. */
  function stolen(): StoredRun {
    const cellKey = run.samples[0]!.cellKey;
    return {
      ...run,
      samples: run.samples.map((s) =>
        s.cellKey === cellKey ? { ...s, observed: { ...s.observed, hostStealPct: 50 } } : s,
      ),
    };
  }

  it('the model carries the steal and its warning, for that cell only', () => {
    const model = buildReportModel([stolen()]);
    const steal = model.cellWarnings.filter((g) => g.kind === 'HighSteal');
    assert.equal(steal.length, 1);
    assert.deepEqual(
      steal[0]!.cells.map((c) => c.cellKey),
      [run.samples[0]!.cellKey],
    );
    assert.equal(model.cells.filter((c) => c.stealPct !== null).length, 1);
    assert.equal(
      buildReportModel([run]).cellWarnings.filter((g) => g.kind === 'HighSteal').length,
      0,
      'none without steal',
    );
  });

  for (const format of formatsOf('report')) {
    it(`${format}: names the steal warning`, () => {
      const model = buildReportModel([stolen()]);
      for (const rows of ['sample', 'cell'] as const) {
        const text = exporterFor('report', format).render(model, { ...PLAIN, rows });
        assert.match(text, /HighSteal/, `${format} (rows: ${rows})`);
        assert.doesNotMatch(
          exporterFor('report', format).render(buildReportModel([run]), { ...PLAIN, rows }),
          /HighSteal/,
        );
      }
    });
  }

  it('JSON: typed in the cell statistics, explained once in cellWarnings', () => {
    const doc = JSON.parse(exporterFor('report', 'json').render(buildReportModel([stolen()]), PLAIN));
    const cell = doc.cells.find((c: { stealPct: number | null }) => c.stealPct !== null);
    const w = cell.stats.warnings.find((x: { kind: string }) => x.kind === 'HighSteal');
    assert.equal(w.stealPct, 50);
    assert.ok(w.ratio >= w.threshold && w.spreadPct > 0, JSON.stringify(w));
    const group = doc.cellWarnings.find((g: { kind: string }) => g.kind === 'HighSteal');
    assert.match(group.text, /50 % CPU steal time/);
  });
});
