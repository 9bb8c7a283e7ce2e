/** `vblk-bench merge <dirs...> -o <dir>`: the shards of one matrix → one results directory (fingerprint/merge.ts). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode } from '../../model/exit-codes.js';
import { mergeRuns } from '../../fingerprint/merge.js';
import { reportError } from '../errors.js';
import { warnStoredDiagnostics } from '../run-status.js';

export function registerMergeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description(
      'merge results directories of one profile and environment (e.g. the shards of `run --shard i/n`) into one',
    )
    .argument('<dirs...>', 'results directories')
    .requiredOption('-o, --out <dir>', 'the merged results directory (must not exist yet)')
    .action(async (dirs: string[], options: { out: string }) => {
      try {
        const merged = await mergeRuns(dirs, resolve(options.out));
        warnStoredDiagnostics(merged.dir, merged.diagnostics);
        process.stdout.write(`merged ${dirs.length} run(s), ${merged.samples} sample(s): ${merged.dir}\n`);
        setExit(merged.complete && merged.diagnostics.length === 0 ? ExitCode.Success : ExitCode.Partial);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
