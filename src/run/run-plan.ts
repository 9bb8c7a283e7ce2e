/**
 * The run loop: visit groups in the planned order, one boot per visit, every
 * cell of the group measured in that boot, every sample stored the moment it
 * exists.
 *
 * Failures, by kind:
 *  - infrastructure (QEMU start, QMP, the guest's ready marker, SSH, a guest
 *    that dies mid-visit): retried with a fresh guest up to `boot_retries`
 *    times per visit, and recorded (failed boots keep their boots/<id>/ with
 *    boot.json, serial.log and qemu.stderr.log; samples list the retries);
 *    when no retry is left, the cells not measured are stored as failed;
 *  - measurement (fio fails, prints garbage, the guest dies during it): the
 *    sample is stored as failed — never retried silently;
 *  - fatal (SSH refuses the key, host key mismatch, a host problem): the loop
 *    stops; cells not measured stay missing, for `run --resume` after a fix;
 *  - storage (the results directory is full or unwritable): the loop stops;
 *    the sample that could not be stored is handed back in `unsaved`.
 * Ctrl-C: the cell in flight is not stored (it is not a measurement).
 */
import { join } from 'node:path';
import type { Accel, BootRetry } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import type { Plan } from '../plan/plan.js';
import type { Cell } from '../plan/cells.js';
import type { BootGroup } from '../plan/groups.js';
import { groupById } from '../plan/plan.js';
import { visitMeasurements } from '../plan/schedule.js';
import type { GuestSource } from '../guest-image/source.js';
import { SampleWriteError, type RunWriter, type UnsavedSample } from '../store/run-writer.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { bootDir as bootDirOf } from '../store/layout.js';
import { isStorageFull } from '../store/storage.js';
import { HostError, RunStepError } from '../model/errors.js';
import type { FailureKind } from '../model/diagnostic.js';
import { removeSocketsIn } from '../lifecycle/run-registry.js';
import { bootEvidence, bootGuest, type BootTimings, type RunningGuest } from './guest-boot.js';
import { measureCell, type SampleDraft } from './measure-cell.js';
import type { Logger } from '../model/logger.js';
import { formatCount } from '../util/number-format.js';

export interface BootRecord {
  bootId: string;
  groupId: string;
  timings: BootTimings | null;
  error?: string;
}

export interface RunLoopResult {
  samplesWritten: number;
  boots: BootRecord[];
  interrupted: boolean;
  /** Why the loop ended before the plan did, when going on could not help. */
  stopped?: { kind: 'fatal' | 'storage'; error: unknown };
  /** Measured but not stored (results directory full or unwritable): the caller keeps them elsewhere. */
  unsaved: UnsavedSample[];
}

/** What the loop reports as it goes (cli/progress.ts turns it into a status line and an ETA). */
export interface LoopProgress {
  bootStarting(groupKey: string): void;
  /** The boot finished (ready, or failed: a failed boot still took the time). */
  bootEnded(): void;
  cellStarting(cellKey: string, repetition: number): void;
  /** A sample was stored (measured, or failed without a measurement). */
  sampleStored(): void;
  /** Appended to the per-cell log line: ` · 1m02s elapsed · ETA 3m10s`. */
  timing(): string;
}

export interface RunLoopOptions {
  profile: Profile;
  plan: Plan;
  accel: Accel;
  guestSource: GuestSource;
  backingPath: string;
  writer: RunWriter;
  log: Logger;
  signal: AbortSignal;
  /** Live progress (TTY status line, ETA on the per-cell lines). */
  progress?: LoopProgress;
  /** Only these (cell, repetition) samples are measured (`run --resume`); default: all. */
  todo?: (cellKey: string, repetition: number) => boolean;
  /** Appended to boot ids, so a resumed run does not reuse the boot directories of earlier sessions. */
  bootSuffix?: string;
}

/** Every planned sample, in visit order, with the index of the visit (boot) that measures it. */
export function plannedSamples(plan: Plan): { cellKey: string; repetition: number; visit: number }[] {
  return plan.visits.flatMap((visit, index) =>
    visitMeasurements(visit, groupById(plan, visit.groupId).cells).map(({ round, cell }) => ({ cellKey: cell.key, repetition: round, visit: index })),
  );
}

/** Ends the loop early; carried to RunLoopResult.stopped. */
class StopRun extends Error {
  constructor(
    readonly kind: 'fatal' | 'storage',
    readonly error: unknown,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

/** Failures that no fresh guest can fix: the host, or a guest that refuses our key or shows another host key. */
const FATAL_FAILURES: ReadonlySet<FailureKind> = new Set(['SshAuthRefused', 'HostKeyMismatch']);

function isFatal(err: unknown): boolean {
  if (err instanceof HostError) return true;
  return err instanceof RunStepError && FATAL_FAILURES.has(err.failure);
}

function stopFor(err: unknown): StopRun | null {
  if (err instanceof StopRun) return err;
  if (err instanceof SampleWriteError || isStorageFull(err)) return new StopRun('storage', err);
  if (isFatal(err)) return new StopRun('fatal', err);
  return null;
}

const firstLine = (text: string): string => text.split('\n')[0] ?? '';

function describeFailure(err: unknown): { step: string; message: string; failureKind: FailureKind } {
  if (err instanceof RunStepError) return { step: err.step, message: `${err.step}: ${firstLine(err.message)}`, failureKind: err.failure };
  return { step: 'boot', message: firstLine((err as Error)?.message ?? String(err)), failureKind: 'BootFailed' };
}

const guestAlive = (guest: RunningGuest): boolean => guest.qemu.running && !guest.session.isClosed;

export async function runPlan(opts: RunLoopOptions): Promise<RunLoopResult> {
  const { profile, plan, writer, log, signal } = opts;
  const todo = opts.todo ?? (() => true);
  const result: RunLoopResult = { samplesWritten: 0, boots: [], interrupted: false, unsaved: [] };
  const total = plannedSamples(plan).filter((p) => todo(p.cellKey, p.repetition)).length;
  const maxBoots = 1 + profile.boot_retries;

  const store = async (draft: SampleDraft, rawFio?: unknown) => {
    try {
      await writer.writeSample(draft, rawFio);
    } catch (err) {
      if (err instanceof SampleWriteError) result.unsaved.push(err.unsaved);
      throw stopFor(err) ?? err;
    }
    result.samplesWritten += 1;
    opts.progress?.sampleStored();
    const iops = draft.metrics.iops?.value;
    const what = draft.status === 'ok' && iops !== undefined ? `${formatCount(iops)} IOPS` : `${draft.status}: ${draft.reason ?? ''}`;
    log.info(`[${result.samplesWritten}/${total}] ${draft.cellKey} r${draft.repetition}: ${what}${opts.progress?.timing() ?? ''}`);
  };

  /** A sample for a cell that could not be measured at all. */
  const unmeasured = (group: BootGroup, cell: Cell, round: number, bootId: string, failure: { reason: string; failureKind: FailureKind }, retries: BootRetry[]): SampleDraft => {
    const now = new Date().toISOString();
    return {
      cellKey: cell.key, cell: cell.values, requested: cell.requested, groupId: group.id, bootId,
      repetition: round, startedAt: now, finishedAt: now, status: 'failed', ...failure,
      accel: opts.accel, metrics: {}, observed: {}, notices: cell.notices, bootRetries: [...retries],
    };
  };

  /** One boot attempt: the guest, or the failure (already reported and recorded in the boot directory). */
  const tryBoot = async (group: BootGroup, bootId: string, attempt: number): Promise<RunningGuest | BootRetry> => {
    const bootDir = await writer.bootDir(bootId).catch((err) => {
      throw stopFor(err) ?? err;
    });
    opts.progress?.bootStarting(group.key);
    try {
      return await bootGuest({ profile, accel: opts.accel, guestSource: opts.guestSource, group, bootId, bootDir, backingPath: opts.backingPath });
    } catch (err) {
      removeSocketsIn(bootDir); // bootGuest stopped QEMU; a killed QEMU leaves its QMP socket
      const stop = stopFor(err);
      if (stop) throw stop;
      const { step, message, failureKind } = describeFailure(err);
      if (signal.aborted) return { bootId, step, reason: message, failureKind };
      log.warn(`boot ${bootId} failed: ${message}`);
      // Boot-step errors already carry the console evidence as their details; print it once.
      const details = err instanceof RunStepError && err.step !== 'boot' ? err.details : [];
      const evidence = await bootEvidence(bootDir);
      for (const line of [...details, ...evidence]) log.warn(line);
      result.boots.push({ bootId, groupId: group.id, timings: null, error: message });
      await writeJsonAtomic(join(bootDir, 'boot.json'), { bootId, groupId: group.id, attempt, status: 'failed', step, error: message, details, evidence }).catch((e) => {
        throw stopFor(e) ?? e;
      });
      return { bootId, step, reason: message, failureKind };
    } finally {
      opts.progress?.bootEnded();
    }
  };

  try {
    for (const [visitIndex, visit] of plan.visits.entries()) {
      if (signal.aborted) break;
      const group = groupById(plan, visit.groupId);
      const pending = visitMeasurements(visit, group.cells).filter(({ round, cell }) => todo(cell.key, round));
      if (pending.length === 0) continue;
      const baseId = `b${String(visitIndex + 1).padStart(3, '0')}-${group.id}-r${visit.round}${opts.bootSuffix ?? ''}`;
      const retries: BootRetry[] = [];

      for (let attempt = 1; pending.length > 0 && !signal.aborted; attempt++) {
        const bootId = attempt === 1 ? baseId : `${baseId}-a${attempt}`;
        const again = attempt > 1 ? ` — attempt ${attempt} of ${maxBoots}, a fresh guest` : '';
        log.info(`boot ${bootId}: ${group.key} (${pending.length} sample(s))${again}`);
        const booted = await tryBoot(group, bootId, attempt);
        if (signal.aborted) {
          if ('stop' in booted) await booted.stop();
          break;
        }
        let lost: BootRetry | undefined;
        if (!('stop' in booted)) {
          lost = booted;
        } else {
          const guest = booted;
          result.boots.push({ bootId, groupId: group.id, timings: guest.timings });
          log.info(`boot ${bootId}: ready in ${(guest.timings.readyMs / 1000).toFixed(1)}s, ssh in ${(guest.timings.sshMs / 1000).toFixed(1)}s, test disk /dev/${guest.device}`);
          const activeSettings = new Map<string, string | number>();
          try {
            while (pending.length > 0 && !signal.aborted) {
              const { round, cell } = pending[0]!;
              opts.progress?.cellStarting(cell.key, round);
              const outcome = await measureCell({ guest, profile, group, cell, repetition: round, accel: opts.accel, activeSettings });
              // A cell cut short by Ctrl-C is not a measurement: leave it missing, the run is incomplete.
              if (signal.aborted) break;
              if (retries.length > 0) outcome.draft.bootRetries = [...retries];
              await store(outcome.draft, outcome.rawFio);
              pending.shift();
              if (pending.length > 0 && !guestAlive(guest)) {
                // That sample failed and stays failed; the cells after it need a guest.
                lost = { bootId, step: 'guest', reason: `guest lost during ${cell.key} r${round}: ${outcome.draft.reason ?? 'QEMU exited'}`, failureKind: 'GuestLost' };
                log.warn(`boot ${bootId}: ${lost.reason}`);
                break;
              }
            }
          } finally {
            await guest.stop().catch((err) => log.warn(`boot ${bootId}: stopping QEMU: ${(err as Error).message}`));
            removeSocketsIn(bootDirOf(writer.dir, bootId));
          }
        }
        if (!lost || pending.length === 0) continue;
        if (attempt < maxBoots) {
          retries.push(lost);
          log.warn(`boot ${bootId}: retrying ${pending.length} sample(s) with a fresh guest (boot_retries: ${profile.boot_retries})`);
          continue;
        }
        const why = `${'stop' in booted ? 'not measured' : 'boot failed'}: ${lost.reason} (${attempt} boot attempt(s), boot_retries: ${profile.boot_retries})`;
        const failure = { reason: why, failureKind: lost.failureKind ?? 'BootFailed' };
        for (const { round, cell } of pending.splice(0)) await store(unmeasured(group, cell, round, bootId, failure, retries));
      }
    }
  } catch (err) {
    if (!(err instanceof StopRun)) throw err;
    result.stopped = { kind: err.kind, error: err.error };
  }
  result.interrupted = signal.aborted;
  return result;
}
