/**
 * Schema of `boots/<id>/boot.json`: how one guest boot went (written by
 * src/run/guest-boot.ts when it booted, src/run/run-plan.ts when it failed).
 * Only `merge` reads the boots/ directory back, to copy it.
 */
import { z } from 'zod';
import { Line } from './common.js';

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'expected an id' });

export const BootRecordSchema = z.union(
  [
    z.looseObject({
      bootId: Id,
      groupId: Id,
      accel: z.enum(['kvm', 'tcg']),
      timings: z.record(z.string(), z.number().nonnegative()).nullable(),
      device: Line(256),
      guestKernel: Line(256),
    }),
    z.looseObject({
      bootId: Id,
      groupId: Id,
      attempt: z.number().int().nonnegative(),
      status: z.literal('failed'),
      step: Line(64),
      error: Line(),
      details: z.array(Line()),
      evidence: z.array(Line()),
    }),
  ],
  { error: 'expected a boot record' },
);
