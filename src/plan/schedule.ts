/**
 * Visit order. Repetitions are interleaved: a round visits every group once
 * (each visit is one boot), so slow drift of the host shows up in every
 * configuration alike instead of masquerading as a configuration effect.
 */
import type { BootGroup } from './groups.js';
import { mulberry32, randomInt } from '../stats/prng.js';

export interface Visit {
  /** 0-based repetition round. */
  round: number;
  groupId: string;
}

/** Fisher-Yates with the recorded seed: the order is reproducible. */
function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function scheduleVisits(
  groups: BootGroup[],
  opts: { repetitions: number; order: 'round-robin' | 'random'; seed: number },
): Visit[] {
  const random = mulberry32(opts.seed);
  const visits: Visit[] = [];
  for (let round = 0; round < opts.repetitions; round++) {
    const ids = groups.map((g) => g.id);
    for (const groupId of opts.order === 'random' ? shuffled(ids, random) : ids) visits.push({ round, groupId });
  }
  return visits;
}
