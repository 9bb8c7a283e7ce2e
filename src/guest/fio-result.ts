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
import { RunStepError } from '../model/errors.js';
import { type Metric } from '../model/sample.js';
import { METRIC, metricValue, type MetricName } from '../model/metrics.js';
import { FioJsonSchema, type FioDirection, type FioJob, type FioJson } from '../model/schemas/fio.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../util/json-depth.js';

/** fio's output could not be used; the message is one line naming the problem. */
export class FioOutputError extends RunStepError {
  constructor(message: string, details: string[] = []) {
    super(message, 'fio', details);
    this.name = 'FioOutputError';
  }
}

/** One direction's figures (or all directions together), summed over the jobs that ran together. */
export interface DirectionSummary {
  iops: number;
  bwBytesPerSec: number;
  /** Longest runtime (jobs run in parallel). */
  runtimeMs: number;
  totalIos: number;
  clatMeanNs: number;
  /** Absent when fio reported no percentiles (clat_percentiles=0). */
  clatP50Ns?: number;
  clatP99Ns?: number;
  /** True when p50/p99 were combined from several job/direction entries (see docs/guest.md). */
  percentilesApproximate: boolean;
}

export type FioDirectionName = 'read' | 'write' | 'trim';

export interface FioSummary extends DirectionSummary {
  fioVersion: string;
  /** Number of job entries in `jobs[]` (1 with group_reporting). */
  jobCount: number;
  /** Each direction's own figures when the workload did I/O in more than one (randrw, readwrite, trimwrite); the top level is their total. */
  directions?: Partial<Record<FioDirectionName, DirectionSummary>>;
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

/** How a parse may describe what it could not use. */
export interface FioParseOptions {
  /**
   * Quote lines of the output in problem messages (default true: the guest's
   * fio output is the run's own evidence). `import` passes false: an input
   * file named by a user may be anything, and its content is never echoed.
   */
  quoteOutput?: boolean;
}

// ---------------------------------------------------------------------------
// Locating the JSON

/** Character offsets [start, end) of the JSON object in fio's stdout. */
function locateJson(stdout: string, quote: boolean): { start: number; end: number } {
  let start = -1;
  for (let pos = 0; pos < stdout.length;) {
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
        : quote
          ? `${lines.length} line(s), first: ${JSON.stringify(first.length > 120 ? `${first.slice(0, 119)}…` : first)}`
          : `${lines.length} line(s)`;
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
  const { start, end } = locateJson(stdout, true);
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
// Parsing

function parseJson(stdout: string, start: number, end: number, quote: boolean): unknown {
  const text = stdout.slice(start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const startByte = Buffer.byteLength(stdout.slice(0, start), 'utf8');
    const where =
      m && m[1] !== undefined
        ? `at byte ${startByte + Buffer.byteLength(text.slice(0, Number(m[1])), 'utf8')}`
        : `(JSON starts at byte ${startByte})`;
    const what = msg.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new FioOutputError(`fio output: corrupt JSON ${where}${quote ? `: ${what}` : ''}`);
  }
  // Every walk after this one (validation, storing the raw copy) is recursive.
  if (nestsDeeperThan(value)) throw new FioOutputError(`fio output: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
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
    throw new FioOutputError(
      `fio output: job ${showName(jobname)} ${dirName} has neither clat_ns (fio 3) nor clat (fio 2)`,
    );
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

/** A job name as a message may show it: printable, short. */
function showName(name: string): string {
  const text = name.replace(/[^\x20-\x7e]/g, '?');
  return `'${text.length > 40 ? `${text.slice(0, 39)}…` : text}'`;
}

const MAX_JOBS_LISTED = 10;

function jobList(jobs: readonly FioJob[]): string {
  const names = jobs.slice(0, MAX_JOBS_LISTED).map((j) => showName(j.jobname));
  return jobs.length > MAX_JOBS_LISTED
    ? `${names.join(', ')} and ${jobs.length - MAX_JOBS_LISTED} more`
    : names.join(', ');
}

/** The value of a job option as fio reports it: the job's own, else the global one. */
function optionOf(doc: FioJson, job: FioJob, name: string): string | undefined {
  const v = job['job options']?.[name] ?? doc['global options']?.[name];
  return v === undefined ? undefined : String(v);
}

/**
 * Summing jobs is only sound when they ran at the same time. fio puts jobs
 * that run one after another (`stonewall`, `wait_for_previous`) or are
 * reported apart (`new_group`) in separate reporting groups; inside a group
 * a `startdelay` that differs means they did not start together. Anything
 * else is refused with the job list: one cell must be one measurement.
 */
function checkJobsRanTogether(doc: FioJson): void {
  const groups = new Map<number, FioJob[]>();
  for (const job of doc.jobs) groups.set(job.groupid ?? 0, [...(groups.get(job.groupid ?? 0) ?? []), job]);
  if (groups.size > 1) {
    const list = [...groups].map(([id, jobs]) => `group ${id}: ${jobList(jobs)}`).join('; ');
    throw new FioOutputError(
      `fio output: jobs in ${groups.size} reporting groups (${list}): they ran one after another or are reported apart (stonewall, new_group), so their I/O cannot be summed into one measurement; give each group its own fio run (or its own output file)`,
    );
  }
  const delays = new Set(doc.jobs.map((j) => optionOf(doc, j, 'startdelay') ?? '0'));
  if (delays.size > 1) {
    throw new FioOutputError(
      `fio output: the jobs ${jobList(doc.jobs)} did not start together (startdelay differs), so their I/O cannot be summed into one measurement`,
    );
  }
}

function summarize(entries: Entry[]): DirectionSummary {
  const totalIos = entries.reduce((s, e) => s + e.ios, 0);
  const only = entries.length === 1 ? entries[0] : undefined;
  const p50 = only ? percentileOf(only, 50) : mixturePercentile(entries, 50);
  const p99 = only ? percentileOf(only, 99) : mixturePercentile(entries, 99);
  const out: DirectionSummary = {
    iops: entries.reduce((s, e) => s + e.iops, 0),
    bwBytesPerSec: entries.reduce((s, e) => s + e.bwBytes, 0),
    runtimeMs: Math.max(...entries.map((e) => e.runtimeMs)),
    totalIos,
    clatMeanNs: entries.reduce((s, e) => s + e.clatMeanNs * e.ios, 0) / totalIos,
    percentilesApproximate: only === undefined && (p50 !== undefined || p99 !== undefined),
  };
  if (p50 !== undefined) out.clatP50Ns = p50;
  if (p99 !== undefined) out.clatP99Ns = p99;
  return out;
}

/**
 * Entries with I/O per direction. With `unified_rw_reporting=both` fio
 * prints `mixed` beside read/write: it is their sum, so it counts only when
 * a job reports nothing per direction.
 */
function entriesByDirection(doc: FioJson): Map<FioDirectionName | 'mixed', Entry[]> {
  const out = new Map<FioDirectionName | 'mixed', Entry[]>();
  const add = (dir: FioDirectionName | 'mixed', e: Entry) => out.set(dir, [...(out.get(dir) ?? []), e]);
  for (const job of doc.jobs) {
    let perDirection = false;
    for (const dirName of ['read', 'write', 'trim'] as const) {
      const d = job[dirName];
      if (d === undefined) continue;
      const e = entryOf(job.jobname, dirName, d);
      if (e.ios > 0) {
        add(dirName, e);
        perDirection = true;
      }
    }
    if (!perDirection && job.mixed) {
      const e = entryOf(job.jobname, 'mixed', job.mixed);
      if (e.ios > 0) add('mixed', e);
    }
  }
  return out;
}

function validated(raw: unknown): FioJson {
  const checked = FioJsonSchema.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const path =
      issue && issue.path.length > 0
        ? ` at ${issue.path
            .map((p) =>
              String(p)
                .replace(/[^\x20-\x7e]/g, '?')
                .slice(0, 40),
            )
            .join('.')}`
        : '';
    throw new FioOutputError(`fio output: unexpected JSON shape${path}: ${issue?.message ?? 'invalid'}`);
  }
  return checked.data;
}

export function parseFioOutput(stdout: string, options: FioParseOptions = {}): ParsedFioOutput {
  const quote = options.quoteOutput ?? true;
  const { start, end } = locateJson(stdout, quote);
  const raw = parseJson(stdout, start, end, quote);
  const doc = validated(raw);
  const notes = outsideLines(stdout, start, end);

  for (const job of doc.jobs) {
    if (job.error !== undefined && job.error !== 0) {
      const hint = quote ? notes.find((n) => n.startsWith('fio:') || n.includes('error')) : undefined;
      throw new FioOutputError(
        `fio output: job ${showName(job.jobname)} failed with error ${job.error}${errnoName(job.error)}${hint ? `: ${hint}` : ''}`,
      );
    }
  }
  checkJobsRanTogether(doc);

  const byDirection = entriesByDirection(doc);
  const entries = [...byDirection.values()].flat();
  if (entries.length === 0) {
    throw new FioOutputError(`fio output: no I/O completed (total_ios is 0 in all ${doc.jobs.length} job(s))`);
  }

  const runtimes = doc.jobs.map((j) => j.job_runtime ?? 0);
  const weighted = runtimes.every((r) => r > 0);
  const weightSum = weighted ? runtimes.reduce((s, r) => s + r, 0) : doc.jobs.length;
  const cpu = (pick: (j: FioJob) => number): number =>
    doc.jobs.reduce((s, j, i) => s + pick(j) * (weighted ? (runtimes[i] ?? 0) : 1), 0) / weightSum;

  const summary: FioSummary = {
    fioVersion: doc['fio version'],
    jobCount: doc.jobs.length,
    ...summarize(entries),
    usrCpu: cpu((j) => j.usr_cpu),
    sysCpu: cpu((j) => j.sys_cpu),
    ctx: doc.jobs.reduce((s, j) => s + j.ctx, 0),
  };
  const directions = [...byDirection.keys()].filter((d): d is FioDirectionName => d !== 'mixed');
  if (directions.length > 1)
    summary.directions = Object.fromEntries(directions.map((d) => [d, summarize(byDirection.get(d) ?? [])]));
  if (summary.percentilesApproximate) {
    notes.push(
      `clat p50/p99 combined from ${entries.length} job/direction entries (approximate; group_reporting gives exact ones)`,
    );
  }
  return { summary, raw, notes };
}

// ---------------------------------------------------------------------------
// Metrics

/** IOPS, bandwidth and latency of one direction (or the total) as Sample metrics, names prefixed (units from model/metrics.ts). */
function directionMetrics(
  d: DirectionSummary,
  prefix: string,
): { rates: Record<string, Metric>; percentiles: Record<string, Metric> } {
  const entry = (name: MetricName, value: number): [string, Metric] => [`${prefix}${name}`, metricValue(name, value)];
  const percentiles: Record<string, Metric> = Object.fromEntries([
    ...(d.clatP50Ns !== undefined ? [entry(METRIC.clatP50, d.clatP50Ns)] : []),
    ...(d.clatP99Ns !== undefined ? [entry(METRIC.clatP99, d.clatP99Ns)] : []),
  ]);
  const rates = Object.fromEntries([
    entry(METRIC.iops, d.iops),
    entry(METRIC.bandwidth, d.bwBytesPerSec),
    entry(METRIC.clatMean, d.clatMeanNs),
  ]);
  return { rates, percentiles };
}

/**
 * The summary as Sample metrics (names, units and directions from the
 * metrics table, model/metrics.ts): the total, and for a workload that read
 * and wrote, each direction's own (`read_iops`, `write_clat_p99_ns`, ...).
 */
export function fioSummaryToMetrics(summary: FioSummary): Record<string, Metric> {
  const total = directionMetrics(summary, '');
  const m: Record<string, Metric> = {
    ...total.rates,
    [METRIC.usrCpu]: metricValue(METRIC.usrCpu, summary.usrCpu),
    [METRIC.sysCpu]: metricValue(METRIC.sysCpu, summary.sysCpu),
    [METRIC.ctx]: metricValue(METRIC.ctx, summary.ctx),
    [METRIC.totalIos]: metricValue(METRIC.totalIos, summary.totalIos),
    [METRIC.runtimeMs]: metricValue(METRIC.runtimeMs, summary.runtimeMs),
    ...total.percentiles,
  };
  for (const [dir, d] of Object.entries(summary.directions ?? {})) {
    const own = directionMetrics(d, `${dir}_`);
    Object.assign(m, own.rates, own.percentiles);
  }
  return m;
}
