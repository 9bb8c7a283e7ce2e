/**
 * `vblk-bench explain <results> [other-results]`: the "why" breakdown of
 * stored samples (src/breakdown/breakdown.ts) — per pair, the IOPS change next
 * to host CPU per I/O by role, exits, interrupts and wakeups per I/O.
 *
 *   explain <dir> [--by ioeventfd] [--baseline on]   pairs across one axis inside a run
 *   explain <dirA> <dirB>                            the same cells in two runs (A = first)
 *   explain <dir> [<dirB>] --a <cellKey> --b <cellKey>   any two cells
 */
import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { axisValues, breakdownPair, pairsAcrossRuns, pairsByAxis, type PairBreakdown, type SamplePair } from '../../breakdown/breakdown.js';
import type { ExplainReport } from '../../report/breakdown-table.js';
import type { Exporter } from '../../report/export/exporter.js';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { reportError } from '../errors.js';
import { formatOption } from '../format-option.js';
import { warnIncompleteRuns } from '../run-status.js';

interface ExplainOptions {
  by: string;
  baseline?: string;
  a?: string;
  b?: string;
  format: Exporter<ExplainReport>;
}

/** The axes that take two or more values in these samples: what `--by` can pair across. */
function pairableAxes(run: StoredRun): string[] {
  const axes = new Set(run.samples.flatMap((s) => Object.keys(s.cell)));
  return [...axes].filter((axis) => axisValues(run.samples, axis).length > 1);
}

function cellSamples(run: StoredRun, key: string, flag: string) {
  const samples = run.samples.filter((s) => s.cellKey === key);
  if (samples.length === 0) {
    const known = [...new Set(run.samples.map((s) => s.cellKey))];
    throw new InputError(`${flag}: no cell ${key} in ${run.dir} (cells: ${known.join('; ')})`);
  }
  return samples;
}

function choosePairs(runs: StoredRun[], o: ExplainOptions): { pairs: SamplePair[]; what: string } {
  const [first, second] = runs as [StoredRun, StoredRun | undefined];
  if (o.a !== undefined || o.b !== undefined) {
    if (o.a === undefined || o.b === undefined) throw new InputError('--a and --b: give both cells (cell keys as stored in samples/*.json)');
    const other = second ?? first;
    const labels = second ? { a: `${basename(first.dir)}: ${o.a}`, b: `${basename(second.dir)}: ${o.b}` } : undefined;
    return { pairs: [{ a: cellSamples(first, o.a, '--a'), b: cellSamples(other, o.b, '--b'), ...(labels && o.a === o.b ? { labels } : {}) }], what: `${o.b} vs ${o.a}` };
  }
  if (second) {
    const labels = { a: basename(first.dir), b: basename(second.dir) };
    return { pairs: pairsAcrossRuns(first.samples, second.samples, labels), what: `${labels.b} vs ${labels.a}, cells present in both` };
  }
  const values = axisValues(first.samples, o.by);
  if (values.length < 2) {
    const axes = pairableAxes(first);
    throw new InputError(
      `--by ${o.by}: the run has ${values.length === 0 ? 'no such axis' : `only ${o.by}=${values[0]}`}; ` +
        (axes.length > 0 ? `axes with two or more values: ${axes.join(', ')}` : 'no axis takes two values here; compare two runs or two cells (--a, --b)'),
    );
  }
  if (o.baseline !== undefined && !values.includes(o.baseline)) {
    throw new InputError(`--baseline: ${o.by} takes ${values.join(', ')} in this run, not ${o.baseline}`);
  }
  const baseline = o.baseline ?? values[0]!;
  return { pairs: pairsByAxis(first.samples, o.by, baseline), what: `${o.by} (baseline ${o.by}=${baseline})` };
}

export function registerExplainCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description('why two configurations differ: IOPS next to host CPU per I/O by role, exits, IRQs and wakeups per I/O')
    .argument('<results>', 'results directory written by `run`')
    .argument('[other]', 'a second results directory: compare the same cells across the two runs')
    .option('--by <axis>', 'pair cells across this axis, equal on every other axis', 'ioeventfd')
    .option('--baseline <value>', 'the A side of --by (default: its first value in the run)')
    .option('--a <cellKey>', 'an explicit A cell (with --b)')
    .option('--b <cellKey>', 'an explicit B cell (with --a; from the second run when one is given)')
    .addOption(formatOption('explain'))
    .action(async (dir: string, other: string | undefined, options: ExplainOptions) => {
      try {
        const runs = [await loadRun(resolve(dir)), ...(other ? [await loadRun(resolve(other))] : [])];
        const { pairs, what } = choosePairs(runs, options);
        const explained = pairs.map(breakdownPair).filter((p): p is PairBreakdown => p !== null);
        process.stdout.write(options.format.render({ explained: what, pairs: explained }, { color: process.stdout.isTTY }));
        let code: number = ExitCode.Success;
        if (explained.length < pairs.length || pairs.length === 0) {
          const missing = pairs.length - explained.length;
          process.stderr.write(
            pairs.length === 0
              ? `warning: ${what}: no pair of cells to explain\n`
              : `warning: ${missing} of ${pairs.length} pair(s) have no ok sample with insight on one side (failed cells, or recorded by an older vblk-bench)\n`,
          );
          code = ExitCode.Partial;
        }
        if (warnIncompleteRuns(runs)) code = ExitCode.Partial;
        setExit(code);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
