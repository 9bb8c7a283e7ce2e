/**
 * Cells this host cannot run (in-kernel vhost-blk everywhere upstream) are
 * part of the results, not silently missing: one `unsupported` sample per
 * cell with the reason, so every report shows them, and one warning per
 * distinct reason in run.json. The run still succeeds (exit 0); a backend
 * entry with `required: true` fails the plan instead (plan/rules.ts).
 */
import type { Accel, Sample } from '../model/sample.js';
import type { Plan } from '../plan/plan.js';
import type { PrunedCell } from '../plan/rules.js';
import type { RunWarning } from '../model/diagnostic.js';
import type { Logger } from '../model/logger.js';

export type UnsupportedDraft = Omit<Sample, 'schemaVersion' | 'rawFioPath'>;

/** Group and boot ids of a sample that no boot produced. */
const NO_BOOT = '-';

/** One `unsupported` sample per unsupported cell (pure). */
export function unsupportedSamples(pruned: readonly PrunedCell[], accel: Accel, now = new Date()): UnsupportedDraft[] {
  const at = now.toISOString();
  return pruned
    .filter((p) => p.status === 'unsupported')
    .map(({ cell, reason }) => ({
      cellKey: cell.key,
      cell: cell.values,
      requested: cell.requested,
      groupId: NO_BOOT,
      bootId: NO_BOOT,
      repetition: 0,
      startedAt: at,
      finishedAt: at,
      status: 'unsupported' as const,
      reason,
      failureKind: 'CellUnsupported' as const,
      accel,
      metrics: {},
      observed: {},
      notices: cell.notices,
    }));
}

/** One warning per distinct reason, with how many cells it covers. Pure. */
export function unsupportedWarnings(pruned: readonly PrunedCell[]): RunWarning[] {
  const counts = new Map<string, number>();
  for (const p of pruned) if (p.status === 'unsupported') counts.set(p.reason, (counts.get(p.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ kind: 'CellUnsupported', reason, count }));
}

const isFirstShard = (plan: Plan) => ((plan as Plan & { shard?: { index: number } }).shard?.index ?? 1) === 1;

/** Warns (log and run.json) about a new run's unsupported cells, before anything boots. */
export async function warnUnsupported(
  writer: { addWarning(w: RunWarning): Promise<void> },
  plan: Plan,
  log: Logger,
): Promise<void> {
  for (const w of unsupportedWarnings(plan.pruned)) {
    log.diagnostic(w);
    await writer.addWarning(w);
  }
}

/**
 * Stores the unsupported samples a run does not have yet (`recorded`: cell
 * keys already in the results, for `--resume`). Called after the measured
 * samples, so tables keep a measured configuration as their reference row.
 * A sharded run stores them in shard 1 only, so merged shards have each once.
 */
export async function storeUnsupported(
  writer: { writeSample(s: UnsupportedDraft): Promise<unknown> },
  plan: Plan,
  recorded: ReadonlySet<string> = new Set(),
): Promise<void> {
  if (!isFirstShard(plan)) return;
  for (const sample of unsupportedSamples(plan.pruned, plan.accel)) {
    if (!recorded.has(sample.cellKey)) await writer.writeSample(sample);
  }
}
