import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import { loadProfile } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { assignGroups, parseShard, shardPlan } from '../../../src/plan/shard.js';

describe('--shard i/n', () => {
  it('parses i/n and refuses nonsense', () => {
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3', '-1/2'])
      assert.throws(() => parseShard(bad), /--shard: expected i\/n/, bad);
  });

  it('splits the groups of seed-2011 into a partition, balanced and deterministic', async () => {
    const profile = await loadProfile(join(REPO_ROOT, 'profiles', 'seed-2011.yaml'));
    const plan = makePlan(profile, 'tcg');
    for (const n of [1, 2, 3, 5]) {
      const parts = assignGroups(plan, n);
      assert.deepEqual(parts, assignGroups(plan, n), 'deterministic');
      assert.deepEqual(parts.flat().sort(), plan.groups.map((g) => g.id).sort(), 'every group exactly once');
      const opts = { runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time };
      const shards = Array.from({ length: n }, (_, i) => shardPlan(plan, { index: i + 1, count: n }, opts));
      const cells = shards.flatMap((s) => s.groups.flatMap((g) => g.cells.map((c) => c.key))).sort();
      assert.deepEqual(cells, plan.groups.flatMap((g) => g.cells.map((c) => c.key)).sort());
      assert.equal(
        shards.reduce((s, p) => s + p.sampleCount, 0),
        plan.sampleCount,
      );
      assert.equal(
        shards.reduce((s, p) => s + p.visits.length, 0),
        plan.visits.length,
      );
      for (const s of shards) for (const v of s.visits) assert.ok(s.shard.groups.includes(v.groupId));
      const loads = shards.map((s) => s.sampleCount);
      assert.ok(
        Math.max(...loads) - Math.min(...loads) <=
          Math.max(...plan.groups.map((g) => g.cells.length)) * (profile.repetitions as number),
        `balanced: ${loads}`,
      );
    }
  });

  it('more shards than groups: the extra shards are empty, not an error', async () => {
    const plan = makePlan(await loadProfile(join(REPO_ROOT, 'profiles', 'quick.yaml')), 'tcg');
    const parts = assignGroups(plan, 3);
    assert.deepEqual(
      parts.map((p) => p.length),
      [1, 1, 0],
    );
  });
});
