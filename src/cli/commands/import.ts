/** `vblk-bench import <fio JSON files...>`: fio output produced elsewhere → a results directory (store/import.ts). */
import type { Command } from 'commander';
import { ExitCode } from '../../model/exit-codes.js';
import { importFiles, type ImportOptions } from '../../store/import.js';
import { reportError } from '../errors.js';
import { diagnosticBlock, type Diagnostic } from '../../model/diagnostic.js';

export function registerImportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('import')
    .description('turn fio JSON output produced elsewhere into a results directory (for report, compare, gate)')
    .argument('<files...>', 'fio --output-format=json output files (fio 2.x or 3.x)')
    .option(
      '-l, --label <axis=value>',
      'a configuration label for every file (repeatable), e.g. ioeventfd=off',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-m, --map <mapping.yaml>', 'labels per file by glob (see docs/reports.md)')
    .option('--name <name>', 'profile name of the imported run (default: the mapping\'s, else "imported")')
    .option('--accel <kvm|tcg>', 'what the measurements ran under (fio does not record it; default kvm)')
    .option('-o, --out <dir>', 'parent directory of the results directory', 'results')
    .action(async (files: string[], options: ImportOptions) => {
      try {
        const r = await importFiles(files, options);
        for (const line of diagnosticBlock(r.failed.map((file): Diagnostic => ({ kind: 'ImportFileSkipped', file }))))
          process.stderr.write(`${line}\n`);
        process.stdout.write(`imported ${r.imported} file(s): ${r.dir}\n`);
        setExit(r.failed.length ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
