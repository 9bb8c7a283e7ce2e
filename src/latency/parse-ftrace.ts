/**
 * Guest ftrace text (`/sys/kernel/tracing/trace`, Linux 6.1, function tracer
 * plus events):
 *
 *   fio-146     [001] .....    10.353460: block_rq_issue: 254,0 R 4096 () 0 + 8 [fio]
 *   fio-146     [001] .....    10.354033: vp_notify <-virtqueue_notify
 *   <idle>-0    [000] dNH1.     8.519233: irq_handler_entry: irq=25 name=virtio1-req.0
 *
 * task-pid, [cpu], flags, seconds.microseconds (the trace_clock chosen at
 * setup; text output has 1 µs resolution), then `event: details` or
 * `function <-caller`. Pure.
 */

export interface FtraceEvent {
  task: string;
  pid: number;
  cpu: number;
  tUs: number;
  /** Event name (block_rq_issue) or traced function (vp_notify). */
  name: string;
  kind: 'event' | 'function';
  /** The event's details, or the caller of a traced function. */
  detail: string;
}

export interface ParsedFtrace {
  events: FtraceEvent[];
  /** From the header: entries still in the buffer and entries written (they differ when events were lost). */
  entriesInBuffer?: number;
  entriesWritten?: number;
  /** Lines that were neither header nor events (e.g. `CPU:1 [LOST 12 EVENTS]`). */
  skipped: string[];
}

const EVENT = /^\s*(.+)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+)\.(\d{6}):\s(\w+)(:)?\s?(.*)$/;
const ENTRIES = /^# entries-in-buffer\/entries-written: (\d+)\/(\d+)/;

export function parseFtrace(text: string): ParsedFtrace {
  const out: ParsedFtrace = { events: [], skipped: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const e = ENTRIES.exec(line);
      if (e) {
        out.entriesInBuffer = Number(e[1]);
        out.entriesWritten = Number(e[2]);
      }
      continue;
    }
    const m = EVENT.exec(line);
    if (!m) {
      out.skipped.push(line);
      continue;
    }
    out.events.push({
      task: m[1]!.trim(),
      pid: Number(m[2]),
      cpu: Number(m[3]),
      tUs: Number(m[4]) * 1e6 + Number(m[5]),
      name: m[6]!,
      kind: m[7] === ':' ? 'event' : 'function',
      detail: m[8]!.replace(/^<-/, ''),
    });
  }
  return out;
}

/** A block_rq_* event's device and sector: `254,0 R 4096 () 0 + 8 [fio]`, `254,0 R () 0 + 8 [0]`. */
export function blockRequestOf(detail: string): { dev: string; rwbs: string; sector: number; sectors: number } | null {
  const m = /^(\d+,\d+) (\S+) .*?\) (\d+) \+ (\d+)/.exec(detail);
  if (!m) return null;
  return { dev: m[1]!, rwbs: m[2]!, sector: Number(m[3]), sectors: Number(m[4]) };
}
