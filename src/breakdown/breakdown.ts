/**
 * The "why" of a difference: for a pair of cells (A = baseline, B), the IOPS
 * change next to the changes of host CPU per I/O by role, exits per I/O,
 * guest interrupts per I/O and wakeups per I/O, ordered by contribution, and
 * a one-line summary. Pure: computed from stored samples only (their
 * `insight`), so `explain` and any report re-derive it at will.
 *
 * Several repetitions of a cell are summarised by the median of each figure.
 */
import type { CpuRole, SampleInsight } from '../model/insight.js';
import { CPU_ROLES } from '../model/insight.js';
import type { Sample } from '../model/sample.js';
import { METRIC } from '../model/metrics.js';
import { axisValues, pairsByAxis, sideLabels, type CellPair } from '../model/cell-pairs.js';
import { median } from '../stats/descriptive.js';

export { axisValues, pairsAcrossRuns, pairsByAxis, sideLabels } from '../model/cell-pairs.js';

/** Per-I/O figures of one sample (or the medians of several). null: not measured. */
export interface InsightFigures {
  iops: number | null;
  /** Host CPU µs per I/O by role; roles absent from a sample's host readings count as 0. */
  cpuUsPerIo: Partial<Record<CpuRole, number>>;
  totalCpuUsPerIo: number | null;
  iopsPerCoreSecond: number | null;
  /** Scheduled-in count per I/O by role (≈ wakeups). */
  runsPerIo: Partial<Record<CpuRole, number>>;
  exitsPerIo: number | null;
  irqsPerIo: number | null;
  guestCpuUsPerIo: number | null;
  mergeRatio: number | null;
  /** Why a section is missing (exits under TCG...), by section. */
  unavailable: Record<string, string>;
}

const SECTIONS = ['hostCpu', 'exits', 'guest', 'blockstats'] as const;

/** The figures of one sample; null when it is not `ok` or has no insight. */
export function figuresOf(sample: Sample): InsightFigures | null {
  const i: SampleInsight | undefined = sample.insight;
  if (sample.status !== 'ok' || !i) return null;
  const unavailable: Record<string, string> = {};
  for (const s of SECTIONS) {
    const section = i[s];
    if (!section.available) unavailable[s] = section.reason;
  }
  const cpuUsPerIo: InsightFigures['cpuUsPerIo'] = {};
  const runsPerIo: InsightFigures['runsPerIo'] = {};
  const host = i.hostCpu.available ? i.hostCpu : null;
  if (host && host.totalUsPerIo !== null) {
    for (const role of CPU_ROLES) {
      const r = host.roles.find((x) => x.role === role);
      cpuUsPerIo[role] = r?.usPerIo ?? 0;
      if (r?.runsPerIo !== null && r?.runsPerIo !== undefined) runsPerIo[role] = r.runsPerIo;
    }
  }
  return {
    iops: sample.metrics[METRIC.iops]?.value ?? null,
    cpuUsPerIo,
    totalCpuUsPerIo: host?.totalUsPerIo ?? null,
    iopsPerCoreSecond: host?.iopsPerCoreSecond ?? null,
    runsPerIo,
    exitsPerIo: i.exits.available ? i.exits.exitsPerIo : null,
    irqsPerIo: i.guest.available ? i.guest.irqsPerIo : null,
    guestCpuUsPerIo: i.guest.available ? i.guest.cpu.usPerIo : null,
    mergeRatio: i.blockstats.available ? i.blockstats.mergeRatio : null,
    unavailable,
  };
}

function medianOf(values: (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return xs.length > 0 ? median(xs) : null;
}

function medianRecord<K extends string>(records: Partial<Record<K, number>>[]): Partial<Record<K, number>> {
  const keys = new Set(records.flatMap((r) => Object.keys(r) as K[]));
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) {
    const m = medianOf(records.map((r) => r[k]));
    if (m !== null) out[k] = m;
  }
  return out;
}

/** Medians over repetitions; null when no sample has figures. */
function summarizeFigures(samples: readonly Sample[]): { figures: InsightFigures; n: number } | null {
  const all = samples.map(figuresOf).filter((f): f is InsightFigures => f !== null);
  if (all.length === 0) return null;
  const pick = <K extends keyof InsightFigures>(k: K) => all.map((f) => f[k] as number | null);
  return {
    n: all.length,
    figures: {
      iops: medianOf(pick('iops')),
      cpuUsPerIo: medianRecord(all.map((f) => f.cpuUsPerIo)),
      totalCpuUsPerIo: medianOf(pick('totalCpuUsPerIo')),
      iopsPerCoreSecond: medianOf(pick('iopsPerCoreSecond')),
      runsPerIo: medianRecord(all.map((f) => f.runsPerIo)),
      exitsPerIo: medianOf(pick('exitsPerIo')),
      irqsPerIo: medianOf(pick('irqsPerIo')),
      guestCpuUsPerIo: medianOf(pick('guestCpuUsPerIo')),
      mergeRatio: medianOf(pick('mergeRatio')),
      unavailable: Object.assign({}, ...all.map((f) => f.unavailable)) as Record<string, string>,
    },
  };
}

export type RowGroup = 'result' | 'host-cpu' | 'events' | 'guest' | 'efficiency';

export interface BreakdownRow {
  key: string;
  label: string;
  group: RowGroup;
  unit: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** (b / a − 1) · 100; null when a is 0 or missing. */
  deltaPct: number | null;
  /** Host CPU rows: this role's share of the total CPU-per-I/O change (signed, −1..1 when all move the same way). */
  share: number | null;
  /** Why a or b is missing. */
  note?: string;
}

export interface PairSide {
  /** What distinguishes this side: `ioeventfd=on`, or a run name. */
  label: string;
  cellKey: string;
  /** Samples with insight that went into the medians. */
  n: number;
}

export interface PairBreakdown {
  /** What both sides share (`backend=virtio-blk scheduler=none iodepth=1`). */
  context: string;
  a: PairSide;
  b: PairSide;
  /** IOPS first, then host CPU per I/O by contribution, then events per I/O by size of change, then guest. */
  rows: BreakdownRow[];
  summary: string;
}

const ROLE_LABEL: Record<CpuRole, string> = {
  vcpu: 'vCPU',
  'main-loop': 'main-loop',
  iothread: 'iothread',
  'aio-worker': 'aio-worker',
  vhost: 'vhost worker',
  'storage-daemon': 'storage-daemon',
  other: 'other QEMU thread',
};

function row(
  key: string,
  label: string,
  group: RowGroup,
  unit: string,
  a: number | null,
  b: number | null,
  note?: string,
): BreakdownRow {
  const delta = a !== null && b !== null ? b - a : null;
  const deltaPct = a !== null && b !== null && a !== 0 ? (b / a - 1) * 100 : null;
  return { key, label, group, unit, a, b, delta, deltaPct, share: null, ...(note ? { note } : {}) };
}

/** Share of the host CPU per I/O below which a role gets no row of its own. */
const MIN_ROLE_SHARE = 0.01;

const bySizeOfChange = (x: BreakdownRow, y: BreakdownRow) => Math.abs(y.delta ?? 0) - Math.abs(x.delta ?? 0);

/** The rows of a pair: A = baseline figures, B = the other side. */
function breakdownRows(a: InsightFigures, b: InsightFigures): BreakdownRow[] {
  const reason = (section: string) => b.unavailable[section] ?? a.unavailable[section];
  // Roles below 1 % of the host CPU per I/O on both sides are noise in a table (the total still counts them).
  const visible = (f: InsightFigures, r: CpuRole) => (f.cpuUsPerIo[r] ?? 0) > MIN_ROLE_SHARE * (f.totalCpuUsPerIo ?? 0);
  const roles = CPU_ROLES.filter((r) => visible(a, r) || visible(b, r));
  const cpuRows = roles.map((r) =>
    row(`cpu:${r}`, `${ROLE_LABEL[r]} CPU`, 'host-cpu', 'µs/I/O', a.cpuUsPerIo[r] ?? null, b.cpuUsPerIo[r] ?? null),
  );
  const total = row(
    'cpu:total',
    'host CPU, all roles',
    'host-cpu',
    'µs/I/O',
    a.totalCpuUsPerIo,
    b.totalCpuUsPerIo,
    reason('hostCpu'),
  );
  const moved = cpuRows.reduce((s, r) => s + Math.abs(r.delta ?? 0), 0);
  for (const r of cpuRows) r.share = r.delta !== null && moved > 0 ? r.delta / moved : null;
  const runRoles = CPU_ROLES.filter(
    (r) => r !== 'other' && r !== 'aio-worker' && (a.runsPerIo[r] !== undefined || b.runsPerIo[r] !== undefined),
  );
  const events = [
    row(
      'exits',
      'KVM exits',
      'events',
      '/I/O',
      a.exitsPerIo,
      b.exitsPerIo,
      a.exitsPerIo === null || b.exitsPerIo === null ? reason('exits') : undefined,
    ),
    row('irqs', 'guest virtio-blk IRQs', 'events', '/I/O', a.irqsPerIo, b.irqsPerIo, reason('guest')),
    ...runRoles.map((r) =>
      row(`runs:${r}`, `${ROLE_LABEL[r]} wakeups`, 'events', '/I/O', a.runsPerIo[r] ?? null, b.runsPerIo[r] ?? null),
    ),
  ];
  return [
    row('iops', 'IOPS', 'result', 'IO/s', a.iops, b.iops),
    ...cpuRows.sort(bySizeOfChange),
    total,
    row(
      'iops-per-core',
      'IOPS per host core-second',
      'efficiency',
      'I/O/core-s',
      a.iopsPerCoreSecond,
      b.iopsPerCoreSecond,
    ),
    ...events.sort((x, y) => (x.delta === null ? 1 : 0) - (y.delta === null ? 1 : 0) || bySizeOfChange(x, y)),
    row('guest-cpu', 'guest CPU', 'guest', 'µs/I/O', a.guestCpuUsPerIo, b.guestCpuUsPerIo, reason('guest')),
    row('merge', 'guest I/Os per host request', 'guest', 'ratio', a.mergeRatio, b.mergeRatio, reason('blockstats')),
  ];
}

/** `+1.2`, `−0.9`; a value that rounds to zero is `+0.00`, never `−0.00`. */
const signed = (x: number, digits: number) => {
  const text = Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(text) !== 0 ? '−' : '+'}${text}`;
};
const pct = (x: number) => `${signed(x, Math.abs(x) < 10 ? 1 : 0)} %`;

/**
 * One line: `ioeventfd=off vs ioeventfd=on (iodepth=1): IOPS +26 %; −69 % main-loop CPU per I/O, …; +0.00 IRQs per I/O; exits: …`.
 * The CPU roles named are the ones that carry most of the change.
 */
function summaryLine(context: string, a: PairSide, b: PairSide, rows: BreakdownRow[]): string {
  const get = (key: string) => rows.find((r) => r.key === key);
  const parts: string[] = [];
  const iops = get('iops');
  parts.push(iops?.deltaPct != null ? `IOPS ${pct(iops.deltaPct)}` : 'IOPS not comparable');
  const cpu = rows
    .filter((r) => r.group === 'host-cpu' && r.key !== 'cpu:total' && r.delta !== null && Math.abs(r.share ?? 0) >= 0.1)
    .slice(0, 2)
    .map((r) =>
      r.deltaPct !== null ? `${pct(r.deltaPct)} ${r.label} per I/O` : `${signed(r.delta!, 1)} µs ${r.label} per I/O`,
    );
  if (cpu.length > 0) parts.push(cpu.join(', '));
  const measured: string[] = [];
  const missing: string[] = [];
  for (const [key, name] of [
    ['exits', 'exits'],
    ['irqs', 'IRQs'],
  ] as const) {
    const r = get(key);
    if (!r) continue;
    if (r.delta !== null) measured.push(`${signed(r.delta, 2)} ${name} per I/O`);
    else missing.push(`${name} per I/O ${shortReason(r.note)}`);
  }
  if (measured.length > 0) parts.push(measured.join(', '));
  parts.push(...missing);
  const where = context === '' ? '' : ` (${context})`;
  return `${b.label} vs ${a.label}${where}: ${parts.join('; ')}`;
}

function shortReason(note: string | undefined): string {
  if (!note) return 'not measured';
  if (note.startsWith('not available under TCG')) return 'not available under TCG';
  return 'not measured';
}

/** Samples of two cells to explain side by side (src/model/cell-pairs.ts chooses them). */
export type SamplePair = CellPair<Sample>;

/** The breakdown of one pair; null when a side has no sample with insight. */
export function breakdownPair(pair: SamplePair): PairBreakdown | null {
  const sa = summarizeFigures(pair.a);
  const sb = summarizeFigures(pair.b);
  const first = pair.a[0];
  const second = pair.b[0];
  if (!sa || !sb || !first || !second) return null;
  const derived = sideLabels(first.cell, second.cell);
  const labels = pair.labels ?? (derived.a === '' ? { a: 'A', b: 'B' } : derived);
  const a: PairSide = { label: labels.a, cellKey: first.cellKey, n: sa.n };
  const b: PairSide = { label: labels.b, cellKey: second.cellKey, n: sb.n };
  const context = derived.context;
  const rows = breakdownRows(sa.figures, sb.figures);
  return { context, a, b, rows, summary: summaryLine(context, a, b, rows) };
}

export interface AxisBreakdown {
  axis: string;
  baseline: string;
  pairs: PairBreakdown[];
}

/** Breakdowns for every pair across `axis`; pairs without insight on a side are left out. */
export function breakdownByAxis(samples: readonly Sample[], axis: string, baseline?: string): AxisBreakdown | null {
  const base = baseline ?? axisValues(samples, axis)[0];
  if (base === undefined) return null;
  const pairs = pairsByAxis(samples, axis, base)
    .map(breakdownPair)
    .filter((p): p is PairBreakdown => p !== null);
  return { axis, baseline: base, pairs };
}

/** The boot-scope axes `run` explains on its own when they vary. */
const EXPLAINED_AXES = ['ioeventfd', 'backend'] as const;

/** Breakdowns `run` prints: each explained axis that has at least one pair with insight. */
export function defaultBreakdowns(samples: readonly Sample[]): AxisBreakdown[] {
  return EXPLAINED_AXES.map((axis) => breakdownByAxis(samples, axis)).filter(
    (b): b is AxisBreakdown => b !== null && b.pairs.length > 0,
  );
}
