/**
 * Run progress: cells done of total, current group and cell, elapsed time and
 * an ETA from the measured boot and cell durations (the plan's estimate until
 * the first ones are measured). On a TTY it is a live status line redrawn every
 * second; without one it adds `elapsed … ETA …` to the per-cell log line and
 * writes nothing else, so cron and CI logs stay plain.
 */
import type { Accel } from '../model/sample.js';
import { ESTIMATED_BOOT_SECONDS, formatSeconds } from '../plan/estimate.js';
import type { TerminalLogger } from './log.js';
import type { LoopProgress } from '../run/run-plan.js';

/** Per-cell allowance beyond fio's runtime + ramp (SSH, scheduler change, parsing): as in plan/estimate.ts. */
const CELL_OVERHEAD_MS = 1500;

export interface ProgressSnapshot {
  done: number;
  total: number;
  phase: 'boot' | 'measure' | 'idle';
  /** Group key (the QEMU configuration) of the current boot. */
  group: string | null;
  /** Cell key and repetition being measured. */
  cell: string | null;
  elapsedMs: number;
  etaMs: number | null;
}

export interface EtaInput {
  remainingBoots: number;
  remainingCells: number;
  /** Durations measured so far, ms. */
  bootMs: readonly number[];
  cellMs: readonly number[];
  /** Used until a duration of that kind is measured. */
  fallbackBootMs: number;
  fallbackCellMs: number;
  /** Time already spent in the boot or cell under way (counted in the remaining ones). */
  inPhaseMs: number;
}

const mean = (xs: readonly number[], fallback: number) =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : fallback;

/** Remaining time, ms: remaining boots and cells at their measured mean durations, less what the current one has used. */
export function estimateRemainingMs(e: EtaInput): number {
  const total =
    e.remainingBoots * mean(e.bootMs, e.fallbackBootMs) + e.remainingCells * mean(e.cellMs, e.fallbackCellMs);
  return Math.max(0, total - e.inPhaseMs);
}

function bar(done: number, total: number, width: number): string {
  if (width === 0) return '';
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
}

/** The TTY status line (pure). No escape codes: the logger positions it. */
export function renderProgressLine(s: ProgressSnapshot, columns = 100): string {
  const pct = s.total > 0 ? Math.floor((s.done / s.total) * 100) : 0;
  const what = s.phase === 'boot' ? `booting ${s.group ?? ''}` : s.phase === 'measure' ? `${s.cell ?? ''}` : '';
  const eta = s.etaMs === null ? 'ETA —' : `ETA ${formatSeconds(s.etaMs / 1000)}`;
  // Narrow terminals lose the bar first, then the current cell; never the counts or the times.
  const head = `${bar(s.done, s.total, columns >= 100 ? 20 : columns >= 70 ? 10 : 0)}${s.done}/${s.total} samples ${pct}%`;
  const tail = `${formatSeconds(s.elapsedMs / 1000)} elapsed · ${eta}`;
  const room = columns - 1 - head.length - tail.length - 6;
  const middle = what.length <= room ? what : room > 1 ? `${what.slice(0, room - 1)}…` : '';
  return middle ? `${head} · ${middle} · ${tail}` : `${head} · ${tail}`;
}

export class RunProgress implements LoopProgress {
  private readonly started: number;
  private done = 0;
  private bootsEnded = 0;
  private readonly bootMs: number[] = [];
  private readonly cellMs: number[] = [];
  private phase: ProgressSnapshot['phase'] = 'idle';
  private phaseStart = 0;
  private group: string | null = null;
  private cell: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: TerminalLogger,
    private readonly opts: {
      total: number;
      visits: number;
      accel: Accel;
      runtimeS: number;
      rampTimeS: number;
      now?: () => number;
    },
  ) {
    this.started = this.now();
    if (log.live) {
      this.timer = setInterval(() => this.redraw(), 1000);
      this.timer.unref();
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  snapshot(): ProgressSnapshot {
    const now = this.now();
    const etaMs = estimateRemainingMs({
      remainingBoots: Math.max(0, this.opts.visits - this.bootsEnded),
      remainingCells: Math.max(0, this.opts.total - this.done),
      bootMs: this.bootMs,
      cellMs: this.cellMs,
      fallbackBootMs: ESTIMATED_BOOT_SECONDS[this.opts.accel] * 1000,
      fallbackCellMs: (this.opts.runtimeS + this.opts.rampTimeS) * 1000 + CELL_OVERHEAD_MS,
      inPhaseMs: this.phase === 'idle' ? 0 : now - this.phaseStart,
    });
    return {
      done: this.done,
      total: this.opts.total,
      phase: this.phase,
      group: this.group,
      cell: this.cell,
      elapsedMs: now - this.started,
      etaMs,
    };
  }

  private redraw(): void {
    this.log.status(renderProgressLine(this.snapshot(), this.log.columns));
  }

  private enter(phase: ProgressSnapshot['phase']): void {
    this.phase = phase;
    this.phaseStart = this.now();
    this.redraw();
  }

  bootStarting(groupKey: string): void {
    this.group = groupKey;
    this.cell = null;
    this.enter('boot');
  }

  /** The boot finished (ready, or failed: a failed boot still took the time). */
  bootEnded(): void {
    if (this.phase === 'boot') this.bootMs.push(this.now() - this.phaseStart);
    this.bootsEnded += 1;
    this.enter('idle');
  }

  cellStarting(cellKey: string, repetition: number): void {
    this.cell = `${cellKey} r${repetition}`;
    this.enter('measure');
  }

  /** A sample was stored (measured, or failed without a measurement). */
  sampleStored(): void {
    if (this.phase === 'measure') this.cellMs.push(this.now() - this.phaseStart);
    this.done += 1;
    this.enter('idle');
  }

  /** ` · 1m02s elapsed · ETA 3m10s`, appended to the per-cell log line. */
  timing(): string {
    const s = this.snapshot();
    return ` · ${formatSeconds(s.elapsedMs / 1000)} elapsed · ETA ${s.etaMs === null ? '—' : formatSeconds(s.etaMs / 1000)}`;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.log.status(null);
  }
}
