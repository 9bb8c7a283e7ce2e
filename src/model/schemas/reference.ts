/** Schema of a host reference record (`reference/NNNN-….json`; the type: src/store/reference-store.ts). */
import { z } from 'zod';
import { CellValues, Line, MetricsSchema, RelativeFile, Timestamp } from './common.js';
import { REFERENCE_DIR } from './paths.js';
import { FailureKindSchema } from './sample.js';

const REFERENCE_SCHEMA_VERSION = 1;

export const ReferenceRecordSchema = z.looseObject(
  {
    schemaVersion: z.literal(REFERENCE_SCHEMA_VERSION, { error: `expected schemaVersion ${REFERENCE_SCHEMA_VERSION}` }),
    kind: z.literal('host-reference'),
    fioKey: Line(4096),
    fio: CellValues,
    target: Line(4096),
    argv: z.array(Line(65_536)),
    startedAt: Timestamp,
    finishedAt: Timestamp,
    status: z.enum(['ok', 'failed']),
    reason: Line().optional(),
    failureKind: FailureKindSchema.optional(),
    metrics: MetricsSchema,
    rawFioPath: RelativeFile(REFERENCE_DIR).optional(),
    notices: z.array(Line()),
  },
  { error: 'expected a host reference record (a JSON object)' },
);
