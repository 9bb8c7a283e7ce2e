/**
 * The options of a benchmark script (`npm run bench:store`, `bench:db`):
 * node's own parseArgs, strict — an unknown option or a missing value is one
 * line and exit 2, `--help` prints the usage — so a mistyped option never
 * starts a long benchmark with its defaults.
 */
import { parseArgs } from 'node:util';

export interface ScriptOption {
  /** A flag takes no value. */
  kind: 'value' | 'flag';
  /** The value used when the option is absent (value options only). */
  fallback?: string;
  help: string;
}

export type ScriptOptions<T extends Record<string, ScriptOption>> = {
  [K in keyof T]: T[K]['kind'] extends 'flag' ? boolean : string;
};

function usage(name: string, summary: string, spec: Record<string, ScriptOption>): string {
  const lines = Object.entries(spec).map(([key, o]) => {
    const left = o.kind === 'flag' ? `--${key}` : `--${key} <value>`;
    const fallback = o.fallback !== undefined ? ` (default: ${o.fallback || 'none'})` : '';
    return `  ${left.padEnd(22)} ${o.help}${fallback}`;
  });
  return [`usage: ${name} [options]`, summary, '', ...lines, `  ${'--help'.padEnd(22)} this text`].join('\n');
}

/** The parsed options, or (on `--help` or a bad option) the process ends here. */
export function scriptOptions<T extends Record<string, ScriptOption>>(
  name: string,
  summary: string,
  spec: T,
  argv: string[] = process.argv.slice(2),
): ScriptOptions<T> {
  const options = Object.fromEntries([
    ...Object.entries(spec).map(([key, o]) => [key, { type: o.kind === 'flag' ? 'boolean' : 'string' }] as const),
    ['help', { type: 'boolean' }] as const,
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    console.error(`${name}: ${(e as Error).message.split('\n')[0]} (see --help)`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage(name, summary, spec));
    process.exit(0);
  }
  const out = Object.fromEntries(
    Object.entries(spec).map(([key, o]) => [
      key,
      o.kind === 'flag' ? values[key] === true : (values[key] ?? o.fallback ?? ''),
    ]),
  );
  return out as ScriptOptions<T>;
}
