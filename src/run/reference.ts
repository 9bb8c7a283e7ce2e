/**
 * The host-native reference (`reference: host`): before the guests, the same
 * fio job runs on the host against the same backing store, once per distinct
 * combination of fio-scope axis values (iodepth, and whatever fio axes the
 * matrix has). It is the physical limit of that storage for that job; each
 * guest cell's IOPS is then also reported as a fraction of it.
 */
import { execa } from 'execa';
import type { Profile } from '../profile/schema.js';
import type { Plan } from '../plan/plan.js';
import { valuesInScope, type Cell } from '../plan/cells.js';
import { cellKeyOf } from '../model/cell-key.js';
import { buildFioArgs } from '../guest/fio-job.js';
import { fioSummaryToMetrics, parseFioOutput } from '../guest/fio-result.js';
import { fioJobFor, fioTimeoutMs } from './cell-job.js';
import { loadReference, writeReferenceRecord, type ReferenceRecord } from '../store/reference-store.js';

export interface ReferenceJob {
  fioKey: string;
  fio: Cell['values'];
  /** Host argv, binary first. */
  argv: string[];
}

/** One host fio job per distinct fio-scope cell of the plan, in plan order. Pure. */
export function referenceJobs(profile: Profile, plan: Pick<Plan, 'groups'>, target: string): ReferenceJob[] {
  const seen = new Map<string, ReferenceJob>();
  for (const group of plan.groups) {
    for (const cell of group.cells) {
      const fio = valuesInScope(cell.values, 'fio');
      const fioKey = cellKeyOf(fio);
      if (seen.has(fioKey)) continue;
      const job = { ...fioJobFor(profile, cell, 'vdx'), name: 'vblk-host', filename: target };
      seen.set(fioKey, { fioKey, fio, argv: buildFioArgs(job, { host: true }) });
    }
  }
  return [...seen.values()];
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

type ReferenceBase = Pick<
  ReferenceRecord,
  'schemaVersion' | 'kind' | 'fioKey' | 'fio' | 'target' | 'argv' | 'startedAt'
>;

/** One finished host fio job as its stored record: ok with its metrics, or failed with the reason. */
async function recordOutcome(
  runDir: string,
  seq: number,
  base: ReferenceBase,
  r: { exitCode?: number; stdout?: unknown; stderr?: unknown; shortMessage?: string },
): Promise<ReferenceRecord> {
  const stdout = String(r.stdout ?? '');
  const failed = (reason: string, failureKind: 'FioFailed' | 'FioOutputUnusable') =>
    writeReferenceRecord(runDir, seq, {
      ...base,
      finishedAt: new Date().toISOString(),
      status: 'failed',
      reason,
      failureKind,
      metrics: {},
      notices: [],
    });
  if (r.exitCode !== 0) {
    const why = lastLine(String(r.stderr ?? '')) || lastLine(stdout) || r.shortMessage || `exit code ${r.exitCode}`;
    return failed(`host fio: ${why}`, 'FioFailed');
  }
  try {
    const parsed = parseFioOutput(stdout);
    return await writeReferenceRecord(
      runDir,
      seq,
      {
        ...base,
        finishedAt: new Date().toISOString(),
        status: 'ok',
        metrics: fioSummaryToMetrics(parsed.summary),
        notices: parsed.notes.map((n) => `fio: ${n}`),
      },
      parsed.raw,
    );
  } catch (err) {
    return failed((err as Error).message.split('\n')[0] ?? 'unparsable fio output', 'FioOutputUnusable');
  }
}

/**
 * Runs every reference job not yet recorded in `runDir` (a resumed run keeps
 * what it has), storing each record the moment it exists. A failed job is
 * recorded as such; the guests still run.
 */
export async function runHostReference(opts: {
  profile: Profile;
  plan: Pick<Plan, 'groups'>;
  target: string;
  runDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
  fioBinary?: string;
}): Promise<ReferenceRecord[]> {
  const have = await loadReference(opts.runDir);
  const done = new Set(have.filter((r) => r.status === 'ok').map((r) => r.fioKey));
  const out: ReferenceRecord[] = [];
  let seq = have.length;
  for (const job of referenceJobs(opts.profile, opts.plan, opts.target)) {
    if (done.has(job.fioKey) || opts.signal.aborted) continue;
    const startedAt = new Date().toISOString();
    const [bin, ...args] = job.argv;
    const r = await execa(opts.fioBinary ?? bin!, args, {
      reject: false,
      timeout: fioTimeoutMs(opts.profile),
      cancelSignal: opts.signal,
      stdin: 'ignore',
    });
    if (opts.signal.aborted) break;
    const base = {
      schemaVersion: 1,
      kind: 'host-reference' as const,
      fioKey: job.fioKey,
      fio: job.fio,
      target: opts.target,
      argv: job.argv,
      startedAt,
    };
    const record = await recordOutcome(opts.runDir, ++seq, base, r);
    const iops = record.metrics.iops?.value;
    opts.log(
      `host reference ${job.fioKey}: ${record.status === 'ok' && iops !== undefined ? `${Math.round(iops)} IOPS` : `failed: ${record.reason}`}`,
    );
    out.push(record);
  }
  return out;
}
