/**
 * `run --shard i/n`: a deterministic split of a plan's QEMU configuration
 * groups over n runners, so one matrix can be spread over a CI matrix and
 * merged for the gate (`vblk-bench merge`). Whole groups go to one shard (a
 * boot serves all its cells); groups are placed largest first on the shard
 * with the least work so far (ties: lower group index, lower shard), which
 * depends only on the plan. Pure.
 */
import { InputError } from '../model/errors.js';
import type { Plan } from './plan.js';
import { estimateDuration } from './estimate.js';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

export interface ShardInfo extends ShardSpec {
  /** Ids of the groups this shard runs. */
  groups: string[];
}

export type ShardedPlan = Plan & { shard: ShardInfo };

/** `2/3` → {index: 2, count: 3}. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n (e.g. 1/2), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** Group ids per shard (index 0 = shard 1): every group in exactly one shard. */
export function assignGroups(plan: Pick<Plan, 'groups' | 'visits'>, count: number): string[][] {
  const visitsOf = (id: string) => plan.visits.filter((v) => v.groupId === id).length;
  const work = plan.groups.map((g, order) => ({ id: g.id, order, cost: g.cells.length * Math.max(1, visitsOf(g.id)) }));
  work.sort((a, b) => b.cost - a.cost || a.order - b.order);
  const shards = Array.from({ length: count }, () => ({ load: 0, groups: [] as { id: string; order: number }[] }));
  for (const w of work) {
    const target = shards.reduce((best, s) => (s.load < best.load ? s : best), shards[0]!);
    target.load += w.cost;
    target.groups.push(w);
  }
  return shards.map((s) => s.groups.sort((a, b) => a.order - b.order).map((g) => g.id));
}

export function shardPlan(plan: Plan, spec: ShardSpec, opts: { runtimeS: number; rampTimeS: number }): ShardedPlan {
  const groups = assignGroups(plan, spec.count)[spec.index - 1] ?? [];
  const keep = new Set(groups);
  const kept = plan.groups.filter((g) => keep.has(g.id));
  const visits = plan.visits.filter((v) => keep.has(v.groupId));
  const perGroupRepetitions = plan.groups.length
    ? plan.sampleCount / plan.groups.reduce((s, g) => s + g.cells.length, 0)
    : 0;
  const sampleCount = Math.round(kept.reduce((s, g) => s + g.cells.length, 0) * perGroupRepetitions);
  const estimate = estimateDuration({
    accel: plan.accel,
    visits: visits.length,
    samples: sampleCount,
    runtimeS: opts.runtimeS,
    rampTimeS: opts.rampTimeS,
  });
  return { ...plan, groups: kept, visits, sampleCount, estimate, shard: { ...spec, groups } };
}
