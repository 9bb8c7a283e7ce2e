/**
 * Guest ftrace for the traced pass (issue 14): fixed shell scripts sent over
 * SSH, each taking its values as positional parameters (quoted by the session),
 * never built from profile strings.
 *
 * - tracefs is mounted at /sys/kernel/tracing when it is not already;
 * - trace_clock `mono` (`global` where mono is missing): the default `local`
 *   is per CPU, and completions land on other vCPUs than submissions;
 * - a sized per-CPU ring buffer; its `overrun` counters are read after the run
 *   (a run that lost events is reported, not silently used);
 * - events block:block_rq_insert/issue/complete and irq:irq_handler_entry (to
 *   tell virtio-blk's interrupt from virtio-net's), the function tracer
 *   filtered to vp_notify and vring_interrupt, plus virtio-blk's
 *   virtio_queue_rq/virtio_commit_rqs (to tell its kick from virtio-net's).
 * Tracing is on only while the traced fio runs: the same script switches it
 * on just before fio starts and off as soon as fio exits.
 */
import type { GuestRunner } from '../guest/ssh-session.js';
import { RunStepError } from '../model/errors.js';

/** Per-CPU ring buffer for the traced run, KiB: a few seconds of TCG-speed I/O at ~6 events per request. */
export const GUEST_TRACE_BUFFER_KB = 8192;
const STEP_TIMEOUT_MS = 30_000;

/** Finds or mounts tracefs; sets `T`. */
const FIND_TRACEFS = [
  'T=/sys/kernel/tracing',
  '[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2>/dev/null || true',
  'if [ ! -e "$T/trace" ]; then T=/sys/kernel/debug/tracing; [ -e "$T/trace" ] || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null || true; fi',
  '[ -e "$T/trace" ] || { echo "no tracefs in this guest" >&2; exit 3; }',
].join('\n');

/** $1: buffer size KiB. Prints the trace clock chosen. */
const SETUP = `${FIND_TRACEFS}
set -e
echo 0 > "$T/tracing_on"
echo nop > "$T/current_tracer"
echo > "$T/set_event"
echo mono > "$T/trace_clock" 2>/dev/null || echo global > "$T/trace_clock"
echo "$1" > "$T/buffer_size_kb"
echo vp_notify > "$T/set_ftrace_filter"
echo vring_interrupt >> "$T/set_ftrace_filter"
for f in virtio_queue_rq virtio_commit_rqs; do echo "$f" >> "$T/set_ftrace_filter" 2>/dev/null || true; done
echo function > "$T/current_tracer"
for e in block/block_rq_insert block/block_rq_issue block/block_rq_complete irq/irq_handler_entry; do
  echo 1 > "$T/events/$e/enable"
done
echo > "$T/trace"
sed -n 's/.*\\[\\(.*\\)\\].*/\\1/p' "$T/trace_clock"
`;

/** "$@": the fio argv. Tracing on just before fio, off as soon as it exits; fio's status is the script's. */
const RUN_TRACED = `${FIND_TRACEFS}
echo 1 > "$T/tracing_on"
"$@"
rc=$?
echo 0 > "$T/tracing_on"
exit $rc
`;

/** $1: byte cap. The per-CPU overrun counters, then the trace text cut at the cap. */
const READ = `${FIND_TRACEFS}
for s in "$T"/per_cpu/cpu*/stats; do
  echo "OVERRUN $(sed -n 's/^overrun: *//p' "$s")"
done
echo "TRACE-BYTES $(wc -c < "$T/trace")"
echo TRACE-BEGIN
head -c "$1" "$T/trace"
`;

/** Everything off, the buffer back to a small size. */
const TEARDOWN = `${FIND_TRACEFS}
echo 0 > "$T/tracing_on"
echo nop > "$T/current_tracer"
echo > "$T/set_event"
echo > "$T/set_ftrace_filter"
echo > "$T/trace"
echo 1408 > "$T/buffer_size_kb"
`;

async function script(session: GuestRunner, what: string, body: string, args: string[], timeoutMs = STEP_TIMEOUT_MS) {
  const r = await session.exec(['sh', '-c', body, 'sh', ...args], { timeoutMs, maxOutputBytes: 512 * 1024 * 1024 });
  if (r.code !== 0)
    throw new RunStepError(
      `guest ftrace ${what}: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`,
      'guest',
    );
  return r;
}

/** Prepares tracing (off); returns the trace clock in use. */
export async function setupGuestFtrace(session: GuestRunner, bufferKb = GUEST_TRACE_BUFFER_KB): Promise<string> {
  const r = await script(session, 'setup', SETUP, [String(bufferKb)]);
  return r.stdout.trim() || 'unknown';
}

/** Runs `argv` (fio) with tracing on around it only; the result is fio's. */
export function runWithGuestFtrace(session: GuestRunner, argv: string[], timeoutMs: number) {
  return session.exec(['sh', '-c', RUN_TRACED, 'sh', ...argv], { timeoutMs });
}

export interface GuestFtraceReading {
  overruns: number[];
  text: string;
  /** The trace's full size; more than `text` when cut at the cap. */
  totalBytes: number;
}

/** Parses READ's output. Pure. */
export function parseFtraceReading(stdout: string): GuestFtraceReading {
  const begin = stdout.indexOf('TRACE-BEGIN\n');
  const head = begin < 0 ? stdout : stdout.slice(0, begin);
  const text = begin < 0 ? '' : stdout.slice(begin + 'TRACE-BEGIN\n'.length);
  const overruns = [...head.matchAll(/^OVERRUN (\d+)$/gm)].map((m) => Number(m[1]));
  const total = /^TRACE-BYTES (\d+)$/m.exec(head);
  return { overruns, text, totalBytes: total ? Number(total[1]) : Buffer.byteLength(text) };
}

export async function readGuestFtrace(session: GuestRunner, capBytes: number): Promise<GuestFtraceReading> {
  const r = await script(session, 'read', READ, [String(capBytes)], 120_000);
  return parseFtraceReading(r.stdout);
}

export async function teardownGuestFtrace(session: GuestRunner): Promise<void> {
  await script(session, 'teardown', TEARDOWN, []);
}
