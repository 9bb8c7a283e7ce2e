/**
 * Reads a profile file: YAML → plain data → zod. Every problem becomes one
 * `path: problem` line in an InputError (exit code 2), never a stack trace.
 */
import { basename, extname } from 'node:path';
import { LineCounter, parseDocument, type ErrorCode } from 'yaml';
import { InputError } from '../model/errors.js';
import { FileProblem, readRegularFile } from '../util/file-read.js';
import { ProfileSchema, type Profile } from './schema.js';
import { formatIssues } from './issues.js';
import { SAFE } from './patterns.js';
import { checkDiskAgainstHost } from './disk-checks.js';
import { adaptiveProblems } from './adaptive.js';
import { axisByName } from './axes.js';

/** Profiles are small; a huge file is a mistake (or an attack), not a profile. */
const MAX_PROFILE_BYTES = 1024 * 1024;
/** Alias expansion bound: defuses "billion laughs" YAML bombs. */
const MAX_ALIAS_COUNT = 100;
/**
 * What each YAML problem means, in our words: the parser's own messages
 * quote the text (a tag, an escape, a token), and the file may not be a
 * profile at all — `run --dry-run /etc/shadow` must not print a byte of it.
 */
const YAML_PROBLEMS: Record<ErrorCode, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias that is undefined or not allowed here',
  BAD_COLLECTION_TYPE: 'a tag that does not fit its collection',
  BAD_DIRECTIVE: 'a directive (%…) YAML does not know',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'inconsistent indentation',
  BAD_PROP_ORDER: 'an anchor or tag in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block value cannot be a key',
  BLOCK_IN_FLOW: 'a block value inside a flow collection ({…} or […])',
  DUPLICATE_KEY: 'a key given twice (keys must be unique)',
  IMPOSSIBLE: 'text YAML cannot parse',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a missing character (comma, colon, bracket or quote)',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line (a missing space after a colon?)',
  MULTIPLE_ANCHORS: 'more than one anchor on one value',
  MULTIPLE_DOCS: 'more than one YAML document (---)',
  MULTIPLE_TAGS: 'more than one tag on one value',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'too many alias expansions',
  TAB_AS_INDENT: 'a tab used for indentation (use spaces)',
  TAG_RESOLVE_FAILED: 'a tag YAML does not resolve (!!python/…, !!binary and other tags are not allowed)',
  UNEXPECTED_TOKEN: 'unexpected text',
};

/**
 * Parses YAML text into plain data. Syntax problems become one line: where
 * the first one is and what it is, and how many more there are (a file that
 * is not YAML has one per line, and one line is enough to say so).
 */
export function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, lineCounter });
  // Warnings (an unresolved tag such as !!python/object...) mean the text says something we do not understand.
  const problems = [...doc.errors, ...doc.warnings];
  const first = problems[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more YAML problem(s))` : '';
    throw new InputError(`${where}: ${YAML_PROBLEMS[first.code] ?? 'not valid YAML'}${more}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // toJS fails on alias expansion beyond the limit (a "billion laughs" document) and on aliases it cannot resolve.
    const message = (err as Error).message;
    if (/excessive alias/i.test(message))
      throw new InputError(`YAML: too many alias expansions (at most ${MAX_ALIAS_COUNT})`);
    throw new InputError(
      /alias/i.test(message) ? 'YAML: an alias whose anchor is not defined before it' : 'YAML: cannot be read as data',
    );
  }
}

/** Problem lines shown at most; the rest are counted. */
const MAX_PROBLEM_LINES = 10;

/** The first MAX_PROBLEM_LINES lines, then `(top level): and N more problem(s)`. */
export function capProblems(lines: readonly string[]): string[] {
  if (lines.length <= MAX_PROBLEM_LINES) return [...lines];
  return [...lines.slice(0, MAX_PROBLEM_LINES), `(top level): and ${lines.length - MAX_PROBLEM_LINES} more problem(s)`];
}

/**
 * Whether a parsed mapping looks like some other kind of file than `known`
 * describes: it has none of the `required` keys and most of its keys are
 * unknown. Such a file is refused in one line instead of one "unknown key"
 * line per key (which would echo the file key by key).
 */
export function looksLikeAnotherFile(data: unknown, known: readonly string[], required: string): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  if (keys.includes(required)) return false;
  return keys.filter((k) => !known.includes(k)).length * 2 > keys.length;
}

/** Validates already-parsed data. `fallbackName` names a profile that has no `name:`. */
export function validateProfile(data: unknown, fallbackName?: string): Profile {
  let input = data;
  if (input === null || input === undefined) throw new InputError('(top level): the profile is empty');
  const known = Object.keys(ProfileSchema.shape);
  if (looksLikeAnotherFile(input, known, 'matrix')) {
    const n = Object.keys(input as object).length;
    throw new InputError(
      `(top level): not a vblk-bench profile: no matrix, and most of its ${n} top-level key(s) are not profile keys (${known.join(', ')})`,
    );
  }
  if (fallbackName && typeof input === 'object' && !Array.isArray(input) && !('name' in input)) {
    input = { name: fallbackName, ...input };
  }
  const result = ProfileSchema.safeParse(input);
  if (!result.success) throw new InputError(capProblems(formatIssues(result.error.issues)));
  const adaptive = adaptiveProblems(result.data, (axis) => matrixValues(result.data, axis));
  if (adaptive.length > 0) throw new InputError(adaptive);
  return result.data;
}

/** The effective values one axis takes in the matrix (as cell keys write them); null when it is not listed. */
function matrixValues(profile: Profile, axis: string): string[] | null {
  const def = axisByName(axis);
  const entries = (profile.matrix as Record<string, { requested: unknown }[] | undefined>)[axis];
  if (!def || !entries) return null;
  return entries.map((e) => String(def.effective(e.requested as never).value));
}

/** Name a profile after its file when it does not name itself, if the file name is safe. */
export function nameFromPath(path: string): string | undefined {
  const name = basename(path, extname(path));
  return SAFE.name.test(name) ? name : undefined;
}

/** A profile file's text: a regular file (not a directory, FIFO or device) of at most MAX_PROFILE_BYTES. */
export async function readProfileText(path: string): Promise<string> {
  try {
    return await readRegularFile(path, MAX_PROFILE_BYTES);
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    const problem =
      err.problem === 'missing' ? 'no such file' : err.problem.replace(/ for this file$/, ' for a profile');
    throw new InputError(`${path}: ${problem}`, path);
  }
}

export async function loadProfile(path: string): Promise<Profile> {
  const text = await readProfileText(path);
  try {
    const profile = validateProfile(parseYaml(text), nameFromPath(path));
    const hostProblems = await checkDiskAgainstHost(profile);
    if (hostProblems.length > 0) throw new InputError(hostProblems);
    return profile;
  } catch (err) {
    if (err instanceof InputError)
      throw new InputError(
        err.lines.map((l) => (l.startsWith(path) ? l : `${path}: ${l}`)),
        path,
      );
    throw err;
  }
}
