/**
 * Schemas of the results index (src/store/results-index.ts), kept in the
 * user cache, outside every results directory: the catalog (one entry per
 * run of a results root: the key it was indexed under and what `list`
 * shows) and the per-run digest files (what `history` reads). A cache: an
 * index file that fails its schema is dropped and rebuilt from the runs.
 */
import { z } from 'zod';
import { Better, CellValues, Count, Line } from './common.js';
import { RunManifestSchema } from './manifest.js';

export const RESULTS_INDEX_KIND = 'vblk-bench-results-index';
export const RESULTS_INDEX_SCHEMA_VERSION = 1;

const SlotSchema = z.object({ cellKey: Line(4096), repetition: Count });

/** What `list` shows of a run, and what says whether it is whole (src/store/wholeness.ts). */
export const RunOverviewSchema = z.object({
  manifest: RunManifestSchema,
  completeness: z.object({
    planned: Count,
    missing: z.array(SlotSchema),
    shortCells: z.array(z.object({ cellKey: Line(4096), samples: Count, planned: Count })),
  }),
  /** Stored diagnostics (src/model/diagnostics/stored.ts), as the reader produced them. */
  diagnostics: z.array(z.looseObject({ kind: Line(64) })),
  cells: Count,
  samples: Count,
  ok: Count,
});

export const CatalogEntrySchema = z.object({
  /** Sizes, mtimes and inodes of the run's files when it was indexed (results-index.ts: runKey). */
  key: Line(),
  overview: RunOverviewSchema.nullable(),
  /** Why the run could not be read (overview null). */
  error: Line().optional(),
});

export const IndexCatalogSchema = z.object({
  kind: z.literal(RESULTS_INDEX_KIND),
  schemaVersion: z.literal(RESULTS_INDEX_SCHEMA_VERSION),
  /** The results root (real path) this index describes. */
  root: Line(4096),
  /** The digest format of the digest files; another version drops them all. */
  digestVersion: Line(64),
  runs: z.record(z.string(), CatalogEntrySchema),
});

/**
 * A run's history digest (src/history/run-digest.ts) as the index stores it:
 * its cells in order of first occurrence and its environment fingerprint
 * (the common part), and per metric the direction of improvement and the
 * packed points (base64 of float64: per cell n, median, CI low, CI high).
 */
export const HistoryDigestCommonSchema = z.object({
  cells: z.array(z.object({ cellKey: Line(4096), cell: CellValues })),
  fingerprint: z.record(z.string(), z.string()),
});

export const HistoryDigestMetricSchema = z.object({ better: Better, points: z.string() });

const MetricName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

/**
 * The digests of one profile's runs, common parts (history/<profile>/runs.json):
 * each distinct shared or context part (a cell list, a fingerprint) once, and
 * per run (directory name) the key it was indexed under, which shared and
 * context part it has, and the metrics it has (each in the metric's file).
 */
export const DigestRunsFileSchema = z.object({
  kind: z.literal(`${RESULTS_INDEX_KIND}-digests`),
  digestVersion: Line(64),
  profile: Line(4096),
  texts: z.array(z.unknown()),
  runs: z.record(z.string(), z.object({ key: Line(), shared: Count, context: Count, metrics: z.array(MetricName) })),
});

/** One metric of one profile's runs (history/<profile>/<metric>.json): per run its key and its part. */
export const DigestMetricFileSchema = z.object({
  kind: z.literal(`${RESULTS_INDEX_KIND}-digest-metric`),
  digestVersion: Line(64),
  metric: MetricName,
  runs: z.record(z.string(), z.object({ key: Line(), part: z.unknown() })),
});
