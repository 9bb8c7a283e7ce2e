import { createRequire } from 'node:module';

/** The package version, read once from package.json (three levels above dist/src/util). */
const require = createRequire(import.meta.url);
export const TOOL_VERSION: string = (require('../../../package.json') as { version: string }).version;
