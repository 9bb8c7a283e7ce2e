/**
 * Schema of the fidelity file (`calibrate --fidelity`; its meaning:
 * src/calibrate/fidelity-file.ts): every sample of both paths — the normal
 * run and the harness-free boot — per round, so the verdict can be rendered
 * again (with another margin or α) from the file alone.
 */
import { z } from 'zod';
import { Count, Line, Timestamp } from './common.js';
import { ProfileName } from './manifest.js';

export const FIDELITY_KIND = 'vblk-bench-fidelity';
export const FIDELITY_SCHEMA_VERSION = 1;
export const FIDELITY_FILE = 'fidelity.json';

export const FIDELITY_PATHS = ['normal', 'harness-free'] as const;
const Path = z.enum(FIDELITY_PATHS, { error: 'expected normal or harness-free' });

const finite = z.number({ error: 'expected a finite number' });
/** A path under the fidelity directory, as written (no `..`, not absolute). */
const RelPath = z
  .string()
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9._=,+-]{0,250})(?:\/[A-Za-z0-9][A-Za-z0-9._=,+-]{0,250}){0,6}$/, {
    error: 'expected a path inside the fidelity directory',
  });

const FidelitySampleSchema = z.looseObject({
  round: Count.min(1),
  path: Path,
  cellKey: Line(4096),
  bootId: Line(256),
  status: z.enum(['ok', 'failed', 'invalid'], { error: 'expected ok, failed or invalid' }),
  reason: Line().optional(),
  metrics: z.record(
    z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/),
    finite.nonnegative().max(1e15, { error: 'not a plausible measurement' }),
  ),
  /** The sample's evidence: the normal run's sample file, or the harness-free boot's raw fio JSON. */
  evidence: RelPath.optional(),
});

export const FidelityFileSchema = z.looseObject(
  {
    kind: z.literal(FIDELITY_KIND, { error: `expected "kind": "${FIDELITY_KIND}" (not a vblk-bench fidelity file)` }),
    schemaVersion: z.literal(FIDELITY_SCHEMA_VERSION, {
      error: `expected fidelity schemaVersion ${FIDELITY_SCHEMA_VERSION}`,
    }),
    createdAt: Timestamp,
    profileName: ProfileName,
    accel: z.enum(['kvm', 'tcg']),
    pairs: Count.min(1).max(10_000),
    cells: z.array(Line(4096)).min(1).max(10_000),
    settings: z.looseObject({
      metric: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/),
      alpha: finite.gt(0).lt(0.5),
      marginPct: finite.gt(0).max(1000),
    }),
    rounds: z
      .array(
        z.looseObject({
          round: Count.min(1),
          first: Path,
          normalRun: RelPath.nullable(),
          normalExitCode: Count.max(255),
        }),
      )
      .max(10_000),
    samples: z.array(FidelitySampleSchema).max(1_000_000),
  },
  { error: 'expected a fidelity file (a JSON object)' },
);

export type FidelityFile = z.output<typeof FidelityFileSchema>;
export type FidelitySample = z.output<typeof FidelitySampleSchema>;
export type FidelityPath = (typeof FIDELITY_PATHS)[number];
