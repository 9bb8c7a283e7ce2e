import { createRequire } from 'node:module';

/** The package version, read once from package.json (two levels above dist/src/cli). */
const require = createRequire(import.meta.url);
export const TOOL_VERSION: string = (require('../../../package.json') as { version: string }).version;
