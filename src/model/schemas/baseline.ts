/**
 * Schema of a baseline file (`baseline save`; the type: src/fingerprint/result-set.ts):
 * a frozen results directory. Its samples are checked one by one with the
 * sample schema, so one damaged sample is skipped (and counts as missing)
 * instead of refusing the whole file.
 */
import { z } from 'zod';
import { Line, Timestamp } from './common.js';
import { RunManifestSchema } from './manifest.js';
import { StoredEnvironmentSchema, StoredProfileSchema } from './environment.js';
import { StoredPlanSchema } from './plan.js';

export const BASELINE_KIND = 'vblk-bench-baseline';
export const BASELINE_SCHEMA_VERSION = 1;

export const BaselineFileSchema = z.looseObject(
  {
    kind: z.literal(BASELINE_KIND, { error: `expected "kind": "${BASELINE_KIND}" (not a vblk-bench baseline file)` }),
    schemaVersion: z.literal(BASELINE_SCHEMA_VERSION, {
      error: `expected baseline schemaVersion ${BASELINE_SCHEMA_VERSION}`,
    }),
    savedAt: Timestamp,
    source: Line(4096),
    label: Line(256),
    manifest: RunManifestSchema,
    environment: StoredEnvironmentSchema,
    profile: StoredProfileSchema,
    plan: StoredPlanSchema,
    facts: z.looseObject({ guestFio: Line(256).nullable() }),
    samples: z.array(z.unknown(), { error: 'expected a list of samples' }),
  },
  { error: 'expected a baseline file (a JSON object)' },
);
