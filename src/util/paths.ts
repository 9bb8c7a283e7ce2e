import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';

/** The package root (this file is compiled to dist/src/util/paths.js). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}
