/**
 * Finds where this host can read KVM exit counters for one QEMU process and
 * returns a reader: QMP `query-stats` (target vcpu, provider kvm) first, the
 * per-VM debugfs directory second; otherwise "not available" with the reason
 * each source gave. Parsing is in kvm-stats.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { Unavailable } from '../model/insight.js';
import type { Accel } from '../model/sample.js';
import type { QmpClient } from '../vm/qmp.js';
import {
  cumulativeStatNames,
  noExitsReason,
  parseDebugfsCounters,
  parseQueryStats,
  sumProviderCounters,
  vmDebugfsDirs,
} from './kvm-stats.js';

const KVM_DEBUGFS = '/sys/kernel/debug/kvm';

export interface ExitCounterSource {
  source: 'query-stats' | 'debugfs';
  /** Where exactly (QMP, or the debugfs directory). */
  where: string;
  read(): Promise<Record<string, number>>;
}

const firstLine = (err: unknown) => (err as Error).message.split('\n')[0] ?? String(err);

async function queryStatsSource(qmp: QmpClient): Promise<ExitCounterSource | string> {
  let cumulative = new Set<string>();
  try {
    cumulative = cumulativeStatNames(await qmp.execute('query-stats-schemas', { provider: 'kvm' }), 'kvm', 'vcpu');
  } catch {
    /* older QEMU or no schema: diff every scalar */
  }
  const read = async () => {
    const sums = sumProviderCounters(
      parseQueryStats(await qmp.execute('query-stats', { target: 'vcpu', providers: [{ provider: 'kvm' }] })),
      'kvm',
      cumulative,
    );
    if (!sums) throw new Error('QMP query-stats returned no kvm statistics');
    return sums;
  };
  try {
    await read();
    return { source: 'query-stats', where: 'QMP query-stats target=vcpu provider=kvm', read };
  } catch (err) {
    const why = firstLine(err);
    return why.includes('no kvm statistics') ? 'QEMU returned no kvm statistics' : why;
  }
}

async function debugfsSource(pid: number): Promise<ExitCounterSource | string> {
  let entries: string[];
  try {
    entries = await readdir(KVM_DEBUGFS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `${KVM_DEBUGFS} does not exist (debugfs not mounted, or no kvm module)`
      : `${KVM_DEBUGFS}: ${code ?? firstLine(err)}`;
  }
  const [dir, second] = vmDebugfsDirs(entries, pid);
  if (dir === undefined) return `no ${KVM_DEBUGFS}/${pid}-<fd> directory`;
  if (second !== undefined)
    return `several VM directories for pid ${pid} in ${KVM_DEBUGFS}; cannot tell which is the guest`;
  const path = `${KVM_DEBUGFS}/${dir}`;
  const read = async () => {
    const files: Record<string, string> = {};
    for (const e of await readdir(path, { withFileTypes: true })) {
      if (e.isFile()) files[e.name] = await readFile(`${path}/${e.name}`, 'utf8').catch(() => '');
    }
    return parseDebugfsCounters(files);
  };
  return { source: 'debugfs', where: path, read };
}

/** The first source that works, or why none does. */
export async function findExitCounterSource(
  qmp: QmpClient,
  pid: number,
  accel: Accel,
): Promise<ExitCounterSource | Unavailable> {
  const viaQmp = await queryStatsSource(qmp);
  if (typeof viaQmp !== 'string') return viaQmp;
  const viaDebugfs = await debugfsSource(pid);
  if (typeof viaDebugfs !== 'string') return viaDebugfs;
  return { available: false, reason: noExitsReason(accel, viaQmp, viaDebugfs) };
}
