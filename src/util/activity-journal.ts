/**
 * The harness's activity journal: a timestamp for everything the harness
 * did to a running guest — every QMP command sent and its reply, every SSH
 * exec, every chunk of channel data in either direction, every channel close
 * — plus marks that bound fio's run as the harness sees it (`fio-launch`,
 * `fio-end`, each with the Node process's CPU time then). It is the evidence
 * that nothing of the harness falls inside fio's measured window (the
 * default insight sampling, docs/insight.md) and what `npm run bench`
 * measures Node's CPU in cell windows from.
 *
 * Recording is a push onto an array (no I/O); the journal is written once,
 * when the boot ends (`boots/<id>/activity.jsonl`).
 */
import { performance } from 'node:perf_hooks';

export type ActivityKind =
  | 'qmp-send'
  | 'qmp-reply'
  | 'ssh-exec'
  | 'ssh-stdin'
  | 'ssh-stdout'
  | 'ssh-stderr'
  | 'ssh-close'
  | 'fio-launch'
  | 'fio-end';

export interface ActivityEvent {
  /** Wall-clock ms (performance.timeOrigin + performance.now(): monotonic within one process). */
  t: number;
  kind: ActivityKind;
  /** The QMP command, the channel's command (shortened), or the cell and repetition of a mark. */
  what: string;
  /** Marks only: the Node process's user + system CPU time, µs (process.cpuUsage). */
  cpuUs?: number;
}

/** A journal holds at most this many events; more are counted, not kept (a boot serving thousands of cells). */
export const MAX_JOURNAL_EVENTS = 200_000;

export const nowMs = (): number => performance.timeOrigin + performance.now();

export class ActivityJournal {
  readonly events: ActivityEvent[] = [];
  dropped = 0;

  record(kind: ActivityKind, what: string): void {
    this.push({ t: nowMs(), kind, what });
  }

  /** A mark of fio's run, with Node's CPU time at that instant. */
  mark(kind: 'fio-launch' | 'fio-end', what: string): void {
    const cpu = process.cpuUsage();
    this.push({ t: nowMs(), kind, what, cpuUs: cpu.user + cpu.system });
  }

  /** JSON lines, one event each, oldest first; a last line says how many were dropped. */
  toJsonLines(): string {
    const lines = this.events.map((e) => JSON.stringify(e));
    if (this.dropped > 0) lines.push(JSON.stringify({ dropped: this.dropped }));
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  private push(e: ActivityEvent): void {
    if (this.events.length >= MAX_JOURNAL_EVENTS) this.dropped++;
    else this.events.push(e);
  }
}

/** The file a boot's journal is written to, inside its boot directory. */
export const ACTIVITY_FILE = 'activity.jsonl';

export interface FioSpan {
  /** The mark's `what` (cell key and repetition). */
  what: string;
  launch: ActivityEvent;
  end: ActivityEvent;
  /** Harness events strictly between launch and end. */
  inside: ActivityEvent[];
}

/**
 * fio's runs in a journal: each `fio-launch` with the next `fio-end` of the
 * same `what`, and every other event strictly between them. Pure.
 */
export function fioSpans(events: readonly ActivityEvent[]): FioSpan[] {
  const spans: FioSpan[] = [];
  events.forEach((launch, i) => {
    if (launch.kind !== 'fio-launch') return;
    const j = events.findIndex((e, k) => k > i && e.kind === 'fio-end' && e.what === launch.what);
    if (j < 0) return;
    const end = events[j]!;
    const inside = events.filter(
      (e, k) => k !== i && k !== j && e.kind !== 'fio-launch' && e.kind !== 'fio-end' && e.t > launch.t && e.t < end.t,
    );
    spans.push({ what: launch.what, launch, end, inside });
  });
  return spans;
}

/** Events of a journal file's text (the `dropped` line and blank lines skipped). */
export function parseActivityJournal(text: string): ActivityEvent[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ActivityEvent & { dropped?: number })
    .filter((e) => e.dropped === undefined && typeof e.t === 'number' && typeof e.kind === 'string');
}
