/**
 * Schema of fio's JSON output (`--output-format=json`), only the fields
 * vblk-bench uses; everything else stays in the raw document untouched. The
 * same schema reads fio output live (src/guest/fio-result.ts), imports it
 * (`import`) and reads the fio version back from a stored raw file.
 */
import { z } from 'zod';

const num = z.number({ error: 'expected a finite number' });
const nonNegative = num.nonnegative({ error: 'negative' });

const FioLatencySchema = z.object({
  mean: nonNegative,
  N: nonNegative.optional(),
  percentile: z.record(z.string(), nonNegative).optional(),
});

const FioDirectionSchema = z.object({
  /** KiB/s (both 2.x and 3.x). */
  bw: nonNegative,
  /** B/s, fio ≥ 3.2 or so; derived from `bw` when absent. */
  bw_bytes: nonNegative.optional(),
  iops: nonNegative,
  runtime: nonNegative,
  /** Missing in fio < 2.2. */
  total_ios: nonNegative.optional(),
  clat_ns: FioLatencySchema.optional(),
  /** fio 2.x: microseconds. */
  clat: FioLatencySchema.optional(),
});

/** Option values as fio prints them (strings; numbers in some versions). */
const FioOptions = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional();

const FioJobSchema = z.object({
  jobname: z.string().max(4096),
  /** Reporting group: jobs separated by `stonewall` or `new_group` get different ids. Absent in very old fio: 0. */
  groupid: z.number().int().nonnegative().optional(),
  error: z.number().optional(),
  'job options': FioOptions,
  read: FioDirectionSchema.optional(),
  write: FioDirectionSchema.optional(),
  trim: FioDirectionSchema.optional(),
  /** unified_rw_reporting=1 */
  mixed: FioDirectionSchema.optional(),
  job_runtime: nonNegative.optional(),
  usr_cpu: nonNegative,
  sys_cpu: nonNegative,
  ctx: nonNegative,
});

export const FioJsonSchema = z.object({
  'fio version': z.string().max(256),
  'global options': FioOptions,
  jobs: z.array(FioJobSchema).min(1, { error: 'no jobs in fio output' }).max(4096),
});

/** Just the version, to read it back from a stored raw document. */
export const FioVersionSchema = z.looseObject({ 'fio version': z.string().max(256) });

export type FioDirection = z.infer<typeof FioDirectionSchema>;
export type FioJob = z.infer<typeof FioJobSchema>;
export type FioJson = z.infer<typeof FioJsonSchema>;
