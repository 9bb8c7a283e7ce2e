/**
 * `vblk-bench calibrate <profile>`: measure the noise floor. The profile's
 * first boot group runs as A/A — two identical arms, interleaved round by
 * round (src/calibrate/aa-profile.ts) — and for every cell and gated metric
 * the command reports the spread (CV, MAD), the arms' disagreement (which is
 * noise by construction) and the repetitions per side needed to catch a
 * regression of --effect % at --alpha with --power, simulated from the
 * measured noise (src/calibrate/power.ts). The file it writes feeds
 * `gate --calibration` and `npm run false-alarm`.
 *
 * The measuring is src/calibrate/run-calibration.ts. Exit codes: 0 measured;
 * 3 when the A/A run has failed or missing cells; 2 bad input.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode } from '../../model/exit-codes.js';
import { GATE_DEFAULTS } from '../../gate/defaults.js';
import { writeCalibration } from '../../calibrate/file.js';
import { MAX_SIMULATIONS } from '../../model/schemas/calibration.js';
import { POWER_DEFAULTS } from '../../calibrate/power.js';
import { CALIBRATE_DEFAULTS, runCalibration } from '../../calibrate/run-calibration.js';
import { renderCalibration } from '../../report/calibration-table.js';
import { reportError } from '../errors.js';
import { parseFraction, parsePercent, parsePositiveInt } from '../stat-options.js';
import { diagnosticBlock, diagnosticLines, type Diagnostic } from '../../model/diagnostic.js';
import { FIDELITY_DEFAULTS } from '../../calibrate/fidelity-verdict.js';
import { isFidelityResult, loadFidelity } from '../../calibrate/fidelity-file.js';
import { runFidelity } from '../../calibrate/run-fidelity.js';
import { fidelityReport, type FidelityReport } from '../../report/fidelity-report.js';
import type { Exporter } from '../../report/export/exporter.js';
import { formatOption } from '../format-option.js';
import { createLogger } from '../log.js';

interface CalibrateOptions {
  fidelity?: boolean;
  cells?: string[];
  pairs: string;
  margin?: string;
  format: Exporter<FidelityReport>;
  effect: string;
  alpha: string;
  power: string;
  output: string;
  repetitions?: string;
  out: string;
  waitLock?: boolean | string;
  simulations: string;
}

export function registerCalibrateCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('calibrate')
    .description(
      "run the profile's first QEMU configuration as A/A and report the noise floor and the repetitions an effect needs",
    )
    .argument('<profile>', 'profile YAML file')
    .option('--effect <percent>', 'smallest regression worth catching, in %', String(CALIBRATE_DEFAULTS.effectPct))
    .option('--alpha <p>', 'significance level the gate will use', String(GATE_DEFAULTS.alpha))
    .option('--power <p>', 'target probability of catching the effect', String(CALIBRATE_DEFAULTS.power))
    .option(
      '--repetitions <n>',
      `repetitions per arm (default: the profile's, at least ${CALIBRATE_DEFAULTS.minRepetitions})`,
    )
    .option('--simulations <n>', 'simulated comparisons per power estimate', String(POWER_DEFAULTS.simulations))
    .option('-o, --output <file>', 'calibration file to write', 'calibration.json')
    .option('--out <dir>', 'parent directory of the A/A results directory', 'results')
    .option(
      '--wait-lock [seconds]',
      'when another run holds the host lock, wait for it (for ever, or at most this many seconds) instead of failing',
    )
    .option(
      '--fidelity',
      'instead: check the harness against a harness-free run of the same cells (docs/fidelity.md); ' +
        '<profile> may also be a fidelity results directory, to render its verdict again',
    )
    .option('--cells <cellKey...>', 'with --fidelity: the cells to check (default: every cell of the profile)')
    .option('--pairs <n>', 'with --fidelity: interleaved rounds of both paths', String(FIDELITY_PAIRS_DEFAULT))
    .option(
      '--margin <percent>',
      `with --fidelity: "equivalent" means within ± this many % (default ${FIDELITY_DEFAULTS.marginPct})`,
    )
    .addOption(formatOption('fidelity'))
    .action(async (profilePath: string, options: CalibrateOptions, cmd: Command) => {
      try {
        if (options.fidelity) {
          const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
          setExit(await fidelityCommand(profilePath, options, given));
          return;
        }
        setExit(await calibrateCommand(profilePath, options));
      } catch (err) {
        setExit(reportError(err));
      }
    });
}

async function calibrateCommand(profilePath: string, options: CalibrateOptions): Promise<number> {
  const settings = {
    effectPct: parsePercent('--effect', options.effect),
    alpha: parseFraction('--alpha', options.alpha),
    power: parseFraction('--power', options.power),
    simulations: parsePositiveInt('--simulations', options.simulations, MAX_SIMULATIONS),
    seed: POWER_DEFAULTS.seed,
  };
  const outcome = await runCalibration(
    {
      profilePath,
      settings,
      metrics: GATE_DEFAULTS.metrics.map((m) => m.name),
      repetitions: options.repetitions ? parsePositiveInt('--repetitions', options.repetitions) : undefined,
      out: options.out,
      waitLock: options.waitLock,
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  if (outcome.kind === 'no-run') {
    printDiagnostic({ kind: 'CalibrationRunFailed', exitCode: outcome.exitCode });
    return outcome.exitCode === ExitCode.Success ? ExitCode.Partial : outcome.exitCode;
  }
  const { calibration: cal, runDir } = outcome;
  await writeCalibration(resolve(options.output), cal);
  process.stdout.write(renderCalibration(cal, process.stdout.isTTY) + '\n');
  process.stdout.write(`A/A results: ${runDir}\ncalibration: ${options.output}\n`);

  const differ = cal.cells.filter((c) => c.aaP < settings.alpha);
  const diagnostics: Diagnostic[] = differ.map((c) => ({
    kind: 'AaArmsDiffer',
    metric: c.metric,
    cellKey: c.cellKey,
    p: c.aaP,
    deltaPct: c.aaDeltaPct,
  }));
  const partial = outcome.runExitCode !== ExitCode.Success || cal.cells.length < outcome.expected;
  if (partial)
    diagnostics.push({
      kind: 'CalibrationPartial',
      calibrated: cal.cells.length,
      expected: outcome.expected,
      dir: runDir,
    });
  for (const line of diagnosticBlock(diagnostics)) process.stderr.write(`${line}\n`);
  if (partial) return ExitCode.Partial;
  return ExitCode.Success;
}

const FIDELITY_PAIRS_DEFAULT = 6;

/** `calibrate --fidelity`: measure (or read back) both paths and render the verdicts; 3 when samples are missing. */
async function fidelityCommand(
  path: string,
  options: CalibrateOptions,
  given: (option: string) => boolean,
): Promise<number> {
  // The calibrate default α is the gate's; the fidelity check states 95 % intervals unless told otherwise.
  const alpha = given('alpha') ? parseFraction('--alpha', options.alpha) : FIDELITY_DEFAULTS.alpha;
  const marginPct =
    options.margin === undefined ? FIDELITY_DEFAULTS.marginPct : parsePercent('--margin', options.margin);
  const { file, dir } = (await isFidelityResult(path))
    ? await loadFidelity(path)
    : await runFidelity(
        {
          profilePath: path,
          cells: options.cells,
          pairs: parsePositiveInt('--pairs', options.pairs, 10_000),
          out: options.out,
          waitLock: options.waitLock,
          settings: { metric: 'iops', alpha, marginPct },
        },
        createLogger('normal'),
      );
  const report = fidelityReport(file, dir, {
    ...(given('alpha') ? { alpha } : {}),
    ...(given('margin') ? { marginPct } : {}),
  });
  process.stdout.write(options.format.render(report, { color: process.stdout.isTTY === true }));
  const partial = report.notCounted.length > 0 || report.pairs.done < report.pairs.planned;
  return partial ? ExitCode.Partial : ExitCode.Success;
}

function printDiagnostic(d: Diagnostic): void {
  for (const line of diagnosticLines(d)) process.stderr.write(`${line}\n`);
}
