/** `--db` and `--db-file <file>`: the PostgreSQL database as a source (docs/sharing-results.md). */
import type { Command } from 'commander';
import { DB_ENV, dbSource, type DbSource } from '../store/pg/connection.js';

export interface DbOptions {
  db?: boolean;
  dbFile?: string;
}

export function addDbOptions(command: Command, what: string): Command {
  return command
    .option('--db', `${what} from the PostgreSQL database named by $${DB_ENV}`)
    .option(
      '--db-file <file>',
      `like --db, the connection string read from this file (mode 0600) instead of $${DB_ENV}`,
    );
}

/** The database to read when `--db` or `--db-file` is given, else null. */
export async function dbSourceOf(options: DbOptions): Promise<DbSource | null> {
  if (!options.db && options.dbFile === undefined) return null;
  return dbSource({ dbFile: options.dbFile });
}
