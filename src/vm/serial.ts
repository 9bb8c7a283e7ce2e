/**
 * The guest's serial console goes to a file (`-serial file:`); boot progress
 * is read from there.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStepError } from '../model/errors.js';

export interface SerialWaitOptions {
  timeoutMs: number;
  /** Settles when QEMU exits: waiting stops then. */
  exited?: Promise<unknown>;
  /** Default 100 ms. */
  pollMs?: number;
  /** Lines of the log attached to errors. Default 20. */
  tail?: number;
}

/** Reads new bytes of a growing file; a missing file reads as empty. */
async function readFrom(path: string, offset: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Resolves with the ms elapsed until `marker` appears in the log. Rejects
 * (RunStepError 'boot', details = the log's last lines) on timeout or when
 * QEMU exits first. Use a fresh log path per boot (or delete the old file
 * before starting QEMU): QEMU truncates the file when it opens it, which may
 * happen after the first poll here.
 */
export async function waitForSerialMarker(path: string, marker: string, opts: SerialWaitOptions): Promise<number> {
  if (marker === '') throw new Error('waitForSerialMarker: empty marker');
  const started = Date.now();
  let exit: { value: unknown } | undefined;
  opts.exited?.then(
    (value) => (exit ??= { value }),
    (value) => (exit ??= { value }),
  );
  const decoder = new StringDecoder('utf8');
  let offset = 0;
  let carry = ''; // end of the previous read, so a marker split across reads is found
  for (;;) {
    const exitedBeforeRead = exit !== undefined;
    const chunk = await readFrom(path, offset);
    offset += chunk.length;
    const text = carry + decoder.write(chunk);
    if (text.includes(marker)) return Date.now() - started;
    carry = marker.length > 1 ? text.slice(-(marker.length - 1)) : '';
    const elapsed = Date.now() - started;
    if (exitedBeforeRead) {
      throw new RunStepError(
        `QEMU exited (${describeExit(exit?.value)}) before the serial console showed "${marker}"`,
        'boot',
        await tailLines(path, opts.tail ?? 20),
      );
    }
    if (elapsed >= opts.timeoutMs) {
      throw new RunStepError(
        `the serial console did not show "${marker}" within ${opts.timeoutMs} ms`,
        'boot',
        await tailLines(path, opts.tail ?? 20),
      );
    }
    await sleep(Math.min(opts.pollMs ?? 100, Math.max(1, opts.timeoutMs - elapsed)));
  }
}

function describeExit(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const v = value as { code?: unknown; signal?: unknown };
    if (v.signal) return `signal ${String(v.signal)}`;
    if (v.code !== undefined && v.code !== null) return `exit code ${String(v.code)}`;
  }
  return 'exited';
}

/** The last `n` lines of a text file (missing file: none). Reads at most the last 256 KiB. */
export async function tailLines(path: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const window = 256 * 1024;
  const start = Math.max(0, size - window);
  const text = (await readFrom(path, start)).toString('utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (start > 0) lines.shift(); // probably a partial line
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n);
}
