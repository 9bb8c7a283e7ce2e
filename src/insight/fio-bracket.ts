/**
 * The guest side of the default insight sampling (`outside-window`), pure
 * part: one constant shell script that brackets fio with two guest
 * snapshots inside the same SSH exec, and the parser of what it prints.
 *
 * The script takes the first snapshot, says `@@vblk-ready` and waits for a
 * line on stdin: the host reads its own counters and QMP then, and answers.
 * Only then does fio start — in the background, its output to files, so the
 * channel stays silent while it runs and no process of the harness starts in
 * the guest. When fio has exited the script says `@@vblk-fio-exit <status>`
 * and waits again (the host reads its counters, answers), takes the second
 * snapshot and prints fio's output. So the host's interval lies inside the
 * guest's, and both hold fio's whole run and nothing of the harness's.
 *
 * The disk name and fio's argv are arguments (`sh -c SCRIPT sh <dev> fio …`),
 * never interpolated. fio's exit status is its own (127: not found).
 */
import { GUEST_SNAPSHOT_LINES } from './guest-parse.js';

export const READY_MARKER = '@@vblk-ready';
export const EXIT_MARKER = '@@vblk-fio-exit';
export const OUTPUT_MARKER = '@@vblk-fio-stdout';
/** The script's own exit status when its stdin closed before the host answered (fio never started). */
export const NO_GO_STATUS = 96;

export const FIO_BRACKET_SCRIPT = [
  'd="$1"; shift',
  'o="/tmp/vblk-fio.$$.out"; e="/tmp/vblk-fio.$$.err"; p=',
  // A TERM from the host (a timed-out command) must stop fio, not only this shell.
  `trap '[ -n "$p" ] && kill -TERM "$p" 2>/dev/null' TERM HUP INT`,
  'snap() {',
  ...GUEST_SNAPSHOT_LINES.map((l) => `  ${l}`),
  '}',
  'snap 2>/dev/null',
  `echo ${READY_MARKER}`,
  `read -r go || exit ${NO_GO_STATUS}`,
  '"$@" >"$o" 2>"$e" </dev/null &',
  'p=$!',
  'wait "$p"; rc=$?',
  // wait returns early when a trapped signal arrives; fio's status comes with the wait that reaps it.
  'while kill -0 "$p" 2>/dev/null; do wait "$p"; rc=$?; done',
  `echo "${EXIT_MARKER} $rc"`,
  'read -r ack',
  'snap 2>/dev/null',
  `echo ${OUTPUT_MARKER}`,
  'cat "$o"; cat "$e" >&2; rm -f "$o" "$e"',
  'exit "$rc"',
].join('\n');

/** The argv of one bracketed fio run (the session quotes it). */
export function bracketedFioArgv(device: string, fioArgv: readonly string[]): string[] {
  return ['sh', '-c', FIO_BRACKET_SCRIPT, 'sh', device, ...fioArgv];
}

export interface BracketOutput {
  /** The guest snapshot before fio (GUEST_SNAPSHOT_LINES' sections), '' when absent. */
  before: string;
  /** fio's exit status as the script saw it; null when fio never ran or the script was cut short. */
  fioStatus: number | null;
  after: string;
  /** fio's own stdout. */
  fioStdout: string;
}

/** Where a marker line starts in `text` (at the start or after a newline), or -1. */
export function markerAt(text: string, marker: string, from = 0): number {
  if (text.startsWith(marker, from) && (from === 0 || text[from - 1] === '\n')) return from;
  const i = text.indexOf(`\n${marker}`, Math.max(0, from - 1));
  return i < 0 ? -1 : i + 1;
}

/** The parts of the script's stdout. A missing part is empty (the caller says what that means). */
export function splitBracketOutput(stdout: string): BracketOutput {
  const ready = markerAt(stdout, READY_MARKER);
  const before = ready < 0 ? stdout : stdout.slice(0, ready);
  const exit = ready < 0 ? -1 : markerAt(stdout, EXIT_MARKER, ready);
  if (exit < 0) return { before: ready < 0 ? '' : before, fioStatus: null, after: '', fioStdout: '' };
  const exitLineEnd = stdout.indexOf('\n', exit);
  const exitLine = stdout.slice(exit, exitLineEnd < 0 ? undefined : exitLineEnd);
  const status = /^\S+ (\d+)$/.exec(exitLine.trim());
  const rest = exitLineEnd < 0 ? '' : stdout.slice(exitLineEnd + 1);
  const out = markerAt(rest, OUTPUT_MARKER);
  const after = out < 0 ? rest : rest.slice(0, out);
  const outLineEnd = out < 0 ? -1 : rest.indexOf('\n', out);
  const fioStdout = outLineEnd < 0 ? '' : rest.slice(outLineEnd + 1);
  return { before, fioStatus: status ? Number(status[1]) : null, after, fioStdout };
}
