/**
 * The one way in for every file vblk-bench reads back: a results directory's
 * files (run.json, samples, raw fio JSON, boots/…), and the files a user
 * names (baseline and calibration files, import inputs, mapping files).
 *
 * Inside a results directory only regular files are read: a symbolic link
 * (or a directory reached through one) is refused, and a path taken from a
 * stored record must stay inside the directory (no `..`, not absolute). The
 * results directory itself may be a symbolic link (`results/latest`). Every
 * file has a size cap, a JSON document may nest at most MAX_JSON_DEPTH
 * levels, and it must match its schema (src/model/schemas/). A problem is
 * one line naming the file and the field — never the file's content, which
 * may be a secret the reader was tricked into opening.
 */
import { constants, type Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import { FileProblem, errnoProblem, parseJsonText, readOpened, readRegularFile } from '../util/file-read.js';

export { FileProblem };

const KiB = 1024;
const MiB = 1024 * KiB;

/** Size caps, far above what vblk-bench writes (a sample is ~8 KiB, a raw fio document ~6 KiB, a 100 000-cell plan ~60 MiB). */
export const MAX_FILE_BYTES = {
  manifest: 4 * MiB,
  profile: 4 * MiB,
  environment: 4 * MiB,
  plan: 128 * MiB,
  sample: 4 * MiB,
  /** Every sample of a run without insight (~1.5 KiB each): a 100 000-sample plan is ~150 MiB. */
  summary: 512 * MiB,
  rawFio: 64 * MiB,
  reference: 4 * MiB,
  boot: 4 * MiB,
  /** serial.log, qemu.stderr.log, argv: a chatty kernel console over a long visit. */
  bootLog: 256 * MiB,
  baseline: 512 * MiB,
  calibration: 64 * MiB,
  adaptive: 16 * MiB,
  fioInput: 64 * MiB,
  mapping: 1 * MiB,
  /** traces/<cell>/latency.json: layer stats, checks and two request timelines (~20 KiB). */
  latency: 16 * MiB,
  /** traces/<cell>/failed.json: a cell key and one line. */
  traceFailure: 64 * 1024,
} as const;

/** Why `rel` cannot name a file inside a results directory, or null. */
export function relativePathProblem(rel: string): string | null {
  if (rel.length === 0 || rel.length > 4096 || rel.includes('\0')) return 'not a file name';
  if (isAbsolute(rel)) return 'an absolute path (stored paths are relative to the results directory)';
  if (rel.split('/').some((part) => part === '' || part === '.' || part === '..'))
    return 'leaves the results directory (.. or empty path segments)';
  return null;
}

/** Each directory between `root` and `rel`'s file must be a real directory, not a symbolic link to one. */
async function checkDirectories(root: string, rel: string, display: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    const info = await lstat(join(root, sub)).catch((err: unknown) => {
      throw new FileProblem(display, errnoProblem(err));
    });
    if (info.isSymbolicLink())
      throw new FileProblem(display, `reached through the symbolic link ${sub}/ (not followed)`);
    if (!info.isDirectory()) throw new FileProblem(display, `${sub} is not a directory`);
  }
}

/** The text of the regular file `rel` inside `root`; FileProblem otherwise. */
export async function readTextUnder(root: string, rel: string, maxBytes: number): Promise<string> {
  const display = join(root, rel);
  const problem = relativePathProblem(rel);
  if (problem) throw new FileProblem(display, problem);
  await checkDirectories(root, rel, display);
  return readOpened(display, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK, maxBytes);
}

/** A path segment as a problem line may show it: short, printable. */
function showKey(key: PropertyKey): string {
  const text = String(key).replace(/[^\x20-\x7e]/g, '?');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${showKey(part)}` : showKey(part);
  return out || '(top level)';
}

/** zod issues as one line: `field: problem; field: problem; and N more`. zod's messages name types, never values. */
function schemaProblem(issues: readonly z.core.$ZodIssue[], shown = 3): string {
  // `input` is looked at only to tell a missing field from a wrong one; it is never shown.
  const message = (i: z.core.$ZodIssue) =>
    i.code === 'invalid_type' && 'input' in i && i.input === undefined
      ? 'missing'
      : i.message.replace(/^Invalid input: /, '');
  const lines = issues.slice(0, shown).map((i) => `${fieldPath(i.path)}: ${message(i)}`);
  return issues.length > shown ? `${lines.join('; ')}; and ${issues.length - shown} more` : lines.join('; ');
}

/** A parsed value checked against its schema; the schema's output (loose objects keep unknown fields). */
export function checkSchema<S extends z.ZodType>(schema: S, value: unknown, display: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new FileProblem(display, schemaProblem(result.error.issues));
  return result.data;
}

/** A JSON file inside a results directory, read, parsed and validated. */
export async function readJsonUnder<S extends z.ZodType>(
  root: string,
  rel: string,
  schema: S,
  maxBytes: number,
): Promise<z.output<S>> {
  const display = join(root, rel);
  return checkSchema(schema, parseJsonText(await readTextUnder(root, rel, maxBytes), display), display);
}

/** A JSON file a user named, read, parsed and validated. */
export async function readNamedJson<S extends z.ZodType>(
  path: string,
  schema: S,
  maxBytes: number,
): Promise<z.output<S>> {
  return checkSchema(schema, parseJsonText(await readRegularFile(path, maxBytes), path), path);
}

export interface DirectoryListing {
  /** Regular files, sorted by name. */
  files: string[];
  /** Entries that are not regular files (symbolic links, directories, devices), with why they are skipped. */
  skipped: { name: string; problem: string }[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The entries of the real directory `rel` of `root`: none when it does not exist, FileProblem when it is a link or no directory. */
async function realDirectoryEntries(root: string, rel: string): Promise<Dirent[]> {
  const display = join(root, rel);
  const problem = relativePathProblem(rel);
  if (problem) throw new FileProblem(display, problem);
  const info = await lstat(display).catch(() => null);
  if (info === null) return [];
  if (info.isSymbolicLink())
    throw new FileProblem(display, 'a symbolic link (not followed: results are read from a real directory only)');
  if (!info.isDirectory()) throw new FileProblem(display, 'not a directory');
  return readdir(display, { withFileTypes: true });
}

/** Names in the real directory `rel` of `root` (none when it does not exist); what is not a regular file is listed apart. */
export async function listFilesUnder(root: string, rel: string): Promise<DirectoryListing> {
  const entries = await realDirectoryEntries(root, rel);
  const files: string[] = [];
  const skipped: DirectoryListing['skipped'] = [];
  for (const e of entries) {
    if (e.isFile()) files.push(e.name);
    else
      skipped.push({
        name: e.name,
        problem: e.isSymbolicLink()
          ? 'a symbolic link (not followed)'
          : e.isDirectory()
            ? 'a directory'
            : 'not a regular file',
      });
  }
  return { files: files.sort(byName), skipped: skipped.sort((a, b) => byName(a.name, b.name)) };
}

/** Subdirectories of the real directory `rel` of `root` (none when it does not exist); every other entry is listed apart. */
export async function listDirectoriesUnder(
  root: string,
  rel: string,
): Promise<{ directories: string[]; skipped: DirectoryListing['skipped'] }> {
  const entries = await realDirectoryEntries(root, rel);
  return {
    directories: entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(byName),
    skipped: entries
      .filter((e) => !e.isDirectory())
      .map((e) => ({
        name: e.name,
        problem: e.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a directory',
      }))
      .sort((a, b) => byName(a.name, b.name)),
  };
}

/**
 * A writer's check of its own output against the schema its reader uses
 * (the round trip): a record the reader would refuse is a bug of the
 * writer, reported before anything is written.
 */
export function checkOwnOutput<S extends z.ZodType>(schema: S, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new Error(
      `vblk-bench was about to store ${what} that its own reader would refuse: ${schemaProblem(result.error.issues)}`,
    );
}
