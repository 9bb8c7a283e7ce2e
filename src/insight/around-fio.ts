/**
 * The default insight sampling (`outside-window`): counters read before fio
 * starts and after it ends, never while it runs. One SSH exec carries the
 * whole dialogue (fio-bracket.ts): the guest snapshots its counters, says it
 * is ready and waits; the host reads its own counters (threads, QMP block and
 * exit counters) and answers; fio runs with nothing of the harness beside it
 * — no guest process started, no SSH byte, no QMP command — and when it has
 * exited the host reads again before the guest's second snapshot.
 *
 * The interval is fio's whole run (start-up, ramp, measured phase, exit):
 * the host's is inside the guest's, both hold every I/O fio issued, so
 * per-I/O figures divide counters and I/Os of the same interval.
 */
import type { ActivityJournal } from '../util/activity-journal.js';
import type { ExecResult } from '../guest/remote-command.js';
import type { GuestRunner } from '../guest/ssh-session.js';
import type { Part, Snapshot } from './build.js';
import { EXIT_MARKER, READY_MARKER, bracketedFioArgv, markerAt, splitBracketOutput } from './fio-bracket.js';
import { parseGuestSnapshot } from './guest-parse.js';
import type { Clock, WindowOutcome } from './window.js';

export type HostSnapshot = Omit<Snapshot, 'guest'>;

export interface AroundFioRequest {
  session: GuestRunner;
  device: string;
  fioArgv: readonly string[];
  timeoutMs: number;
  /** Reads the host's counters (never the guest). */
  hostSnapshot: () => Promise<HostSnapshot>;
  clock: Clock;
  journal?: ActivityJournal;
  /** Names the run in the journal's marks (cell key and repetition). */
  what: string;
}

function guestPart(text: string, when: string): Part<ReturnType<typeof parseGuestSnapshot>> {
  try {
    return { ok: true, value: parseGuestSnapshot(text) };
  } catch (err) {
    return { ok: false, error: `${when}: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Runs fio bracketed; fio's own result (stdout, status) comes back as if it had run alone. */
export async function runAroundFio(
  req: AroundFioRequest,
): Promise<{ result: ExecResult; window: WindowOutcome<Snapshot> }> {
  const { clock, journal } = req;
  let seen = '';
  let readyAt = -1;
  let before: Promise<HostSnapshot> | undefined;
  let after: Promise<HostSnapshot> | undefined;
  const t0 = clock.now();
  const onStdout = (chunk: Buffer, writeStdin: (text: string) => void): void => {
    if (after) return;
    seen += chunk.toString('latin1');
    if (!before && (readyAt = markerAt(seen, READY_MARKER)) >= 0) {
      before = req.hostSnapshot().finally(() => {
        writeStdin('go\n');
        journal?.mark('fio-launch', req.what);
      });
    } else if (before && markerAt(seen, EXIT_MARKER, readyAt) >= 0) {
      journal?.mark('fio-end', req.what);
      after = req.hostSnapshot().finally(() => writeStdin('ok\n'));
    }
  };
  const raw = await req.session.exec(bracketedFioArgv(req.device, req.fioArgv), {
    timeoutMs: req.timeoutMs,
    onStdout,
  });
  const h0 = await before;
  const h1 = await after;
  const parts = splitBracketOutput(raw.stdout);
  const result: ExecResult = {
    stdout: parts.fioStdout,
    stderr: raw.stderr,
    code: parts.fioStatus ?? raw.code,
    ...(raw.signal !== undefined ? { signal: raw.signal } : {}),
  };
  if (parts.fioStatus === null) {
    result.stderr += `${result.stderr.endsWith('\n') || result.stderr === '' ? '' : '\n'}the script around fio ended before fio did (status ${raw.code ?? raw.signal})\n`;
    return { result, window: { ok: false, reason: 'fio did not run to its end inside the bracketing script' } };
  }
  if (!h0 || !h1) return { result, window: { ok: false, reason: 'the host did not see both of the guest marks' } };
  const window: WindowOutcome<Snapshot> = {
    ok: true,
    before: { ...h0, guest: guestPart(parts.before, 'before fio') },
    after: { ...h1, guest: guestPart(parts.after, 'after fio') },
    ioStartMs: null,
    startMs: h0.atMs - t0,
    endMs: h1.atMs - t0,
  };
  return { result, window };
}
