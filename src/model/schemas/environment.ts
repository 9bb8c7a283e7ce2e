/**
 * Schema of environment.json and profile.json as stored: JSON objects the
 * fingerprint flattens field by field (any JSON value compares), so only
 * their shape at the top is checked — plus the fields a reader uses.
 */
import { z } from 'zod';
import { ProfileName } from './manifest.js';

export const StoredEnvironmentSchema = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' });

export const StoredProfileSchema = z.looseObject(
  {
    name: ProfileName,
    repetitions: z.union([z.number().int().positive(), z.literal('auto')]).optional(),
    matrix: z.record(z.string(), z.unknown()).optional(),
  },
  { error: 'expected a resolved profile (a JSON object)' },
);
