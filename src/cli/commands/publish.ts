/**
 * `vblk-bench publish <results...>`: stored runs into the shared PostgreSQL
 * database (connection string from $VBLK_BENCH_DB or --db-file). Publishing
 * twice changes nothing; a run whose content changed (resumed) replaces its
 * published copy. Exit 0 when every run was published or already was, 3
 * when a run could not be read (the others are published), 2 for bad input
 * or a database that cannot be reached.
 */
import type { Command } from 'commander';
import { ExitCode } from '../../model/exit-codes.js';
import { dbSource } from '../../store/pg/connection.js';
import { publishResults } from '../../fingerprint/publish.js';
import { reportError } from '../errors.js';

export function registerPublishCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('publish')
    .description('publish stored runs to the shared PostgreSQL database ($VBLK_BENCH_DB or --db-file)')
    .argument('<results...>', 'results directories, or directories of them')
    .option('--db-file <file>', 'read the connection string from this file (mode 0600) instead of $VBLK_BENCH_DB')
    .option('-q, --quiet', 'no line per run')
    .action(async (paths: string[], options: { dbFile?: string; quiet?: boolean }) => {
      try {
        const source = await dbSource({ dbFile: options.dbFile });
        const results = await publishResults(paths, source, (line) => {
          if (!options.quiet) process.stderr.write(`${line}\n`);
        });
        const count = (o: string) => results.filter((r) => 'outcome' in r && r.outcome === o).length;
        const skipped = results.filter((r) => 'error' in r).length;
        process.stderr.write(
          `publish: ${count('inserted')} inserted, ${count('replaced')} replaced, ${count('unchanged')} unchanged${skipped ? `, ${skipped} unreadable (skipped)` : ''}\n`,
        );
        setExit(skipped ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
