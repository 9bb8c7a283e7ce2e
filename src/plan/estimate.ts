/**
 * Duration estimate for --dry-run and progress: boots plus fio windows plus
 * a per-cell allowance for SSH round trips and scheduler changes.
 * Boot figures are what was measured on the reference machines (docs/benchmarks.md).
 */
import type { Accel } from '../model/sample.js';

export const ESTIMATED_BOOT_SECONDS: Record<Accel, number> = { tcg: 8, kvm: 2 };
const PER_CELL_OVERHEAD_SECONDS = 1.5;

export interface DurationEstimate {
  totalSeconds: number;
  bootSeconds: number;
  fioSeconds: number;
  overheadSeconds: number;
}

export function estimateDuration(opts: {
  accel: Accel;
  visits: number;
  samples: number;
  runtimeS: number;
  rampTimeS: number;
}): DurationEstimate {
  const bootSeconds = opts.visits * ESTIMATED_BOOT_SECONDS[opts.accel];
  const fioSeconds = opts.samples * (opts.runtimeS + opts.rampTimeS);
  const overheadSeconds = opts.samples * PER_CELL_OVERHEAD_SECONDS;
  return { totalSeconds: bootSeconds + fioSeconds + overheadSeconds, bootSeconds, fioSeconds, overheadSeconds };
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
