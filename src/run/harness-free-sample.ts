/**
 * One cell's outcome of a harness-free boot, from what the guest printed
 * (guest/fidelity-console.ts). Pure. It counts only when the guest ran no SSH
 * server, every guest setting reads back as asked, the argv the guest ran is
 * exactly the run's argv for the disk it found, fio exited 0, and its output
 * arrived whole and parses: anything else is a failed or invalid sample with
 * the reason, never a number.
 */
import type { Profile } from '../profile/schema.js';
import type { FidelityConsole } from '../guest/fidelity-console.js';
import { parseFioOutput, fioSummaryToMetrics } from '../guest/fio-result.js';
import { parseSchedulerList } from '../guest/scheduler.js';
import type { HarnessFreeJob } from './harness-free-job.js';
import { fioArgvFor } from './harness-free-job.js';

export interface HarnessFreeSample {
  cellKey: string;
  status: 'ok' | 'failed' | 'invalid';
  reason?: string;
  /** Metric name → value (the run's metric names and units). */
  metrics: Record<string, number>;
  /** fio's JSON document, as the guest printed it. */
  rawFio?: unknown;
  /** What the guest read back: device, settings. */
  observed: Record<string, string | number>;
}

/** The value a setting reads back as (the scheduler: the active one of the sysfs list). */
function readBack(axis: string, text: string): string | number {
  if (axis === 'scheduler') {
    try {
      return parseSchedulerList(text).active;
    } catch {
      return text;
    }
  }
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** Why the guest's run of `job` does not count before fio's output is read; null when it may. */
function precheck(
  profile: Profile,
  job: HarnessFreeJob,
  con: FidelityConsole,
  observed: HarnessFreeSample['observed'],
) {
  const ran = con.jobs.get(job.id);
  if (con.failed) return { status: 'failed' as const, reason: `guest: ${con.failed}` };
  if (!con.boot || !ran) return null;
  if (con.boot.sshd !== 'absent')
    return { status: 'invalid' as const, reason: `an SSH server ran in the harness-free boot (${con.boot.sshd})` };
  if (ran.refused.length > 0)
    return { status: 'invalid' as const, reason: `the guest refused ${ran.refused.join(', ')}` };
  for (const s of job.settings) {
    const got = readBack(s.axis, ran.settings[s.axis] ?? '');
    observed[s.axis] = got;
    if (got !== s.value)
      return { status: 'invalid' as const, reason: `guest reports ${s.axis}=${got}, the cell asked for ${s.value}` };
  }
  const expected = fioArgvFor(profile, job.cell, con.boot.device).join(' ');
  if ((ran.argv ?? []).join(' ') !== expected)
    return { status: 'invalid' as const, reason: `the guest ran "${(ran.argv ?? []).join(' ')}", not "${expected}"` };
  return null;
}

export function harnessFreeSample(
  profile: Profile,
  job: HarnessFreeJob,
  con: FidelityConsole,
  lost: string,
): HarnessFreeSample {
  const observed: HarnessFreeSample['observed'] = con.boot ? { device: con.boot.device, sshd: con.boot.sshd } : {};
  const base = { cellKey: job.cell.key, metrics: {}, observed };
  const refused = precheck(profile, job, con, observed);
  if (refused) return { ...base, ...refused };
  const ran = con.jobs.get(job.id);
  if (!con.boot || !ran || ran.rc === null)
    return { ...base, status: 'failed', reason: `the guest did not run this cell: ${lost}` };
  if (ran.rc !== 0)
    return { ...base, status: 'failed', reason: `fio exited with ${ran.rc}: ${ran.stderr ?? '(no stderr)'}` };
  if (ran.stdout === null) return { ...base, status: 'failed', reason: ran.problem ?? 'no fio output' };
  try {
    const parsed = parseFioOutput(ran.stdout);
    const metrics = Object.fromEntries(
      Object.entries(fioSummaryToMetrics(parsed.summary)).map(([name, m]) => [name, m.value]),
    );
    return { ...base, status: 'ok', metrics, rawFio: parsed.raw };
  } catch (err) {
    return { ...base, status: 'failed', reason: (err as Error).message.split('\n')[0] ?? 'unusable fio output' };
  }
}
