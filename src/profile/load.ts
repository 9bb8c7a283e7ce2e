/**
 * Reads a profile file: YAML → plain data → zod. Every problem becomes one
 * `path: problem` line in an InputError (exit code 2), never a stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../model/errors.js';
import { ProfileSchema, type Profile } from './schema.js';
import { formatIssues } from './issues.js';
import { SAFE } from './patterns.js';
import { checkDiskAgainstHost } from './disk-checks.js';

/** Profiles are small; a huge file is a mistake (or an attack), not a profile. */
const MAX_PROFILE_BYTES = 1024 * 1024;
/** Alias expansion bound: defuses "billion laughs" YAML bombs. */
const MAX_ALIAS_COUNT = 100;
/** YAML syntax problems shown at most. */
const MAX_PROBLEM_LINES = 20;

/** Parses YAML text into plain data; syntax errors become `line:col: problem` lines. */
export function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, lineCounter });
  const problems = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
    return `${where}: ${e.message.split('\n')[0]}`;
  });
  // A pathological file (e.g. thousands of nested levels) can produce one error per line: the first ones say it.
  // Warnings (an unresolved tag such as !!python/object...) mean the text says something we do not understand.
  if (problems.length > 0) throw new InputError(problems.length > MAX_PROBLEM_LINES ? [...problems.slice(0, MAX_PROBLEM_LINES), `YAML: ${problems.length - MAX_PROBLEM_LINES} more problem(s) not shown`] : problems);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new InputError(`YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Validates already-parsed data. `fallbackName` names a profile that has no `name:`. */
export function validateProfile(data: unknown, fallbackName?: string): Profile {
  let input = data;
  if (input === null || input === undefined) throw new InputError('(top level): the profile is empty');
  if (fallbackName && typeof input === 'object' && !Array.isArray(input) && !('name' in input)) {
    input = { name: fallbackName, ...input };
  }
  const result = ProfileSchema.safeParse(input);
  if (!result.success) throw new InputError(formatIssues(result.error.issues));
  return result.data;
}

/** Name a profile after its file when it does not name itself, if the file name is safe. */
export function nameFromPath(path: string): string | undefined {
  const name = basename(path, extname(path));
  return SAFE.name.test(name) ? name : undefined;
}

export async function loadProfile(path: string): Promise<Profile> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path}: not a file`);
    if (info.size > MAX_PROFILE_BYTES) throw new InputError(`${path}: ${info.size} bytes is too large for a profile (max ${MAX_PROFILE_BYTES})`);
    const text = await readFile(path, 'utf8');
    const profile = validateProfile(parseYaml(text), nameFromPath(path));
    const hostProblems = await checkDiskAgainstHost(profile);
    if (hostProblems.length > 0) throw new InputError(hostProblems);
    return profile;
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.lines.map((l) => (l.startsWith(path) ? l : `${path}: ${l}`)), path);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`, path);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`, path);
    throw err;
  }
}
