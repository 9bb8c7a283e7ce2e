/**
 * QEMU's `log` trace backend lines (QEMU 7.2, `-msg timestamp=on`):
 *
 *   22303@1796281881.502701:virtio_blk_handle_read vdev 0x56167a17da40 req 0x56167a349000 sector 0 nsectors 8
 *
 * thread id @ gettimeofday seconds.microseconds : event, then `key value`
 * pairs. Resolution 1 µs, wall clock. Pure.
 */

export interface QemuTraceEvent {
  tid: number;
  /** Microseconds since the epoch (wall clock; fits a double exactly). */
  tUs: number;
  name: string;
  args: Record<string, string>;
}

export interface ParsedQemuLog {
  events: QemuTraceEvent[];
  /** Lines that were not trace events (QEMU messages, a line cut at the size cap). */
  skipped: number;
}

const LINE = /^(\d+)@(\d+)\.(\d{6}):(\w+)(?: (.*))?$/;

/** `vdev 0x1 req 0x2 sector 0` → {vdev: '0x1', req: '0x2', sector: '0'}. */
export function traceArgs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const words = (text ?? '').trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i + 1 < words.length; i += 2) out[words[i]!] = words[i + 1]!;
  return out;
}

export function parseQemuLog(text: string): ParsedQemuLog {
  const events: QemuTraceEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      skipped++;
      continue;
    }
    events.push({ tid: Number(m[1]), tUs: Number(m[2]) * 1e6 + Number(m[3]), name: m[4]!, args: traceArgs(m[5]) });
  }
  return { events, skipped };
}
