/**
 * `vblk-bench gate --baseline <results|baseline.json> <current>`: the CI
 * regression gate. Every cell × gated metric is tested (Mann-Whitney U, Holm
 * or BH across the family); a cell regresses only when the change is
 * significant AND beyond the metric's minimum effect.
 *
 * Exit codes: 0 pass · 1 regression · 3 inconclusive (too few samples,
 * environment mismatch, failed, missing or unmeasured cells — never 0 on
 * missing data) · 125 instead of 3 with --bisect (`git bisect run` skips) ·
 * 2 bad input. With --bisect a current result set that cannot be read is
 * also 125: the commit could not be measured, which says nothing about it.
 */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { ExitCode } from '../../model/exit-codes.js';
import { GATE_DEFAULTS } from '../../gate/defaults.js';
import { exitCodeFor, GIT_BISECT_SKIP } from '../../gate/exit-code.js';
import { runGate } from '../../gate/run-gate.js';
import type { GateSettings } from '../../gate/judge-result-sets.js';
import type { GateReport } from '../../report/gate-report.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { renderGateTable } from '../../report/export/gate-table.js';
import { reportError } from '../errors.js';
import { warnStoredDiagnostics } from '../run-status.js';
import { formatOption } from '../format-option.js';
import { collect, parseChoice, parseFraction, parseMinEffects } from '../stat-options.js';
import { diagnosticBlock } from '../../model/diagnostic.js';
import { InputError } from '../../model/errors.js';
import { isRunRef } from '../../store/pg/read-runs.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';

const CORRECTIONS = ['holm', 'bh'] as const;

interface GateCliOptions extends DbOptions {
  baseline?: string;
  baselineRun?: string;
  alpha: string;
  minEffect?: string;
  correction: string;
  junit?: string;
  markdown?: string;
  bisect?: boolean;
  confirm?: boolean;
  out: string;
  waitLock?: boolean | string;
  subject?: string[];
  allowEnvMismatch?: boolean;
  calibration?: string;
  format: Exporter<GateReport>;
}

export function registerGateCommand(program: Command, setExit: (code: number) => void): void {
  const defaults = GATE_DEFAULTS.metrics.map((m) => `${m.name}=${m.minEffectPct}`).join(',');
  const command = program
    .command('gate')
    .description('regression gate: exit 0 pass, 1 regression, 3 inconclusive (125 with --bisect)')
    .argument('<current>', 'results directory (or baseline file) under test')
    .option('--baseline <path>', 'results directory or baseline file (`baseline save`) to compare against')
    .option(
      '--baseline-run <run>',
      'with --db: the published run to compare against, by id or latest:<profile> (e.g. last night on another runner)',
    )
    .option('--alpha <p>', 'family-wise (holm) or false-discovery (bh) level', String(GATE_DEFAULTS.alpha))
    .option('--min-effect <list>', `gated metrics and their minimum effect in % (default ${defaults})`)
    .option(
      '--correction <method>',
      `multiple-comparison correction: ${CORRECTIONS.join(', ')}`,
      GATE_DEFAULTS.correction,
    )
    .option('--junit <file>', 'write a JUnit XML report (one testcase per cell × metric)')
    .option('--markdown <file>', 'write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--bisect', 'exit 125 instead of 3 when inconclusive, so `git bisect run` skips the commit')
    .option(
      '--confirm',
      "on a regression, re-run only the regressed cells (the current run's profile) and fail only if the re-run regresses too",
    )
    .option('--out <dir>', 'with --confirm: where the re-run is stored', 'results')
    .option(
      '--wait-lock [seconds]',
      'with --confirm: when another run holds the host lock, wait for it (for ever, or at most this many seconds) instead of failing',
    )
    .option(
      '--subject <path>',
      'what differs on purpose (repeatable): qemu.binary, guest.kernel, matrix.backend, ...',
      collect,
    )
    .option('--allow-env-mismatch', 'judge even when the measurement environment differs (differences are listed)')
    .option('--calibration <file>', 'a `calibrate` file: warn when these settings cannot detect its effect size')
    .addOption(formatOption('gate'));
  addDbOptions(command, 'read --baseline-run (and a current run given as a run id)').action(
    async (current: string, options: GateCliOptions) => {
      try {
        setExit(await gateCommand(current, options));
      } catch (err) {
        setExit(reportError(err));
      }
    },
  );
}

/** `--baseline <path>` or, with a database, `--baseline-run <id|latest:profile>`: exactly one. */
function baselineOf(options: GateCliOptions, db: boolean): string {
  if (options.baseline !== undefined && options.baselineRun !== undefined)
    throw new InputError('--baseline and --baseline-run: give one of them');
  if (options.baselineRun !== undefined) {
    if (!db) throw new InputError('--baseline-run: reads a published run; give --db (or --db-file)');
    if (!isRunRef(options.baselineRun))
      throw new InputError(`--baseline-run ${options.baselineRun}: expected a run id (UUID) or latest:<profile>`);
    return options.baselineRun;
  }
  if (options.baseline === undefined) throw new InputError("required option '--baseline <path>' not specified");
  return options.baseline;
}

async function gateCommand(currentPath: string, options: GateCliOptions): Promise<number> {
  const settings: GateSettings = {
    metrics: options.minEffect ? parseMinEffects(options.minEffect) : [...GATE_DEFAULTS.metrics],
    alpha: parseFraction('--alpha', options.alpha),
    correction: parseChoice('--correction', options.correction, CORRECTIONS),
    subjects: options.subject ?? [],
    allowEnvMismatch: options.allowEnvMismatch === true,
  };
  const db = await dbSourceOf(options);
  const outcome = await runGate(
    {
      baselinePath: baselineOf(options, db !== null),
      currentPath,
      db,
      settings,
      bisect: options.bisect === true,
      confirm: options.confirm ? { out: options.out, waitLock: options.waitLock } : undefined,
      calibrationPath: options.calibration,
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  if (outcome.kind === 'unreadable-current') {
    reportError(outcome.error);
    process.stderr.write('gate --bisect: the current result set cannot be read: skip this commit (125)\n');
    return GIT_BISECT_SKIP;
  }
  const { result, diagnostics, baseline, current, rerun } = outcome;
  // What the readers skipped: the sets are then not whole, which the verdict already counts (at best inconclusive).
  for (const set of [baseline, current]) warnStoredDiagnostics(set.label, set.diagnostics);
  if (rerun) process.stderr.write(`confirm: re-run ${rerun.dir}\n${renderGateTable(rerun.result)}\n`);

  for (const line of diagnosticBlock(diagnostics)) process.stderr.write(`${line}\n`);
  const report: GateReport = { result, title: `vblk-bench gate: ${current.label} vs ${baseline.label}`, diagnostics };
  if (options.junit) await writeFile(options.junit, exporterFor('gate', 'junit').render(report, { color: false }));
  if (options.markdown)
    await writeFile(options.markdown, exporterFor('gate', 'markdown').render(report, { color: false }));
  process.stdout.write(options.format.render(report, { color: process.stdout.isTTY }));
  const code = exitCodeFor(result, { bisect: options.bisect === true });
  if (code !== ExitCode.Success) process.stderr.write(`gate: ${result.verdict} (exit ${code})\n`);
  return code;
}
