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
import { stat, writeFile } from 'node:fs/promises';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import type { Sample } from '../../model/sample.js';
import { GATE_DEFAULTS } from '../../gate/defaults.js';
import { evaluateGate } from '../../gate/evaluate.js';
import { exitCodeFor, GIT_BISECT_SKIP } from '../../gate/exit-code.js';
import { toJUnit } from '../../gate/junit.js';
import { toMarkdown } from '../../gate/markdown.js';
import { gateHeadline } from '../../gate/headline.js';
import { mergeConfirmation, regressedCellKeys } from '../../gate/confirm.js';
import type { GateMetric, GateOptions, GateResult } from '../../gate/types.js';
import type { EnvironmentDifference } from '../../compare/inconclusive.js';
import { alignSubjectAxes, incompleteness, loadResultSet, type ResultSet } from '../../fingerprint/result-set.js';
import { calibrationWarnings, loadCalibration } from '../../calibrate/file.js';
import { loadProfile } from '../../profile/load.js';
import { renderGateTable } from '../../report/compare-table.js';
import { reportError } from '../errors.js';
import { spawnRun } from '../spawn-run.js';
import { warnStoreDiagnostics } from '../run-status.js';
import { checkEnvironment, collect, parseChoice, parseFraction, parseMinEffects } from '../stat-options.js';

const CORRECTIONS = ['holm', 'bh'] as const;
const FORMATS = ['table', 'json'] as const;

interface GateCliOptions {
  baseline: string;
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
  format: string;
}

export function registerGateCommand(program: Command, setExit: (code: number) => void): void {
  const defaults = GATE_DEFAULTS.metrics.map((m) => `${m.name}=${m.minEffectPct}`).join(',');
  program
    .command('gate')
    .description('regression gate: exit 0 pass, 1 regression, 3 inconclusive (125 with --bisect)')
    .argument('<current>', 'results directory (or baseline file) under test')
    .requiredOption('--baseline <path>', 'results directory or baseline file (`baseline save`) to compare against')
    .option('--alpha <p>', 'family-wise (holm) or false-discovery (bh) level', String(GATE_DEFAULTS.alpha))
    .option('--min-effect <list>', `gated metrics and their minimum effect in % (default ${defaults})`)
    .option('--correction <method>', `multiple-comparison correction: ${CORRECTIONS.join(', ')}`, GATE_DEFAULTS.correction)
    .option('--junit <file>', 'write a JUnit XML report (one testcase per cell × metric)')
    .option('--markdown <file>', 'write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--bisect', 'exit 125 instead of 3 when inconclusive, so `git bisect run` skips the commit')
    .option('--confirm', 'on a regression, re-run only the regressed cells (the current run\'s profile) and fail only if the re-run regresses too')
    .option('--out <dir>', 'with --confirm: where the re-run is stored', 'results')
    .option('--wait-lock [seconds]', 'with --confirm: when another run holds the host lock, wait for it (for ever, or at most this many seconds) instead of failing')
    .option('--subject <path>', 'what differs on purpose (repeatable): qemu.binary, guest.kernel, matrix.backend, ...', collect)
    .option('--allow-env-mismatch', 'judge even when the measurement environment differs (differences are listed)')
    .option('--calibration <file>', 'a `calibrate` file: warn when these settings cannot detect its effect size')
    .option('-f, --format <format>', `stdout: ${FORMATS.join(', ')}`, 'table')
    .action(async (current: string, options: GateCliOptions) => {
      try {
        setExit(await gateCommand(current, options));
      } catch (err) {
        setExit(reportError(err));
      }
    });
}

interface Settings {
  metrics: GateMetric[];
  alpha: number;
  correction: (typeof CORRECTIONS)[number];
  subjects: string[];
  allowEnvMismatch: boolean;
}

interface Judged {
  result: GateResult;
  notes: string[];
  /** Current-run cell keys by the (possibly subject-folded) keys the gate used. */
  currentKeys: Map<string, string>;
  /** Environment differences that made the result inconclusive (empty when none or allowed). */
  envMismatch: EnvironmentDifference[];
}

function judge(baseline: ResultSet, current: ResultSet, s: Settings, opts: { onlyCells?: ReadonlySet<string> } = {}): Judged {
  const env = checkEnvironment(baseline, current, s.subjects, s.allowEnvMismatch);
  const aligned = alignSubjectAxes(baseline.samples, current.samples, s.subjects);
  const currentKeys = new Map(aligned.b.map((x, i) => [x.cellKey, current.samples[i]?.cellKey ?? x.cellKey]));
  const keep = (samples: Sample[]) => (opts.onlyCells ? samples.filter((x) => opts.onlyCells?.has(x.cellKey)) : samples);
  const gateOptions: GateOptions = {
    metrics: s.metrics,
    alpha: s.alpha,
    correction: s.correction,
    envMismatch: env.mismatch,
    incomplete: [...incompleteness(baseline, 'baseline'), ...incompleteness(current, 'current run')],
  };
  const result = evaluateGate(keep(aligned.a), keep(aligned.b), gateOptions);
  const notes = [...env.notes, ...aligned.folded.map((axis) => `cells paired without the subject axis ${axis}`)];
  return { result, notes, currentKeys, envMismatch: env.mismatch };
}

/** Whether every field the run recorded has the same value now (fields added to the schema since are not compared). */
function recordedIn(recorded: unknown, now: unknown): boolean {
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded)) return JSON.stringify(recorded) === JSON.stringify(now);
  if (now === null || typeof now !== 'object') return false;
  return Object.entries(recorded).every(([k, v]) => recordedIn(v, (now as Record<string, unknown>)[k]));
}

/** The profile a confirmation re-runs: the current run's file, if it still says what the run used. */
async function confirmationProfile(current: ResultSet): Promise<string> {
  const path = current.manifest.profilePath;
  if (current.kind !== 'run' || !path || !(await stat(path).catch(() => null))) {
    throw new InputError(`--confirm: the profile of ${current.label} (${path ?? 'not recorded'}) is not available to re-run`);
  }
  if (!recordedIn(current.profile, await loadProfile(path))) {
    throw new InputError(`--confirm: ${path} changed since ${current.label} was measured; re-running it would measure something else`);
  }
  return path;
}

async function confirm(baseline: ResultSet, current: ResultSet, first: Judged, s: Settings, options: GateCliOptions): Promise<Judged> {
  const keys = regressedCellKeys(first.result);
  const profilePath = await confirmationProfile(current);
  const runKeys = keys.map((k) => first.currentKeys.get(k) ?? k);
  process.stderr.write(`confirm: re-running ${runKeys.length} regressed cell(s) of ${current.label}: ${runKeys.join(' ')}\n`);
  const profileName = String((current.profile as { name?: unknown } | null)?.name ?? current.manifest.profileName);
  const child = await spawnRun(profilePath, { out: options.out, profileName, onlyCells: runKeys, quiet: true, waitLock: options.waitLock });
  if (!child.dir) {
    const result = mergeConfirmation(first.result, { ...first.result, cells: [] });
    return { ...first, result, notes: [...first.notes, `confirm: the re-run exited with ${child.exitCode} and stored nothing`] };
  }
  const rerun = await loadResultSet(child.dir);
  const second = judge(baseline, rerun, s, { onlyCells: new Set(keys) });
  process.stderr.write(`confirm: re-run ${child.dir}\n${renderGateTable(second.result)}\n`);
  const result = mergeConfirmation(first.result, second.result, second.envMismatch);
  return { ...first, result, notes: [...first.notes, `confirm: re-run stored in ${child.dir}`] };
}

async function loadCurrent(path: string, bisect: boolean): Promise<ResultSet | number> {
  try {
    return await loadResultSet(path);
  } catch (err) {
    if (!bisect) throw err;
    reportError(err);
    process.stderr.write('gate --bisect: the current result set cannot be read: skip this commit (125)\n');
    return GIT_BISECT_SKIP;
  }
}

async function gateCommand(currentPath: string, options: GateCliOptions): Promise<number> {
  const settings: Settings = {
    metrics: options.minEffect ? parseMinEffects(options.minEffect) : [...GATE_DEFAULTS.metrics],
    alpha: parseFraction('--alpha', options.alpha),
    correction: parseChoice('--correction', options.correction, CORRECTIONS),
    subjects: options.subject ?? [],
    allowEnvMismatch: options.allowEnvMismatch === true,
  };
  const format = parseChoice('--format', options.format, FORMATS);
  const calibration = options.calibration ? await loadCalibration(options.calibration) : null;
  const baseline = await loadResultSet(options.baseline);
  const current = await loadCurrent(currentPath, options.bisect === true);
  if (typeof current === 'number') return current;
  for (const set of [baseline, current]) warnStoreDiagnostics(set.label, set.diagnostics);

  let judged = judge(baseline, current, settings);
  if (options.confirm && judged.result.verdict === 'regression') judged = await confirm(baseline, current, judged, settings, options);
  const { result } = judged;
  const warnings = calibration ? calibrationWarnings(result, calibration, current.fingerprint, settings.subjects) : [];

  for (const line of [...judged.notes, ...warnings]) process.stderr.write(`${line}\n`);
  const title = `vblk-bench gate: ${current.label} vs ${baseline.label}`;
  if (options.junit) await writeFile(options.junit, toJUnit(result, { suiteName: title }));
  if (options.markdown) {
    const extra = [...judged.notes, ...warnings].map((l) => `- ${l}`);
    await writeFile(options.markdown, toMarkdown(result, { title }) + (extra.length ? `\n${extra.join('\n')}\n` : ''));
  }
  if (format === 'json') process.stdout.write(JSON.stringify({ ...result, headline: gateHeadline(result), notes: judged.notes, warnings }, null, 2) + '\n');
  else process.stdout.write(renderGateTable(result, { color: process.stdout.isTTY }) + '\n');
  const code = exitCodeFor(result, { bisect: options.bisect === true });
  if (code !== ExitCode.Success) process.stderr.write(`gate: ${result.verdict} (exit ${code})\n`);
  return code;
}
