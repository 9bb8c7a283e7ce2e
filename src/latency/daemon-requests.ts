/**
 * qemu-storage-daemon's requests (vhost-user-blk, layer `daemon.block`) from
 * the host ftrace instance its log backend writes into (trace_marker):
 *
 *   <...>-32476   [001] ...1. 58897.636675: tracing_mark_write: blk_co_preadv blk 0x5 bs 0x6 offset 0 bytes 4096 flags 0x0
 *
 * tid of the writing thread, the instance's trace_clock (mono, shown at
 * 1 µs), then the QEMU event and its `key value` arguments. A request is
 * blk_co_preadv/pwritev (the export's handler) → the AIO engine's submit on
 * the same thread (thread_pool_submit `req`, luring_co_submit `luringcb`: a
 * coroutine runs from the block layer to the submit without yielding) → the
 * completion naming the same pointer (thread_pool_complete,
 * luring_process_completion). The pointer ties each request to its own
 * completion, so the layer is per request at any iodepth (the export does
 * not merge requests). Pure.
 */
import { parseFtrace } from './parse-ftrace.js';
import { traceArgs, type QemuTraceEvent } from './parse-qemu-log.js';

export interface DaemonRequest {
  /** Byte offset on the export (= the guest's sector × 512). */
  offset: number;
  bytes: number;
  startUs: number;
  endUs?: number;
  events: { tUs: number; tid: number; event: string }[];
}

export interface ParsedDaemonTrace {
  events: QemuTraceEvent[];
  entriesInBuffer?: number;
  entriesWritten?: number;
  /** Lines that were neither header nor trace_marker writes (e.g. `CPU:1 [LOST 12 EVENTS]`). */
  skipped: string[];
}

/** The instance's text → the daemon's QEMU events, each with its ftrace time (µs, mono) and thread id. */
export function parseDaemonFtrace(text: string): ParsedDaemonTrace {
  const ftrace = parseFtrace(text);
  const events: QemuTraceEvent[] = [];
  const skipped = [...ftrace.skipped];
  for (const e of ftrace.events) {
    const m = e.name === 'tracing_mark_write' ? /^(\w+)(?: (.*))?$/.exec(e.detail.trim()) : null;
    if (!m) {
      skipped.push(`${e.name}: ${e.detail}`);
      continue;
    }
    events.push({ tid: e.pid, tUs: e.tUs, name: m[1]!, args: traceArgs(m[2]) });
  }
  return {
    events,
    ...(ftrace.entriesInBuffer === undefined ? {} : { entriesInBuffer: ftrace.entriesInBuffer }),
    ...(ftrace.entriesWritten === undefined ? {} : { entriesWritten: ftrace.entriesWritten }),
    skipped,
  };
}

const START = new Set(['blk_co_preadv', 'blk_co_pwritev']);
/** The AIO engine's submit and completion events, and the argument naming the request in both. */
const SUBMIT: Record<string, string> = { thread_pool_submit: 'req', luring_co_submit: 'luringcb' };
const COMPLETE: Record<string, string> = { thread_pool_complete: 'req', luring_process_completion: 'luringcb' };

export function daemonRequests(events: readonly QemuTraceEvent[]): DaemonRequest[] {
  const all: DaemonRequest[] = [];
  /** Per thread: the request that entered the block layer and has not reached its submit yet. */
  const entering = new Map<number, DaemonRequest>();
  /** In flight at the AIO engine, by pointer (reused once completed). */
  const inFlight = new Map<string, DaemonRequest>();
  for (const e of events) {
    const note = (r: DaemonRequest) => r.events.push({ tUs: e.tUs, tid: e.tid, event: e.name });
    if (START.has(e.name)) {
      const r: DaemonRequest = {
        offset: Number(e.args.offset),
        bytes: Number(e.args.bytes),
        startUs: e.tUs,
        events: [],
      };
      note(r);
      entering.set(e.tid, r);
      all.push(r);
    } else if (SUBMIT[e.name]) {
      const r = entering.get(e.tid);
      const ptr = e.args[SUBMIT[e.name]!];
      if (!r || ptr === undefined) continue;
      entering.delete(e.tid);
      inFlight.set(ptr, r);
      note(r);
    } else if (COMPLETE[e.name]) {
      const ptr = e.args[COMPLETE[e.name]!] ?? '';
      const r = inFlight.get(ptr);
      if (!r) continue;
      inFlight.delete(ptr);
      r.endUs = e.tUs;
      note(r);
    }
  }
  return all;
}
