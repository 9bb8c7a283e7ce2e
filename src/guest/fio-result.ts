/**
 * fio's JSON output → one summary per run, and the summary → Sample metrics.
 *
 * fio can print notes ("note: both iodepth >= 1 and synchronous I/O engine are
 * selected...") and job description lines before the JSON, and a human report
 * after it, so the JSON object is located by brace matching from the first line
 * that starts with `{`. fio 3.x reports latencies in ns (`clat_ns`); fio 2.x
 * in µs (`clat`), converted here.
 */
import { constants as osConstants } from 'node:os';
import { z } from 'zod';
import { RunStepError } from '../model/errors.js';
import { type Metric } from '../model/sample.js';
import { METRIC, metricValue } from '../model/metrics.js';

/** fio's output could not be used; the message is one line naming the problem. */
export class FioOutputError extends RunStepError {
  constructor(message: string, details: string[] = []) {
    super(message, 'fio', details);
    this.name = 'FioOutputError';
  }
}

export interface FioSummary {
  fioVersion: string;
  /** Number of job entries in `jobs[]` (1 with group_reporting). */
  jobCount: number;
  iops: number;
  bwBytesPerSec: number;
  /** Longest per-direction runtime (jobs run in parallel). */
  runtimeMs: number;
  totalIos: number;
  clatMeanNs: number;
  /** Absent when fio reported no percentiles (clat_percentiles=0). */
  clatP50Ns?: number;
  clatP99Ns?: number;
  /** True when p50/p99 were combined from several job/direction entries (see docs/guest.md). */
  percentilesApproximate: boolean;
  /** Per-job CPU use in % of one CPU, averaged over jobs weighted by job runtime (as group_reporting does). */
  usrCpu: number;
  sysCpu: number;
  /** Context switches, summed over jobs. */
  ctx: number;
}

export interface ParsedFioOutput {
  summary: FioSummary;
  /** The whole JSON document as fio wrote it. */
  raw: unknown;
  /** Non-empty lines fio printed outside the JSON (notes, warnings, job descriptions). */
  notes: string[];
}

// ---------------------------------------------------------------------------
// Locating the JSON

/** Character offsets [start, end) of the JSON object in fio's stdout. */
function locateJson(stdout: string): { start: number; end: number } {
  let start = -1;
  for (let pos = 0; pos < stdout.length; ) {
    if (stdout[pos] === '{') {
      start = pos;
      break;
    }
    const nl = stdout.indexOf('\n', pos);
    if (nl === -1) break;
    pos = nl + 1;
  }
  if (start === -1) {
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    const first = lines[0];
    const seen =
      first === undefined
        ? 'the output is empty'
        : `${lines.length} line(s), first: ${JSON.stringify(first.length > 120 ? `${first.slice(0, 119)}…` : first)}`;
    throw new FioOutputError(`fio output: no JSON object found (no line starts with "{"; ${seen})`);
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < stdout.length; i++) {
    const c = stdout[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { start, end: i + 1 };
    }
  }
  throw new FioOutputError(`fio output: JSON ends early (truncated at byte ${Buffer.byteLength(stdout, 'utf8')})`);
}

/** The JSON text within fio's stdout (from the first line starting with `{` to its matching `}`). */
export function extractFioJson(stdout: string): string {
  const { start, end } = locateJson(stdout);
  return stdout.slice(start, end);
}

function outsideLines(stdout: string, start: number, end: number): string[] {
  const lines = [...stdout.slice(0, start).split('\n'), ...stdout.slice(end).split('\n')]
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const MAX = 20;
  return lines.length <= MAX ? lines : [...lines.slice(0, MAX), `… ${lines.length - MAX} more line(s)`];
}

// ---------------------------------------------------------------------------
// Schema (only the fields used; everything else stays in `raw`)

const LatencySchema = z.object({
  mean: z.number(),
  N: z.number().optional(),
  percentile: z.record(z.string(), z.number()).optional(),
});

const DirectionSchema = z.object({
  /** KiB/s (both 2.x and 3.x). */
  bw: z.number(),
  /** B/s, fio ≥ 3.2 or so; derived from `bw` when absent. */
  bw_bytes: z.number().optional(),
  iops: z.number(),
  runtime: z.number(),
  /** Missing in fio < 2.2. */
  total_ios: z.number().optional(),
  clat_ns: LatencySchema.optional(),
  /** fio 2.x: microseconds. */
  clat: LatencySchema.optional(),
});

const JobSchema = z.object({
  jobname: z.string(),
  error: z.number().optional(),
  read: DirectionSchema.optional(),
  write: DirectionSchema.optional(),
  trim: DirectionSchema.optional(),
  /** unified_rw_reporting=1 */
  mixed: DirectionSchema.optional(),
  job_runtime: z.number().optional(),
  usr_cpu: z.number(),
  sys_cpu: z.number(),
  ctx: z.number(),
});

const FioJsonSchema = z.object({
  'fio version': z.string(),
  jobs: z.array(JobSchema).min(1, { error: 'no jobs in fio output' }),
});

type FioDirection = z.infer<typeof DirectionSchema>;

// ---------------------------------------------------------------------------
// Parsing

function parseJson(stdout: string, start: number, end: number): unknown {
  const text = stdout.slice(start, end);
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const startByte = Buffer.byteLength(stdout.slice(0, start), 'utf8');
    const where =
      m && m[1] !== undefined
        ? `at byte ${startByte + Buffer.byteLength(text.slice(0, Number(m[1])), 'utf8')}`
        : `(JSON starts at byte ${startByte})`;
    const what = msg.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new FioOutputError(`fio output: corrupt JSON ${where}: ${what}`);
  }
}

function errnoName(code: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) {
    if (value === code) return ` (${name})`;
  }
  return '';
}

interface Entry {
  ios: number;
  iops: number;
  bwBytes: number;
  runtimeMs: number;
  clatMeanNs: number;
  /** Sorted by percentile. */
  percentiles: Array<{ p: number; ns: number }>;
}

function entryOf(jobname: string, dirName: string, d: FioDirection): Entry {
  const ns = d.clat_ns !== undefined;
  const lat = d.clat_ns ?? d.clat;
  if (lat === undefined) {
    throw new FioOutputError(`fio output: job '${jobname}' ${dirName} has neither clat_ns (fio 3) nor clat (fio 2)`);
  }
  const scale = ns ? 1 : 1000;
  const percentiles = Object.entries(lat.percentile ?? {})
    .map(([k, v]) => ({ p: Number(k), ns: v * scale }))
    // fio 2.x pads the list with "0.00": 0 entries.
    .filter((e) => Number.isFinite(e.p) && e.p > 0 && e.p <= 100)
    .sort((a, b) => a.p - b.p);
  const ios = d.total_ios ?? lat.N ?? Math.round((d.iops * d.runtime) / 1000);
  return {
    ios,
    iops: d.iops,
    bwBytes: d.bw_bytes ?? d.bw * 1024,
    runtimeMs: d.runtime,
    clatMeanNs: lat.mean * scale,
    percentiles,
  };
}

function percentileOf(e: Entry, p: number): number | undefined {
  return e.percentiles.find((x) => Math.abs(x.p - p) < 1e-6)?.ns;
}

/**
 * Percentile q of the IO-weighted mixture of several entries' distributions,
 * each known only at fio's percentile points (step CDF). Approximate.
 */
function mixturePercentile(entries: Entry[], q: number): number | undefined {
  const usable = entries.filter((e) => e.percentiles.length > 0);
  if (usable.length !== entries.length || usable.length === 0) return undefined;
  const total = usable.reduce((s, e) => s + e.ios, 0);
  const candidates = [...new Set(usable.flatMap((e) => e.percentiles.map((x) => x.ns)))].sort((a, b) => a - b);
  const cdf = (e: Entry, v: number): number => {
    let best = 0;
    for (const x of e.percentiles) if (x.ns <= v) best = Math.max(best, x.p);
    return best;
  };
  for (const v of candidates) {
    const mixed = usable.reduce((s, e) => s + (e.ios / total) * cdf(e, v), 0);
    if (mixed >= q - 1e-9) return v;
  }
  return candidates[candidates.length - 1];
}

export function parseFioOutput(stdout: string): ParsedFioOutput {
  const { start, end } = locateJson(stdout);
  const raw = parseJson(stdout, start, end);
  const checked = FioJsonSchema.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const path = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new FioOutputError(`fio output: unexpected JSON shape${path}: ${issue?.message ?? 'invalid'}`);
  }
  const doc = checked.data;
  const notes = outsideLines(stdout, start, end);

  for (const job of doc.jobs) {
    if (job.error !== undefined && job.error !== 0) {
      const hint = notes.find((n) => n.startsWith('fio:') || n.includes('error'));
      throw new FioOutputError(
        `fio output: job '${job.jobname}' failed with error ${job.error}${errnoName(job.error)}${hint ? `: ${hint}` : ''}`,
      );
    }
  }

  const entries: Entry[] = [];
  for (const job of doc.jobs) {
    for (const dirName of ['read', 'write', 'trim', 'mixed'] as const) {
      const d = job[dirName];
      if (d === undefined) continue;
      const e = entryOf(job.jobname, dirName, d);
      if (e.ios > 0) entries.push(e);
    }
  }
  if (entries.length === 0) {
    throw new FioOutputError(`fio output: no I/O completed (total_ios is 0 in all ${doc.jobs.length} job(s))`);
  }

  const totalIos = entries.reduce((s, e) => s + e.ios, 0);
  const runtimes = doc.jobs.map((j) => j.job_runtime ?? 0);
  const weighted = runtimes.every((r) => r > 0);
  const weightSum = weighted ? runtimes.reduce((s, r) => s + r, 0) : doc.jobs.length;
  const cpu = (pick: (j: (typeof doc.jobs)[number]) => number): number =>
    doc.jobs.reduce((s, j, i) => s + pick(j) * (weighted ? (runtimes[i] ?? 0) : 1), 0) / weightSum;

  const only = entries.length === 1 ? entries[0] : undefined;
  const p50 = only ? percentileOf(only, 50) : mixturePercentile(entries, 50);
  const p99 = only ? percentileOf(only, 99) : mixturePercentile(entries, 99);
  const summary: FioSummary = {
    fioVersion: doc['fio version'],
    jobCount: doc.jobs.length,
    iops: entries.reduce((s, e) => s + e.iops, 0),
    bwBytesPerSec: entries.reduce((s, e) => s + e.bwBytes, 0),
    runtimeMs: Math.max(...entries.map((e) => e.runtimeMs)),
    totalIos,
    clatMeanNs: entries.reduce((s, e) => s + e.clatMeanNs * e.ios, 0) / totalIos,
    percentilesApproximate: only === undefined && (p50 !== undefined || p99 !== undefined),
    usrCpu: cpu((j) => j.usr_cpu),
    sysCpu: cpu((j) => j.sys_cpu),
    ctx: doc.jobs.reduce((s, j) => s + j.ctx, 0),
  };
  if (p50 !== undefined) summary.clatP50Ns = p50;
  if (p99 !== undefined) summary.clatP99Ns = p99;
  if (summary.percentilesApproximate) {
    notes.push(
      `clat p50/p99 combined from ${entries.length} job/direction entries (approximate; group_reporting gives exact ones)`,
    );
  }
  return { summary, raw, notes };
}

// ---------------------------------------------------------------------------
// Metrics

/** The summary as Sample metrics (names, units and directions from the metrics table, model/metrics.ts). */
export function fioSummaryToMetrics(summary: FioSummary): Record<string, Metric> {
  const m: Record<string, Metric> = {
    [METRIC.iops]: metricValue(METRIC.iops, summary.iops),
    [METRIC.bandwidth]: metricValue(METRIC.bandwidth, summary.bwBytesPerSec),
    [METRIC.clatMean]: metricValue(METRIC.clatMean, summary.clatMeanNs),
    [METRIC.usrCpu]: metricValue(METRIC.usrCpu, summary.usrCpu),
    [METRIC.sysCpu]: metricValue(METRIC.sysCpu, summary.sysCpu),
    [METRIC.ctx]: metricValue(METRIC.ctx, summary.ctx),
    [METRIC.totalIos]: metricValue(METRIC.totalIos, summary.totalIos),
    [METRIC.runtimeMs]: metricValue(METRIC.runtimeMs, summary.runtimeMs),
  };
  if (summary.clatP50Ns !== undefined) m[METRIC.clatP50] = metricValue(METRIC.clatP50, summary.clatP50Ns);
  if (summary.clatP99Ns !== undefined) m[METRIC.clatP99] = metricValue(METRIC.clatP99, summary.clatP99Ns);
  return m;
}
