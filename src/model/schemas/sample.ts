/**
 * Schema of one stored sample (`samples/NNNN-….json`, and every entry of a
 * baseline file's `samples`): the central record (src/model/sample.ts). A
 * sample that fails it is skipped by every reader and counts as missing.
 */
import { z } from 'zod';
import { RESULTS_SCHEMA_VERSION } from '../sample.js';
import { FAILURE_KINDS } from '../diagnostics/failures.js';
import { SampleInsightSchema } from './insight.js';
import { CellValues, Count, Line, MetricsSchema, RelativeFile, Timestamp, keyOfCell } from './common.js';
import { RAW_FIO_DIR } from './paths.js';

const SampleStatusSchema = z.enum(['ok', 'failed', 'unsupported', 'invalid'], {
  error: 'expected ok, failed, unsupported or invalid',
});
export const AccelSchema = z.enum(['kvm', 'tcg'], { error: 'expected kvm or tcg' });

const Id = z
  .string({ error: 'expected an id' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'expected an id of letters, digits, . _ -' });

/** A sample's group or boot: an id, or `-` for a sample no boot produced (an unsupported cell, run/unsupported.ts). */
const SampleBootRef = z.union([z.literal('-'), Id], {
  error: 'expected an id of letters, digits, . _ - (or - for no boot)',
});

/** The kind of a failure (model/diagnostics/failures.ts): it picks the hint, so an unknown one cannot be shown. */
export const FailureKindSchema = z.enum(FAILURE_KINDS, { error: 'expected a known failure kind' });

const BootRetrySchema = z.looseObject({
  bootId: Id,
  step: Line(64),
  reason: Line(),
  failureKind: FailureKindSchema.optional(),
});

export const SampleSchema = z
  .looseObject(
    {
      schemaVersion: z.literal(RESULTS_SCHEMA_VERSION, {
        error: `expected schemaVersion ${RESULTS_SCHEMA_VERSION} (written by another vblk-bench version?)`,
      }),
      cellKey: Line(4096),
      cell: CellValues,
      requested: CellValues,
      groupId: SampleBootRef,
      bootId: SampleBootRef,
      repetition: Count.max(100_000),
      startedAt: Timestamp,
      finishedAt: Timestamp,
      status: SampleStatusSchema,
      reason: Line().optional(),
      failureKind: FailureKindSchema.optional(),
      accel: AccelSchema,
      metrics: MetricsSchema,
      observed: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), {
        error: 'expected a mapping of observed facts',
      }),
      rawFioPath: RelativeFile(RAW_FIO_DIR).optional(),
      notices: z.array(Line(), { error: 'expected a list of notices' }),
      bootRetries: z.array(BootRetrySchema).optional(),
      insight: SampleInsightSchema.optional(),
    },
    { error: 'expected a sample record (a JSON object)' },
  )
  .superRefine((s, ctx) => {
    if (keyOfCell(s.cell) !== s.cellKey)
      ctx.addIssue({ code: 'custom', path: ['cellKey'], message: 'does not match the cell values' });
  });
