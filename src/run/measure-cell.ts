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
import { hostSideInsightExtras, insightSourcesFor, runFioWithInsight, type FioWithInsight } from '../insight/collect.js';
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
export function fioExitFailure(result: Pick<ExecResult, 'code' | 'signal' | 'stdout' | 'stderr'>): { failureKind: FailureKind; reason: string } {
  const why = lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.code ?? result.signal}`;
  // 127: the guest's shell found no fio to run.
  if (result.code === 127) return { failureKind: 'FioNotFound', reason: `fio not found in the guest (exit 127: ${why})` };
  return { failureKind: 'FioFailed', reason: `fio exited with ${result.code ?? result.signal}: ${why}` };
}

export async function measureCell(opts: {
  guest: RunningGuest;
  profile: Profile;
  group: BootGroup;
  cell: Cell;
  repetition: number;
  accel: Accel;
  /** Guest settings already active in this boot, to skip redundant writes. */
  activeSettings: ActiveGuestSettings;
}): Promise<CellOutcome> {
  const { guest, profile, group, cell } = opts;
  const startedAt = new Date().toISOString();
  const base = {
    cellKey: cell.key,
    cell: cell.values,
    requested: cell.requested,
    groupId: group.id,
    bootId: guest.bootId,
    repetition: opts.repetition,
    startedAt,
    accel: opts.accel,
    notices: [...cell.notices],
  };
  const observed: Record<string, string | number | boolean> = { ...guest.observed, guestKernel: guest.guestKernel };
  const outcome = (status: Sample['status'], extra: Partial<SampleDraft> = {}): SampleDraft => ({
    ...base,
    finishedAt: new Date().toISOString(),
    status,
    metrics: {},
    observed,
    ...extra,
  });

  try {
    Object.assign(observed, await applyGuestSettings(guest, cell, opts.activeSettings));
  } catch (err) {
    return { draft: outcome('failed', { reason: (err as Error).message, failureKind: failureKindOf(err, 'GuestCommandFailed') }) };
  }
  const mismatch = Object.entries(observed).find(([axis, value]) => axis in cell.values && cell.values[axis] !== value);
  if (mismatch) {
    const [axis, value] = mismatch;
    return { draft: outcome('invalid', { reason: `guest reports ${axis}=${value}, the cell asked for ${cell.values[axis]}`, failureKind: 'ConfigMismatch' }) };
  }

  const argv = buildFioArgs(fioJobFor(profile, cell, guest.device));
  let result;
  let run: FioWithInsight<ExecResult>;
  try {
    const cpuBefore = await readHostCpuTimes();
    run = await runFioWithInsight({
      // A backend whose disk lives outside QEMU (qemu-storage-daemon) adds its processes and monitor.
      sources: insightSourcesFor(guest, opts.accel, guest.hostSide ? hostSideInsightExtras(guest.hostSide) : {}),
      planned: plannedConfig(guest.spec, cell, opts.accel, profile.pin),
      runFio: () => guest.session.exec(argv, { timeoutMs: fioTimeoutMs(profile) }),
      rampMs: profile.fio.ramp_time * 1000,
      runtimeMs: profile.fio.runtime * 1000,
    });
    result = run.result;
    const steal = stealPctBetween(cpuBefore, await readHostCpuTimes());
    if (steal !== null) observed[HOST_STEAL_KEY] = steal;
  } catch (err) {
    return { draft: outcome('failed', { reason: `fio: ${firstLine(err)}`, failureKind: failureKindOf(err, 'FioFailed') }) };
  }
  if (result.code !== 0) return { draft: outcome('failed', fioExitFailure(result)) };
  try {
    const parsed = parseFioOutput(result.stdout);
    const metrics = fioSummaryToMetrics(parsed.summary);
    const insight = await run.finish(metrics, { schedulerReadBack: typeof observed.scheduler === 'string' ? observed.scheduler : undefined });
    const differs = insight.config.available ? configMismatch(insight.config.checks) : null;
    return {
      draft: outcome(differs ? 'invalid' : 'ok', {
        ...(differs ? { reason: differs, failureKind: 'ConfigMismatch' as const } : {}),
        metrics,
        observed: { ...observed, [GUEST_FIO_KEY]: parsed.summary.fioVersion },
        notices: [...base.notices, ...parsed.notes.map((n) => `fio: ${n}`), ...insight.notes.map((n) => `insight: ${n}`)],
        insight,
      }),
      rawFio: parsed.raw,
    };
  } catch (err) {
    return { draft: outcome('failed', { reason: firstLine(err), failureKind: failureKindOf(err, 'FioOutputUnusable') }), rawFio: { unparsedStdout: result.stdout } };
  }
}
