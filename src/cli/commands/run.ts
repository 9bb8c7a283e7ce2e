/**
 * `vblk-bench run <profile>`: profile → plan → boots × fio → results → table.
 * `vblk-bench run --resume <results dir>`: the same for the samples an
 * interrupted run is missing, refusing when the profile or the environment
 * changed since it started. The session itself is run/session.ts; here the
 * options are read, the outcome printed and the exit code chosen.
 */
import type { Command } from 'commander';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { exitCodeForSignal, installInterruptHandlers, InterruptedError } from '../../lifecycle/signals.js';
import { runSession, type FinishedRun, type UnsavedReport } from '../../run/session.js';
import { adaptiveRounds } from '../../gate/adaptive-rounds.js';
import { analyzeTraceDir } from '../../latency/analyze-trace-dir.js';
import { errnoCode } from '../../store/storage.js';
import { buildReportModel } from '../../report/model.js';
import { exporterFor } from '../../report/export/registry.js';
import { createLogger, type TerminalLogger, type Verbosity } from '../log.js';
import { RunProgress } from '../progress.js';
import { reportError } from '../errors.js';
import { groupFailures } from '../../run/failure-summary.js';
import { explain } from '../../model/diagnostic.js';
import { basename } from 'node:path';
import { publishFinishedRun } from '../../fingerprint/publish.js';

interface RunOptions {
  dryRun?: boolean;
  out: string;
  quiet?: boolean;
  verbose?: boolean;
  /** `i/n`: run the i-th of n deterministic parts of the plan's groups (merge them with `vblk-bench merge`). */
  shard?: string;
  /** Run only these cells (repeatable): `gate --confirm` re-runs the regressed cells this way. */
  onlyCell?: string[];
  /** A results directory whose missing samples to measure. */
  resume?: string;
  /** true: wait for the lock for ever; a string: at most that many seconds. */
  waitLock?: boolean | string;
  /** Publish the run to the database at its end ($VBLK_BENCH_DB or --db-file). */
  publish?: boolean;
  dbFile?: string;
}

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('boot guests for every QEMU configuration of a profile, run fio in them, store and print the results')
    .argument('[profile]', 'profile YAML file (with --resume: the one the run was started with, by default)')
    .option('--dry-run', 'print the plan (groups, cells, exact QEMU and fio command lines, estimate) and exit')
    .option('-o, --out <dir>', 'parent directory of the results directory', 'results')
    .option('-q, --quiet', 'only warnings and the final table')
    .option('-v, --verbose', 'also print QEMU command lines and boot details')
    .option(
      '--shard <i/n>',
      'run only the i-th of n deterministic parts of the plan (whole QEMU configurations); merge with `vblk-bench merge`',
    )
    .option(
      '--only-cell <key>',
      'run only this cell key (repeatable), e.g. backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--resume <results-dir>',
      'measure only the samples an interrupted run is missing (refuses if the profile or the environment changed)',
    )
    .option(
      '--wait-lock [seconds]',
      'when another run holds the lock, wait for it (for ever, or at most this many seconds) instead of exiting 4',
    )
    .option(
      '--publish',
      'at the end, publish the run to the PostgreSQL database ($VBLK_BENCH_DB or --db-file); a failure only warns',
    )
    .option('--db-file <file>', 'with --publish: read the connection string from this file (mode 0600)')
    .action(async (profilePath: string | undefined, options: RunOptions) => {
      setExit(await runCommand(profilePath, options));
    });
}

function waitLockMs(value: RunOptions['waitLock']): number {
  if (value === undefined) return 0;
  if (value === true) return Infinity;
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0)
    throw new InputError(`--wait-lock: expected a number of seconds, got ${JSON.stringify(value)}`);
  return s * 1000;
}

async function runCommand(profilePath: string | undefined, options: RunOptions): Promise<number> {
  const verbosity: Verbosity = options.quiet ? 'quiet' : options.verbose ? 'verbose' : 'normal';
  const log = createLogger(verbosity);
  // Its hint comes with the run's end (what is missing and how to complete it).
  const interrupt = installInterruptHandlers((signal) =>
    log.diagnostic({ kind: 'Interrupted', signal }, { hint: false }),
  );
  try {
    const outcome = await runSession(
      {
        profilePath,
        resume: options.resume,
        shard: options.shard,
        onlyCells: options.onlyCell,
        dryRun: options.dryRun,
        out: options.out,
        waitLockMs: waitLockMs(options.waitLock),
      },
      {
        log,
        signal: interrupt.controller.signal,
        startProgress: (plan) => new RunProgress(log, plan),
        adaptiveRounds: (spec, cells) => adaptiveRounds(spec, cells),
        analyzeTrace: analyzeTraceDir,
      },
    );
    if (outcome.kind === 'dry-run') {
      process.stdout.write(outcome.text);
      return ExitCode.Success;
    }
    const code = printRun(outcome, log);
    if (options.publish || options.dbFile !== undefined) await publishAtEnd(outcome.runDir, options.dbFile, log);
    return code;
  } catch (err) {
    if (err instanceof InterruptedError) return exitCodeForSignal(err.signal);
    return reportError(err);
  } finally {
    interrupt.dispose();
  }
}

/** `--publish`: the run is on disk whatever happens here; a database problem is one warning line, never the exit code. */
async function publishAtEnd(runDir: string, dbFile: string | undefined, log: TerminalLogger): Promise<void> {
  const result = await publishFinishedRun(runDir, { dbFile });
  if ('notPublished' in result) {
    log.diagnostic({ kind: 'RunNotPublished', dir: runDir, why: result.notPublished }, { hint: false });
    return;
  }
  const p = result.published;
  if ('outcome' in p)
    log.diagnostic({ kind: 'RunPublished', dir: runDir, runId: p.runId, outcome: p.outcome }, { hint: false });
}

/** Prints the tables, the failures with hints, and returns the exit code. */
function printRun(run: FinishedRun, log: TerminalLogger): number {
  const { runDir, stillMissing } = run;
  const samples = run.stored?.samples ?? [];
  if (run.unsaved) printUnsaved(runDir, run.unsaved, run.stopped?.error, log);
  if (run.finishError) log.diagnostic(run.finishError);

  // The same table `report` prints, from the same model.
  if (run.stored)
    process.stdout.write(
      exporterFor('report', 'table').render(buildReportModel([run.stored]), { color: process.stdout.isTTY }),
    );
  if (run.accel === 'tcg') process.stdout.write(`(${explain({ kind: 'TcgEmulation' })})\n`);
  process.stdout.write(`results: ${runDir}\n`);

  const notOk = samples.filter((s) => s.status === 'failed' || s.status === 'invalid');
  for (const reasons of groupFailures(notOk))
    reasons.forEach((d, i) => log.diagnostic(d, { hint: i === reasons.length - 1 }));
  const incomplete = {
    kind: 'RunIncomplete',
    run: basename(runDir),
    dir: runDir,
    stopReason: run.stopReason ?? null,
    missing: stillMissing,
  } as const;
  if (run.interrupted) {
    log.diagnostic(incomplete);
    return exitCodeForSignal(run.interrupted);
  }
  if (run.stopped?.kind === 'storage') return ExitCode.Partial;
  if (run.stopped) {
    log.diagnostic(incomplete);
    return reportError(run.stopped.error);
  }
  if (!run.complete || notOk.length > 0) {
    log.diagnostic({ kind: 'RunPartial', failed: notOk.length, missing: stillMissing, dir: runDir });
    return ExitCode.Partial;
  }
  return ExitCode.Success;
}

/** The results directory filled up: say where the measured samples went, or print them. */
function printUnsaved(runDir: string, unsaved: UnsavedReport, error: unknown, log: TerminalLogger): void {
  log.diagnostic(
    { kind: 'ResultsUnwritable', dir: runDir, code: errnoCode(error) ?? 'write error' },
    { hint: unsaved.count === 0 },
  );
  if (unsaved.count === 0) return;
  if (unsaved.rescuedTo) {
    log.diagnostic({ kind: 'SamplesRescued', count: unsaved.count, to: unsaved.rescuedTo, dir: runDir });
    return;
  }
  log.diagnostic({ kind: 'SamplesUnsaved', count: unsaved.count, dir: runDir });
  // Raw, without timestamps: lines to paste back as sample files.
  for (const line of unsaved.jsonLines) process.stderr.write(`${line}\n`);
}
