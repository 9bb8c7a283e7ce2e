/**
 * The run loop: visit groups in the planned order, one boot per visit, every
 * cell of the group measured in that boot, every sample stored the moment it
 * exists. A failed boot fails its cells (with the reason) and the run goes on.
 */
import type { Accel } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import type { Plan } from '../plan/plan.js';
import { groupById } from '../plan/plan.js';
import type { GuestImage } from '../guest-image/guest-image.js';
import type { RunWriter } from '../store/run-writer.js';
import { RunStepError } from '../model/errors.js';
import { bootGuest, type BootTimings } from './guest-boot.js';
import { measureCell, type SampleDraft } from './measure-cell.js';
import type { Logger } from '../cli/log.js';
import { formatCount } from '../report/format.js';

export interface RunLoopResult {
  samplesWritten: number;
  boots: { bootId: string; groupId: string; timings: BootTimings | null; error?: string }[];
  interrupted: boolean;
}

export async function runPlan(opts: {
  profile: Profile;
  plan: Plan;
  accel: Accel;
  image: GuestImage;
  backingPath: string;
  writer: RunWriter;
  log: Logger;
  signal: AbortSignal;
}): Promise<RunLoopResult> {
  const { profile, plan, writer, log, signal } = opts;
  const result: RunLoopResult = { samplesWritten: 0, boots: [], interrupted: false };
  const total = plan.sampleCount;
  const store = async (draft: SampleDraft, rawFio?: unknown) => {
    await writer.writeSample(draft, rawFio);
    result.samplesWritten += 1;
    const iops = draft.metrics.iops?.value;
    const what = draft.status === 'ok' && iops !== undefined ? `${formatCount(iops)} IOPS` : `${draft.status}: ${draft.reason ?? ''}`;
    log.info(`[${result.samplesWritten}/${total}] ${draft.cellKey} r${draft.repetition}: ${what}`);
  };

  for (const [visitIndex, visit] of plan.visits.entries()) {
    if (signal.aborted) break;
    const group = groupById(plan, visit.groupId);
    const bootId = `b${String(visitIndex + 1).padStart(3, '0')}-${group.id}-r${visit.round}`;
    const bootDir = await writer.bootDir(bootId);
    log.info(`boot ${bootId}: ${group.key} (${group.cells.length} cells)`);
    let guest;
    try {
      guest = await bootGuest({ profile, accel: opts.accel, image: opts.image, group, bootId, bootDir, backingPath: opts.backingPath });
    } catch (err) {
      if (signal.aborted) break;
      const message = err instanceof RunStepError ? `${err.step}: ${err.message}` : (err as Error).message;
      log.warn(`boot ${bootId} failed: ${message}`);
      if (err instanceof RunStepError) for (const line of err.details) log.warn(line);
      result.boots.push({ bootId, groupId: group.id, timings: null, error: message });
      const now = new Date().toISOString();
      for (const cell of group.cells) {
        await store({
          cellKey: cell.key, cell: cell.values, requested: cell.requested, groupId: group.id, bootId,
          repetition: visit.round, startedAt: now, finishedAt: now, status: 'failed',
          reason: `boot failed: ${message.split('\n')[0]}`, accel: opts.accel, metrics: {}, observed: {}, notices: cell.notices,
        });
      }
      continue;
    }
    result.boots.push({ bootId, groupId: group.id, timings: guest.timings });
    log.info(`boot ${bootId}: ready in ${(guest.timings.readyMs / 1000).toFixed(1)}s, ssh in ${(guest.timings.sshMs / 1000).toFixed(1)}s, test disk /dev/${guest.device}`);
    const activeSettings = new Map<string, string | number>();
    try {
      for (const cell of group.cells) {
        if (signal.aborted) break;
        const outcome = await measureCell({ guest, profile, group, cell, repetition: visit.round, accel: opts.accel, activeSettings });
        // A cell cut short by Ctrl-C is not a measurement: leave it missing, the run is incomplete.
        if (signal.aborted) break;
        await store(outcome.draft, outcome.rawFio);
      }
    } finally {
      await guest.stop();
    }
  }
  result.interrupted = signal.aborted;
  return result;
}
