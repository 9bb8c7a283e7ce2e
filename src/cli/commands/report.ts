/** `vblk-bench report <results dir>`: re-render a stored run (the stored samples are the only input). */
import type { Command } from 'commander';
import { loadRun } from '../../store/run-reader.js';
import { buildIopsMatrix } from '../../report/iops-matrix.js';
import { renderTerminalTable } from '../../report/terminal-table.js';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { reportError } from '../errors.js';

const FORMATS = ['table', 'json'] as const;

export function registerReportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render a stored results directory')
    .argument('<results>', 'results directory written by `run`')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('--metric <name>', 'metric to tabulate', 'iops')
    .action(async (dir: string, options: { format: string; metric: string }) => {
      try {
        if (!(FORMATS as readonly string[]).includes(options.format)) {
          throw new InputError(`--format: expected one of ${FORMATS.join(', ')}, got ${options.format}`);
        }
        const run = await loadRun(dir);
        const matrix = buildIopsMatrix(run.samples, { metric: options.metric });
        if (options.format === 'json') process.stdout.write(JSON.stringify({ manifest: run.manifest, matrix }, null, 2) + '\n');
        else process.stdout.write(renderTerminalTable(matrix, { color: process.stdout.isTTY }) + '\n');
        if (run.manifest.status !== 'complete') process.stderr.write(`warning: ${dir} is ${run.manifest.status}: ${run.manifest.stopReason ?? ''}\n`);
        setExit(run.manifest.status === 'complete' ? ExitCode.Success : ExitCode.Partial);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
