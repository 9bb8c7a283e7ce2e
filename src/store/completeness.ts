/**
 * Which samples a stored run planned, and which of them have a valid record.
 * run.json's `complete` is a claim; this is the check: a planned (cell,
 * repetition) without a valid record is missing, whatever the status says,
 * and every offline command reports it (never exit 0 on missing data).
 */
import type { Sample } from '../model/sample.js';
import type { SampleSlot } from '../model/diagnostic.js';
import { ImportPlanSchema, RunPlanSchema, type MergedPlan, type StoredPlan } from '../model/schemas/plan.js';
import { MAX_PLANNED_SAMPLES } from '../model/plan-limits.js';

export type { SampleSlot };

export const slotKey = (s: SampleSlot): string => `${s.cellKey}#r${s.repetition}`;

/** Planned samples of one plan, in plan order; appends to `out`. Throws a one-line Error when there are too many. */
function collectSlots(plan: StoredPlan, out: SampleSlot[], depth: number): void {
  if (depth > 16) throw new Error('merged plans nested deeper than 16 levels');
  // The same order as StoredPlanSchema's union: the first shape that fits is the one it is.
  const run = RunPlanSchema.safeParse(plan);
  const imported = run.success ? null : ImportPlanSchema.safeParse(plan);
  if (!run.success && !imported?.success) {
    for (const source of (plan as MergedPlan).sources) collectSlots(source.plan, out, depth + 1);
    return;
  }
  if (imported?.success) {
    const reps = new Map<string, number>();
    for (const f of imported.data.files) {
      const repetition = reps.get(f.cellKey) ?? 0;
      reps.set(f.cellKey, repetition + 1);
      out.push({ cellKey: f.cellKey, repetition });
    }
    return;
  }
  const { groups: planGroups, visits } = run.data!;
  const groups = new Map(planGroups.map((g) => [g.id, g]));
  let count = out.length;
  for (const visit of visits) {
    const group = groups.get(visit.groupId);
    if (!group) throw new Error(`visit of group ${visit.groupId}, which the plan does not have`);
    count += (visit.rounds ?? [visit.round]).length * group.cells.length;
    if (count > MAX_PLANNED_SAMPLES) throw new Error(`plans more than ${MAX_PLANNED_SAMPLES} samples`);
  }
  for (const visit of visits) {
    const group = groups.get(visit.groupId)!;
    for (const round of visit.rounds ?? [visit.round])
      for (const cell of group.cells) out.push({ cellKey: cell.key, repetition: round });
  }
}

/**
 * Cells a stored plan pruned as unsupported on its host. Each has one
 * `unsupported` record (repetition 0, run/unsupported.ts) that is not a
 * planned measurement: readers admit it without counting it as planned.
 */
export function unsupportedCellKeys(plan: StoredPlan, depth = 0): Set<string> {
  const merged = (plan as Partial<MergedPlan>).sources;
  if (Array.isArray(merged) && depth < 16)
    return new Set(merged.flatMap((s) => [...unsupportedCellKeys(s.plan, depth + 1)]));
  const pruned = (plan as { pruned?: unknown }).pruned;
  const keys = new Set<string>();
  if (!Array.isArray(pruned)) return keys;
  for (const p of pruned as { status?: unknown; cell?: { key?: unknown } }[]) {
    if (p?.status === 'unsupported' && typeof p.cell?.key === 'string') keys.add(p.cell.key);
  }
  return keys;
}

/**
 * Every planned (cell, repetition) of a stored plan; a one-line Error when the
 * plan is inconsistent. `roundsPerCell`: a `repetitions: auto` run whose
 * rounds the stopping rule ended (adaptive.json) planned each cell's rounds
 * up to where the rule stopped it, not the plan's maximum — stopping early is
 * complete, not missing.
 */
export function plannedSlots(plan: StoredPlan, roundsPerCell?: ReadonlyMap<string, number>): SampleSlot[] {
  const out: SampleSlot[] = [];
  collectSlots(plan, out, 0);
  if (!roundsPerCell) return out;
  return out.filter((s) => s.repetition < (roundsPerCell.get(s.cellKey) ?? Infinity));
}

/** A cell with fewer valid samples than planned. */
export interface ShortCell {
  cellKey: string;
  samples: number;
  planned: number;
}

export interface Completeness {
  planned: number;
  /** Planned slots without a valid record, in plan order. */
  missing: SampleSlot[];
  /** Cells with fewer valid records than planned, in plan order. */
  shortCells: ShortCell[];
}

export function completenessOf(
  planned: readonly SampleSlot[],
  samples: readonly Pick<Sample, 'cellKey' | 'repetition'>[],
): Completeness {
  const recorded = new Set(samples.map(slotKey));
  const missing = planned.filter((s) => !recorded.has(slotKey(s)));
  const perCell = new Map<string, ShortCell>();
  for (const s of planned) {
    const c = perCell.get(s.cellKey) ?? { cellKey: s.cellKey, samples: 0, planned: 0 };
    c.planned++;
    if (recorded.has(slotKey(s))) c.samples++;
    perCell.set(s.cellKey, c);
  }
  return { planned: planned.length, missing, shortCells: [...perCell.values()].filter((c) => c.samples < c.planned) };
}
