/**
 * Reading a file that may be hostile: a regular file only, at most a given
 * size, never blocking on a FIFO, and problems as one line that names the
 * file but never quotes its content (the file may be a secret a reader was
 * tricked into opening). Results directories add confinement on top
 * (src/store/stored-file.ts); profiles and user-named inputs use this alone.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

/** A file name as a one-line message may show it (a name may hold a newline or an escape sequence). */
export function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** A file that cannot be used: `file` as the reader was given it, `problem` one line without content. */
export class FileProblem extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${printable(file)}: ${problem}`);
    this.name = 'FileProblem';
  }
}

export function errnoProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'missing';
    case 'ELOOP':
      return 'a symbolic link (not followed: results are read from regular files only)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'a directory, not a file';
    case 'ENOTDIR':
      return 'a path through something that is not a directory';
    default:
      return `cannot be read (${code ?? 'unknown error'})`;
  }
}

/** Opens `path` with `flags` and reads at most `maxBytes` of it; anything but a regular file is refused. */
export async function readOpened(path: string, flags: number, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, flags);
  } catch (err) {
    throw new FileProblem(path, errnoProblem(err));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileProblem(path, 'not a regular file');
    if (info.size > maxBytes)
      throw new FileProblem(path, `${info.size} bytes, more than the ${maxBytes} allowed for this file`);
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new FileProblem(path, `grew beyond ${maxBytes} bytes while being read`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The text of a file a user named (it may be a symbolic link: the user chose it); a regular file only. */
export async function readRegularFile(path: string, maxBytes: number): Promise<string> {
  const info = await stat(path).catch((err: unknown) => {
    throw new FileProblem(path, errnoProblem(err));
  });
  if (info.isDirectory()) throw new FileProblem(path, 'a directory, not a file');
  if (!info.isFile()) throw new FileProblem(path, 'not a regular file');
  return readOpened(path, constants.O_RDONLY | constants.O_NONBLOCK, maxBytes);
}

/** JSON text → value, or a problem line that never quotes the text (V8's messages do). */
export function parseJsonText(text: string, display: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message)?.[1];
    const why =
      text.trim() === ''
        ? 'empty'
        : /end of JSON input/.test(message)
          ? 'ends early (truncated?)'
          : at !== undefined
            ? `syntax error at character ${at}`
            : 'syntax error';
    throw new FileProblem(display, `not valid JSON: ${why}`);
  }
  if (nestsDeeperThan(value)) throw new FileProblem(display, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}
