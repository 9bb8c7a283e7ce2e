/**
 * `vblk-bench baseline save <results-dir> -o baseline.json`: freezes a run —
 * manifest, environment, profile, plan and every sample — into one file that
 * `gate --baseline` and `compare` accept in place of the directory (e.g. kept
 * as a CI artifact or in the repository).
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode } from '../../model/exit-codes.js';
import { writeJsonAtomic } from '../../util/atomic-file.js';
import { freezeRun } from '../../fingerprint/result-set.js';
import { reportError } from '../errors.js';
import { warnIncompleteRuns } from '../run-status.js';
import { diagnosticLines } from '../../model/diagnostic.js';

export function registerBaselineCommand(program: Command, setExit: (code: number) => void): void {
  const baseline = program.command('baseline').description('freeze results as a baseline file for `gate`');
  baseline
    .command('save')
    .description('write a results directory (manifest, environment, profile, plan, samples) as one baseline file')
    .argument('<results>', 'results directory written by `run`')
    .requiredOption('-o, --output <file>', 'baseline file to write')
    .action(async (dir: string, options: { output: string }) => {
      try {
        const { file: frozen, run } = await freezeRun(dir);
        await writeJsonAtomic(resolve(options.output), frozen);
        const ok = frozen.samples.filter((s) => s.status === 'ok').length;
        process.stderr.write(
          `baseline: ${options.output} (${frozen.samples.length} samples, ${ok} ok, run ${frozen.manifest.status})\n`,
        );
        // Missing or skipped data goes into the baseline as missing: a gate against it is inconclusive, and so is this exit.
        const notWhole = warnIncompleteRuns([run]);
        if (notWhole)
          for (const line of diagnosticLines({ kind: 'BaselineNotWhole', dir })) process.stderr.write(`${line}\n`);
        setExit(notWhole ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
  baseline.exitOverride();
}
