/**
 * The guest total of a traced run: fio's `lat` (slat + clat) of the job's
 * read (or write) direction. slat matters: with ioeventfd=off the kick runs
 * inside io_submit, so clat alone would not contain the inner layers. The
 * traced run asks fio for lat percentiles (--lat_percentiles=1). Pure.
 */
import type { LayerStats } from '../model/latency.js';

interface FioLatNs {
  mean?: number;
  N?: number;
  percentile?: Record<string, number>;
}
interface FioDirection {
  iops?: number;
  total_ios?: number;
  lat_ns?: FioLatNs;
}

export interface FioTotal {
  iops: number;
  ios: number;
  stats?: LayerStats;
}

/** The direction that did I/O (read first), from fio's JSON; null when there is none. */
export function fioTotal(json: unknown): FioTotal | null {
  const job = (json as { jobs?: Record<string, FioDirection>[] })?.jobs?.[0];
  if (!job) return null;
  const dir = [job.read, job.write].find((d) => d && (d.total_ios ?? 0) > 0);
  if (!dir) return null;
  const ios = dir.total_ios ?? 0;
  const lat = dir.lat_ns;
  const pct = (p: string) => lat?.percentile?.[p];
  const p50 = pct('50.000000');
  const p99 = pct('99.000000');
  return {
    iops: dir.iops ?? 0,
    ios,
    ...(lat?.mean === undefined
      ? {}
      : {
          stats: {
            count: lat.N ?? ios,
            meanUs: lat.mean / 1000,
            ...(p50 === undefined ? {} : { p50Us: p50 / 1000 }),
            ...(p99 === undefined ? {} : { p99Us: p99 / 1000 }),
          },
        }),
  };
}
