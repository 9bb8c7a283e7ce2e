/**
 * Measures one cell inside a running guest: apply its guest settings, run its
 * fio job with the insight collectors around its measured phase (src/insight),
 * and turn the outcome — good or bad — into one Sample.
 * A measurement failure is recorded as such, never retried silently; a
 * configuration the running system does not confirm makes the sample invalid.
 */
import type { Accel, Sample } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import type { BootGroup } from '../plan/groups.js';
import { buildFioArgs } from '../guest/fio-job.js';
import { parseFioOutput, fioSummaryToMetrics } from '../guest/fio-result.js';
import type { RunningGuest } from './guest-boot.js';
import { fioJobFor, fioTimeoutMs } from './cell-job.js';
import { applyGuestSettings, type ActiveGuestSettings } from './guest-settings.js';
import {
  hostSideInsightExtras,
  insightSourcesFor,
  runFioWithInsight,
  type FioWithInsight,
} from '../insight/collect.js';
import { configMismatch, plannedConfig } from '../insight/config.js';
import { GUEST_FIO_KEY, HOST_STEAL_KEY } from '../model/observed-keys.js';
import { readHostCpuTimes, stealPctBetween } from '../host/steal.js';
import { failureKindOf } from '../model/errors.js';
import type { FailureKind } from '../model/diagnostic.js';
import { type ExecResult } from '../guest/remote-command.js';

export type SampleDraft = Omit<Sample, 'schemaVersion' | 'rawFioPath'>;

export interface CellOutcome {
  draft: SampleDraft;
  rawFio?: unknown;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

const firstLine = (err: unknown): string => ((err as Error)?.message ?? String(err)).split('\n')[0] ?? '';

/** Why a fio that ran but did not exit 0 failed: its kind and one line. Pure. */
export function fioExitFailure(result: Pick<ExecResult, 'code' | 'signal' | 'stdout' | 'stderr'>): {
  failureKind: FailureKind;
  reason: string;
} {
  const why = lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.code ?? result.signal}`;
  // 127: the guest's shell found no fio to run.
  if (result.code === 127)
    return { failureKind: 'FioNotFound', reason: `fio not found in the guest (exit 127: ${why})` };
  return { failureKind: 'FioFailed', reason: `fio exited with ${result.code ?? result.signal}: ${why}` };
}

export interface MeasureRequest {
  guest: RunningGuest;
  profile: Profile;
  group: BootGroup;
  cell: Cell;
  repetition: number;
  accel: Accel;
  /** Guest settings already active in this boot, to skip redundant writes. */
  activeSettings: ActiveGuestSettings;
}

type Observed = Record<string, string | number | boolean>;
/** The sample of this cell with this status; `extra` adds to or replaces the defaults. */
type DraftOf = (status: Sample['status'], extra?: Partial<SampleDraft>) => SampleDraft;

export async function measureCell(req: MeasureRequest): Promise<CellOutcome> {
  const { guest, cell } = req;
  const observed: Observed = { ...guest.observed, guestKernel: guest.guestKernel };
  const draftOf = draftsFor(req, observed);
  try {
    Object.assign(observed, await applyGuestSettings(guest, cell, req.activeSettings));
  } catch (err) {
    return {
      draft: draftOf('failed', {
        reason: (err as Error).message,
        failureKind: failureKindOf(err, 'GuestCommandFailed'),
      }),
    };
  }
  const mismatch = Object.entries(observed).find(([axis, value]) => axis in cell.values && cell.values[axis] !== value);
  if (mismatch) {
    const [axis, value] = mismatch;
    return {
      draft: draftOf('invalid', {
        reason: `guest reports ${axis}=${value}, the cell asked for ${cell.values[axis]}`,
        failureKind: 'ConfigMismatch',
      }),
    };
  }
  let run: FioWithInsight<ExecResult>;
  try {
    run = await runFio(req, observed);
  } catch (err) {
    return {
      draft: draftOf('failed', { reason: `fio: ${firstLine(err)}`, failureKind: failureKindOf(err, 'FioFailed') }),
    };
  }
  if (run.result.code !== 0) return { draft: draftOf('failed', fioExitFailure(run.result)) };
  return sampleOf(run, observed, draftOf);
}

/** Drafts of this cell's sample: what every outcome shares, the finish time when it is made. */
function draftsFor({ guest, group, cell, repetition, accel }: MeasureRequest, observed: Observed): DraftOf {
  const base = {
    cellKey: cell.key,
    cell: cell.values,
    requested: cell.requested,
    groupId: group.id,
    bootId: guest.bootId,
    repetition,
    startedAt: new Date().toISOString(),
    accel,
    notices: [...cell.notices],
  };
  return (status, extra = {}) => ({
    ...base,
    finishedAt: new Date().toISOString(),
    status,
    metrics: {},
    observed,
    ...extra,
  });
}

/** fio in the guest with the insight collectors around it, with the host's CPU steal over it recorded in `observed`. */
async function runFio(
  { guest, profile, cell, accel, repetition }: MeasureRequest,
  observed: Observed,
): Promise<FioWithInsight<ExecResult>> {
  const argv = buildFioArgs(fioJobFor(profile, cell, guest.device));
  const cpuBefore = await readHostCpuTimes();
  const run = await runFioWithInsight({
    // A backend whose disk lives outside QEMU (qemu-storage-daemon) adds its processes and monitor.
    sources: insightSourcesFor(guest, accel, guest.hostSide ? hostSideInsightExtras(guest.hostSide) : {}),
    planned: plannedConfig(guest.spec, cell, accel, profile.pin),
    fioArgv: argv,
    timeoutMs: fioTimeoutMs(profile),
    rampMs: profile.fio.ramp_time * 1000,
    runtimeMs: profile.fio.runtime * 1000,
    sampling: profile.insight?.sampling ?? 'outside-window',
    what: `${cell.key} #${repetition}`,
  });
  const steal = stealPctBetween(cpuBefore, await readHostCpuTimes());
  if (steal !== null) observed[HOST_STEAL_KEY] = steal;
  return run;
}

/** The sample of a fio that exited 0: its metrics and insight, invalid when the running system differs from the plan. */
async function sampleOf(run: FioWithInsight<ExecResult>, observed: Observed, draftOf: DraftOf): Promise<CellOutcome> {
  const { stdout } = run.result;
  try {
    const parsed = parseFioOutput(stdout);
    const metrics = fioSummaryToMetrics(parsed.summary);
    const insight = await run.finish(metrics, {
      schedulerReadBack: typeof observed.scheduler === 'string' ? observed.scheduler : undefined,
    });
    const differs = insight.config.available ? configMismatch(insight.config.checks) : null;
    const draft = draftOf(differs ? 'invalid' : 'ok', {
      ...(differs ? { reason: differs, failureKind: 'ConfigMismatch' as const } : {}),
      metrics,
      observed: { ...observed, [GUEST_FIO_KEY]: parsed.summary.fioVersion },
      insight,
    });
    draft.notices = [
      ...draft.notices,
      ...parsed.notes.map((n) => `fio: ${n}`),
      ...insight.notes.map((n) => `insight: ${n}`),
    ];
    return { draft, rawFio: parsed.raw };
  } catch (err) {
    return {
      draft: draftOf('failed', { reason: firstLine(err), failureKind: failureKindOf(err, 'FioOutputUnusable') }),
      rawFio: { unparsedStdout: stdout },
    };
  }
}
