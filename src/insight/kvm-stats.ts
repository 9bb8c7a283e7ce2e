/**
 * KVM exit counters, pure part: QMP `query-stats` / `query-stats-schemas`
 * replies (QEMU ≥ 7.1, qapi/stats.json) and the per-VM debugfs directory
 * (/sys/kernel/debug/kvm/<pid>-<fd>/, one file per statistic holding a
 * decimal number; vCPU statistics there are summed over the VM's vCPUs).
 * kvm-exits.ts does the reading and chooses between them.
 */
import type { Accel } from '../model/sample.js';

/** One StatsResult with its scalar values (histograms — lists — are left out). */
export interface StatsResult {
  provider: string;
  qomPath: string | null;
  values: Record<string, number>;
}

function fail(what: string, value: unknown): never {
  throw new Error(`${what}: unexpected shape ${JSON.stringify(value)?.slice(0, 120)}`);
}

/** query-stats' return: `[{provider, qom-path?, stats: [{name, value}]}]` (StatsResult, qapi/stats.json). */
export function parseQueryStats(reply: unknown): StatsResult[] {
  if (!Array.isArray(reply)) fail('query-stats', reply);
  return reply.map((r: unknown) => {
    const rec = r as { provider?: unknown; 'qom-path'?: unknown; stats?: unknown };
    if (typeof rec?.provider !== 'string' || !Array.isArray(rec.stats)) fail('query-stats result', r);
    const values: Record<string, number> = {};
    for (const s of rec.stats as unknown[]) {
      const stat = s as { name?: unknown; value?: unknown };
      if (typeof stat?.name !== 'string') fail('query-stats stat', s);
      // StatsValue is an alternate: scalar uint64, list of uint64 (histogram), or boolean (later QEMU).
      if (typeof stat.value === 'number') values[stat.name] = stat.value;
    }
    return { provider: rec.provider, qomPath: typeof rec['qom-path'] === 'string' ? rec['qom-path'] : null, values };
  });
}

/** Names of the `cumulative` statistics of one provider and target, from query-stats-schemas. */
export function cumulativeStatNames(reply: unknown, provider: string, target: string): Set<string> {
  if (!Array.isArray(reply)) fail('query-stats-schemas', reply);
  const names = new Set<string>();
  for (const schema of reply as { provider?: unknown; target?: unknown; stats?: unknown }[]) {
    if (schema?.provider !== provider || schema.target !== target || !Array.isArray(schema.stats)) continue;
    for (const s of schema.stats as { name?: unknown; type?: unknown }[]) {
      if (typeof s?.name === 'string' && s.type === 'cumulative') names.add(s.name);
    }
  }
  return names;
}

/**
 * One provider's counters summed over its results (one per vCPU for target
 * vcpu). With `only`, other names are left out (instant and peak values do
 * not subtract). null when the provider returned nothing.
 */
export function sumProviderCounters(
  results: StatsResult[],
  provider: string,
  only?: ReadonlySet<string>,
): Record<string, number> | null {
  const mine = results.filter((r) => r.provider === provider);
  if (mine.length === 0) return null;
  const sum: Record<string, number> = {};
  for (const r of mine) {
    for (const [name, value] of Object.entries(r.values)) {
      if (only && only.size > 0 && !only.has(name)) continue;
      sum[name] = (sum[name] ?? 0) + value;
    }
  }
  return sum;
}

/** Per-VM debugfs directory names of process `pid`: `<pid>-<fd>`. */
export function vmDebugfsDirs(entries: string[], pid: number): string[] {
  const re = new RegExp(`^${pid}-\\d+$`);
  return entries.filter((e) => re.test(e)).sort();
}

/** debugfs statistic files (name → content) as numbers; non-numeric files are left out. */
export function parseDebugfsCounters(files: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, content] of Object.entries(files)) {
    const text = content.trim();
    if (/^\d+$/.test(text)) out[name] = Number(text);
  }
  return out;
}

/** The exit counters that matter most for block I/O, always reported when present. */
const KEY_EXIT_COUNTERS = [
  'exits',
  'io_exits',
  'mmio_exits',
  'halt_exits',
  'irq_exits',
  'irq_window_exits',
  'request_irq_exits',
  'signal_exits',
  'halt_wakeup',
  'insn_emulation',
] as const;

/** after − before for counters present in both; zero deltas kept only for the key counters. */
export function diffCounters(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    const prev = before[name];
    if (prev === undefined) continue;
    const delta = value - prev;
    if (delta !== 0 || (KEY_EXIT_COUNTERS as readonly string[]).includes(name)) out[name] = delta;
  }
  return out;
}

/**
 * Why there are no exit counters, in words, from what each source said.
 * Under TCG the answer is that there are no KVM exits at all.
 */
export function noExitsReason(accel: Accel, queryStats: string, debugfs: string): string {
  const tried = `query-stats: ${queryStats}; debugfs: ${debugfs}`;
  if (accel === 'tcg') {
    return `not available under TCG: QEMU emulates the CPU, so there are no KVM exits to count (${tried})`;
  }
  return `not available: neither source gave KVM counters (${tried})`;
}
