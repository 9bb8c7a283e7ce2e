/** Schema of run.json, the manifest of a results directory (the type: src/store/manifest.ts). */
import { z } from 'zod';
import { RESULTS_SCHEMA_VERSION } from '../sample.js';
import { AccelSchema } from './sample.js';
import { Count, Line, Timestamp } from './common.js';
import { UUID_PATTERN } from '../../util/uuid.js';

/** A run id (run.json's `runId`): a lower-case UUID. */
export const RunIdSchema = z.string({ error: 'expected a UUID' }).regex(UUID_PATTERN, { error: 'expected a UUID' });

/**
 * One entry of run.json's `warnings`: a typed diagnostic of a kind a run
 * stores (src/model/diagnostic.ts: RunWarning), or — in runs stored before
 * kinds existed — its text.
 */
export const StoredWarningSchema = z.union(
  [
    Line(),
    z.discriminatedUnion('kind', [
      z.looseObject({ kind: z.literal('TcgEmulation') }),
      z.looseObject({ kind: z.literal('KvmUnusable'), why: Line(), cause: z.enum(['pvm', 'absent', 'permission']) }),
      z.looseObject({ kind: z.literal('CellUnsupported'), reason: Line(), count: Count.optional() }),
      z.looseObject({ kind: z.literal('ImportedRun'), files: Count, accel: Line(64), accelStated: z.boolean() }),
      z.looseObject({ kind: z.literal('ImportFileSkipped'), file: Line() }),
    ]),
  ],
  { error: 'expected a warning: text, or {kind, …} of a kind run.json stores' },
);

export const ProfileName = z
  .string({ error: 'expected a profile name' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'expected a profile name' });

export const RunManifestSchema = z.looseObject(
  {
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION, {
      error: `expected schemaVersion ${RESULTS_SCHEMA_VERSION} (written by another vblk-bench version?)`,
    }),
    tool: z.looseObject({ name: z.literal('vblk-bench'), version: Line(64) }),
    profileName: ProfileName,
    profilePath: Line(4096).nullable(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    status: z.enum(['incomplete', 'complete'], { error: 'expected incomplete or complete' }),
    accel: AccelSchema,
    stopReason: Line().nullable(),
    warnings: z.array(StoredWarningSchema),
    counts: z.record(z.string(), Count),
    plannedSamples: Count,
    resumes: z.array(z.looseObject({ startedAt: Timestamp, missingSamples: Count, bootSuffix: Line(64) })).optional(),
    // Both absent in runs stored before run ids existed (store/run-id.ts derives one).
    runId: RunIdSchema.optional(),
    mergedFrom: z.array(z.looseObject({ runId: RunIdSchema, dir: Line(4096) })).optional(),
  },
  { error: 'expected a run manifest (a JSON object)' },
);
