/**
 * The metrics table: every metric a sample records, with its unit, which
 * direction is better, how it is written for benchstat and whether the gate
 * tests it by default. The one place metric metadata lives: the fio parser
 * stamps unit and direction on each sample from here, the Go benchmark
 * exporter and the gate's defaults read it.
 */
import type { Metric } from './sample.js';

/** Metric names as stored in Sample.metrics. */
export const METRIC = {
  iops: 'iops',
  bandwidth: 'bw_bytes_per_s',
  clatMean: 'clat_mean_ns',
  clatP50: 'clat_p50_ns',
  clatP99: 'clat_p99_ns',
  usrCpu: 'guest_fio_usr_cpu_pct',
  sysCpu: 'guest_fio_sys_cpu_pct',
  ctx: 'guest_fio_ctx_switches',
  totalIos: 'total_ios',
  runtimeMs: 'fio_runtime_ms',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export interface MetricInfo {
  unit: string;
  /** Which direction is an improvement; lets exporters and the gate stay generic. */
  better: 'higher' | 'lower';
  /**
   * benchstat's unit and the factor from ours to it; absent: not written in
   * Go benchmark format. Latencies go out in seconds under units without
   * `ns`, which benchfmt would otherwise rescale.
   */
  gobench?: { unit: string; scale: number };
  /** The gate tests this metric by default, with this minimum effect (percent); absent: only when asked. */
  defaultMinEffectPct?: number;
}

/** In this order in every listing (Go benchmark units, the gate's defaults). */
export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  [METRIC.iops]: { unit: 'IO/s', better: 'higher', gobench: { unit: 'iops', scale: 1 }, defaultMinEffectPct: 5 },
  [METRIC.bandwidth]: { unit: 'B/s', better: 'higher', gobench: { unit: 'B/s', scale: 1 } },
  [METRIC.clatMean]: { unit: 'ns', better: 'lower', gobench: { unit: 'clat-mean-sec', scale: 1e-9 } },
  [METRIC.clatP50]: { unit: 'ns', better: 'lower' },
  [METRIC.clatP99]: {
    unit: 'ns',
    better: 'lower',
    gobench: { unit: 'clat-p99-sec', scale: 1e-9 },
    defaultMinEffectPct: 5,
  },
  [METRIC.usrCpu]: { unit: '%', better: 'lower' },
  [METRIC.sysCpu]: { unit: '%', better: 'lower' },
  [METRIC.ctx]: { unit: 'count', better: 'lower' },
  [METRIC.totalIos]: { unit: 'count', better: 'higher' },
  // Informational: with time_based the runtime is fixed; "higher" = closer to the full run.
  [METRIC.runtimeMs]: { unit: 'ms', better: 'higher' },
};

/** The table's entries as [name, info] pairs, in table order. */
export function metricEntries(): [MetricName, MetricInfo][] {
  return Object.entries(METRICS) as [MetricName, MetricInfo][];
}

/** A measured value of a known metric, stamped with its unit and direction. */
export function metricValue(name: MetricName, value: number): Metric {
  const { unit, better } = METRICS[name];
  return { value, unit, better };
}
