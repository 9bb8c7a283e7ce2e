/**
 * The guest side of a snapshot, pure part: one constant shell script (the
 * disk name is its only argument, never interpolated) prints the counters in
 * sections; these functions parse them. guest-snapshot.ts runs the script.
 */
import { aggregateCpuFields, PROC_STAT_CPU_FIELDS } from '../host/proc-stat.js';
import type { GuestCpuTicks, InterruptLine } from '../model/insight.js';
import { parseSchedulerList } from '../guest/scheduler.js';

/**
 * The snapshot's commands (the disk name in `$d`). The counters that are
 * subtracted come first, read back to back; the static facts after them.
 */
export const GUEST_SNAPSHOT_LINES = [
  'echo @@diskstat; cat "/sys/block/$d/stat"',
  'echo @@interrupts; cat /proc/interrupts',
  'echo @@stat; cat /proc/stat',
  'echo @@uptime; cat /proc/uptime',
  'echo @@virtio; readlink "/sys/block/$d/device"',
  'echo @@scheduler; cat "/sys/block/$d/queue/scheduler"',
  'echo @@mq; ls "/sys/block/$d/mq"',
] as const;

/** `sh -c GUEST_SNAPSHOT_SCRIPT sh <dev>`: one snapshot (the in-window sampling's guest side). */
export const GUEST_SNAPSHOT_SCRIPT = ['d="$1"', ...GUEST_SNAPSHOT_LINES].join('\n');

/** Sections of the script's output by name (`@@name` lines). */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const m = /^@@([a-z]+)$/.exec(line);
    if (m) {
      flush();
      name = m[1];
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

export interface InterruptRow {
  irq: string;
  perCpu: number[];
  /** Everything after the counts: chip, hwirq, trigger, action names. */
  desc: string;
  /** Action names (the handlers sharing the line), e.g. `virtio1-req.0`. */
  actions: string[];
}

/**
 * /proc/interrupts: a header of `CPUn` columns, then `irq: count... desc`.
 * Rows like `ERR:`/`MIS:` carry one count only; they are kept with it.
 */
export function parseProcInterrupts(text: string): InterruptRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift() ?? '';
  const cpus = header
    .trim()
    .split(/\s+/)
    .filter((c) => /^CPU\d+$/.test(c)).length;
  if (cpus === 0) throw new Error(`/proc/interrupts: no CPU header (${JSON.stringify(header.slice(0, 60))})`);
  const rows: InterruptRow[] = [];
  for (const line of lines) {
    const m = /^\s*([^:\s]+):(.*)$/.exec(line);
    if (!m) continue;
    const tokens = (m[2] ?? '').trim().split(/\s+/);
    const perCpu: number[] = [];
    while (perCpu.length < cpus && tokens.length > 0 && /^\d+$/.test(tokens[0]!)) perCpu.push(Number(tokens.shift()));
    const desc = tokens.join(' ');
    // The action names are the last whitespace-separated field(s); shared lines list them `a, b`.
    const actions = desc
      .split(/,\s*/)
      .map((a) => a.trim().split(/\s+/).pop() ?? '')
      .filter(Boolean);
    rows.push({ irq: m[1]!, perCpu, desc, actions });
  }
  return rows;
}

/** `virtio1` from the /sys/block/<dev>/device link (`../../../virtio1`). */
export function virtioNameOf(link: string): string {
  const name = link.trim().split('/').pop() ?? '';
  if (!/^virtio\d+$/.test(name))
    throw new Error(`/sys/block/<dev>/device does not point at a virtio device: ${JSON.stringify(link.trim())}`);
  return name;
}

/**
 * The request-queue interrupt lines of `virtioN`: MSI-X per-queue vectors
 * `virtioN-req.K`, one shared vector `virtioN-virtqueues`, or INTx `virtioN`
 * (config changes share that one; they are rare during a benchmark).
 */
export function virtioQueueRows(rows: InterruptRow[], virtio: string): InterruptRow[] {
  const queue = new RegExp(`^${virtio}-(?:req\\.\\d+|virtqueues)$`);
  return rows.filter((r) => r.actions.some((a) => queue.test(a) || a === virtio));
}

/** Per-line deltas of the test disk's queue interrupts; lines present in both readings only. */
export function interruptDeltas(before: InterruptRow[], after: InterruptRow[], virtio: string): InterruptLine[] {
  const earlier = new Map(virtioQueueRows(before, virtio).map((r) => [r.irq, r]));
  const out: InterruptLine[] = [];
  for (const r of virtioQueueRows(after, virtio)) {
    const prev = earlier.get(r.irq);
    if (!prev) continue;
    const perCpu = r.perCpu.map((n, i) => n - (prev.perCpu[i] ?? 0));
    const name = r.actions.find((a) => a.startsWith(virtio)) ?? r.actions.join(',');
    out.push({ irq: r.irq, name, count: perCpu.reduce((s, n) => s + n, 0), perCpu });
  }
  return out;
}

const CPU_FIELDS = PROC_STAT_CPU_FIELDS;

/** The aggregate `cpu` line of /proc/stat, USER_HZ ticks (guest and host lines beyond `steal` are inside user/nice). */
export function parseProcStatCpu(text: string): GuestCpuTicks {
  const values = aggregateCpuFields(text);
  if (!values) throw new Error('/proc/stat: no aggregate cpu line');
  const ticks = {} as GuestCpuTicks;
  CPU_FIELDS.forEach((f, i) => (ticks[f] = values[i] ?? 0));
  return ticks;
}

export function cpuTicksDelta(before: GuestCpuTicks, after: GuestCpuTicks): GuestCpuTicks {
  const out = {} as GuestCpuTicks;
  for (const f of CPU_FIELDS) out[f] = after[f] - before[f];
  return out;
}

export function busyTicks(t: GuestCpuTicks): number {
  return t.user + t.nice + t.system + t.irq + t.softirq + t.steal;
}

export interface BlockStat {
  readIos: number;
  readMerges: number;
  readSectors: number;
  inFlight: number;
}

/** /sys/block/<dev>/stat (Documentation/block/stat.rst): fields 1–3 reads, 9 in_flight. Sectors are 512 bytes. */
export function parseBlockStat(text: string): BlockStat {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 11 || f.some((n) => !Number.isFinite(n)))
    throw new Error(`not a /sys/block/<dev>/stat line: ${JSON.stringify(text.trim().slice(0, 80))}`);
  return { readIos: f[0]!, readMerges: f[1]!, readSectors: f[2]!, inFlight: f[8]! };
}

export interface GuestReading {
  disk: BlockStat;
  interrupts: InterruptRow[];
  cpu: GuestCpuTicks;
  /** Guest uptime, seconds (first field of /proc/uptime). */
  uptimeS: number;
  virtio: string;
  scheduler: string;
  hwQueues: number;
}

/** The whole snapshot output; throws naming the section that is missing or malformed. */
export function parseGuestSnapshot(text: string): GuestReading {
  const sections = splitSections(text);
  const section = (name: string): string => {
    const s = sections.get(name);
    if (s === undefined || s.trim() === '') throw new Error(`guest snapshot: section ${name} is empty`);
    return s;
  };
  return {
    disk: parseBlockStat(section('diskstat')),
    interrupts: parseProcInterrupts(section('interrupts')),
    cpu: parseProcStatCpu(section('stat')),
    uptimeS: Number(section('uptime').trim().split(/\s+/)[0]),
    virtio: virtioNameOf(section('virtio')),
    scheduler: parseSchedulerList(section('scheduler')).active,
    hwQueues: section('mq')
      .split('\n')
      .filter((l) => /^\d+$/.test(l.trim())).length,
  };
}
