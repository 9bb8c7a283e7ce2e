/**
 * A seeded, format-exact synthetic nightly tree: `runs` results directories
 * of one profile (`nightly200`: ioeventfd on/off × iodepth 1…cells/2,
 * `reps` repetitions each), one a day, built from a real recorded run
 * (test/fixtures/runs/gate/base: its profile, environment and a sample with
 * its insight) with start times and IOPS varied. Every file passes the
 * readers' schemas; the same seed gives the same tree.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/util/prng.js';
import { uuidV5 } from '../src/util/uuid.js';
import { sampleBaseName } from '../src/store/layout.js';
import { RUN_ID_NAMESPACE } from '../src/store/run-id.js';

export interface TreeShape {
  runs: number;
  cells: number;
  reps: number;
  seed: number;
}

export const PROFILE = 'nightly200';
const DAY_MS = 86_400_000;
const FIRST_NIGHT = Date.parse('2026-01-01T02:00:00.000Z');

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

interface Template {
  profile: Record<string, unknown>;
  environment: Record<string, unknown>;
  manifest: Record<string, unknown>;
  sample: Record<string, unknown>;
}

function template(repo: string): Template {
  const base = join(repo, 'test/fixtures/runs/gate/base');
  const sample = readJson(join(base, 'samples/0001-backend-virtio-blk_ioeventfd-on_scheduler-none_iodepth-4-r0.json'));
  delete sample.rawFioPath; // no raw files in the tree: the sample carries observed.guestFio
  return {
    profile: readJson(join(base, 'profile.json')),
    environment: readJson(join(base, 'environment.json')),
    manifest: readJson(join(base, 'run.json')),
    sample,
  };
}

function planOf(shape: TreeShape, depths: number[]): Record<string, unknown> {
  const groups = ['on', 'off'].map((io, g) => ({
    id: `g${g + 1}`,
    key: `backend=virtio-blk,ioeventfd=${io}`,
    boot: { backend: 'virtio-blk', ioeventfd: io },
    options: { backend: {}, ioeventfd: {} },
    cells: depths.map((d) => {
      const values = { backend: 'virtio-blk', ioeventfd: io, scheduler: 'none', iodepth: d };
      return {
        key: `backend=virtio-blk,ioeventfd=${io},scheduler=none,iodepth=${d}`,
        values,
        requested: values,
        options: { backend: {}, ioeventfd: {}, scheduler: {}, iodepth: {} },
        notices: [],
      };
    }),
  }));
  const visits = [];
  for (let round = 0; round < shape.reps; round++)
    for (const g of groups) visits.push({ round, groupId: g.id, rounds: [round] });
  return { profileName: PROFILE, accel: 'tcg', groups, pruned: [], visits, sampleCount: shape.cells * shape.reps };
}

/** Writes the tree under `dir`; returns the run directories, oldest first. */
export function writeSyntheticTree(repo: string, dir: string, shape: TreeShape): string[] {
  const t = template(repo);
  const depths = Array.from({ length: shape.cells / 2 }, (_, i) => i + 1);
  const plan = planOf(shape, depths);
  const planText = JSON.stringify(plan, null, 2);
  const profile = { ...t.profile, name: PROFILE, repetitions: shape.reps };
  const rng = mulberry32(shape.seed);
  const runs: string[] = [];
  for (let r = 0; r < shape.runs; r++) {
    const start = FIRST_NIGHT + r * DAY_MS + Math.floor(rng() * 600_000);
    const runDir = join(dir, `${PROFILE}-${stamp(start)}`);
    mkdirSync(join(runDir, 'samples'), { recursive: true });
    let seq = 0;
    let at = start + 30_000;
    for (let rep = 0; rep < shape.reps; rep++)
      for (const [g, io] of ['on', 'off'].entries())
        for (const d of depths) {
          seq += 1;
          const cell = { backend: 'virtio-blk', ioeventfd: io, scheduler: 'none', iodepth: d };
          const cellKey = `backend=virtio-blk,ioeventfd=${io},scheduler=none,iodepth=${d}`;
          const metrics = structuredClone(t.sample.metrics) as Record<string, { value: number }>;
          metrics.iops!.value = Math.round(4000 * (1 + Math.log2(d) / 4) * (0.85 + 0.3 * rng()));
          const sample = {
            ...t.sample,
            cellKey,
            cell,
            requested: cell,
            groupId: `g${g + 1}`,
            bootId: `b${String(rep * 2 + g + 1).padStart(3, '0')}-g${g + 1}-r${rep}`,
            repetition: rep,
            startedAt: new Date(at).toISOString(),
            finishedAt: new Date(at + 3_000).toISOString(),
            metrics,
          };
          at += 3_500;
          writeFileSync(join(runDir, 'samples', `${sampleBaseName(seq, cellKey, rep)}.json`), JSON.stringify(sample));
        }
    const manifest = {
      ...t.manifest,
      profileName: PROFILE,
      profilePath: null,
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(at).toISOString(),
      counts: { ok: seq },
      plannedSamples: seq,
      runId: uuidV5(RUN_ID_NAMESPACE, `synthetic ${shape.seed} ${r}`),
    };
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(runDir, 'profile.json'), JSON.stringify(profile, null, 2));
    writeFileSync(join(runDir, 'environment.json'), JSON.stringify(t.environment, null, 2));
    writeFileSync(join(runDir, 'plan.json'), planText);
    runs.push(runDir);
  }
  return runs;
}
