/**
 * Consistency of what the host served with what the guest and fio read: QMP
 * `query-blockstats` counters of the test disk's node, pure part.
 */
import type { BlockstatsInsight } from '../model/insight.js';

export interface BlockCounters {
  rdBytes: number;
  rdOperations: number;
  rdMerged: number;
}

/** Which entry of query-blockstats is the test disk: by node name, or by the guest device it is attached to. */
export interface BlockstatsMatch {
  nodeName?: string;
  qdev?: string;
}

interface BlockstatsEntry {
  'node-name'?: string;
  qdev?: string;
  device?: string;
  stats?: { rd_bytes?: unknown; rd_operations?: unknown; rd_merged?: unknown };
}

/** The test disk's read counters from a query-blockstats reply; throws naming what was there. */
export function pickBlockCounters(reply: unknown, match: BlockstatsMatch): BlockCounters {
  if (!Array.isArray(reply))
    throw new Error(`query-blockstats: expected a list, got ${JSON.stringify(reply)?.slice(0, 80)}`);
  const entries = reply as BlockstatsEntry[];
  const hit = entries.find(
    (e) =>
      (match.nodeName !== undefined && e['node-name'] === match.nodeName) ||
      (match.qdev !== undefined && e.qdev === match.qdev),
  );
  if (!hit) {
    const seen = entries.map((e) => e['node-name'] ?? e.qdev ?? e.device ?? '?').join(', ') || 'none';
    throw new Error(`query-blockstats has no entry for ${JSON.stringify(match)} (entries: ${seen})`);
  }
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number')
      throw new Error(`query-blockstats: ${what} of ${hit['node-name'] ?? '?'} is not a number`);
    return v;
  };
  const s = hit.stats ?? {};
  return {
    rdBytes: num(s.rd_bytes, 'rd_bytes'),
    rdOperations: num(s.rd_operations, 'rd_operations'),
    rdMerged: num(s.rd_merged, 'rd_merged'),
  };
}

/**
 * Byte ratios beyond this factor either way are flagged. What the flag is for
 * — guest page-cache hits, a node that is not the disk under test — moves
 * them by far more; what is not a fault — SSH timing of the guest's
 * snapshots, the guest clock under TCG on a busy host (fio times itself with
 * it) — moves them by up to ~30 % here.
 */
export const BYTES_TOLERANCE = 1.5;

const ratio = (a: number, b: number | null): number | null => (b !== null && b > 0 ? a / b : null);

export function blockstatsInsight(opts: {
  source: 'qemu' | 'storage-daemon';
  node: string;
  before: BlockCounters;
  after: BlockCounters;
  windowMs: number;
  /** Guest I/Os in the window (the per-I/O denominator). */
  ios: number | null;
  guestReadBytes: number | null;
  /** fio's average read bandwidth over its whole measured run. */
  fioBytesPerS: number | null;
}): BlockstatsInsight {
  const rdBytes = opts.after.rdBytes - opts.before.rdBytes;
  const rdOperations = opts.after.rdOperations - opts.before.rdOperations;
  const rdMerged = opts.after.rdMerged - opts.before.rdMerged;
  // rd_operations counts every virtio request; rd_merged those QEMU merged into another one before submitting.
  const issued = rdOperations - rdMerged;
  const hostBytesPerS = opts.windowMs > 0 ? rdBytes / (opts.windowMs / 1000) : 0;
  const hostVsGuestBytes = ratio(rdBytes, opts.guestReadBytes);
  const hostVsFioBytes = ratio(hostBytesPerS, opts.fioBytesPerS);
  const off = (r: number | null) => r !== null && (r > BYTES_TOLERANCE || r < 1 / BYTES_TOLERANCE);
  const problems: string[] = [];
  if (off(hostVsGuestBytes))
    problems.push(`the host read ${pct(hostVsGuestBytes!)} of the bytes the guest read from the disk`);
  if (off(hostVsFioBytes)) problems.push(`the host's read rate is ${pct(hostVsFioBytes!)} of fio's`);
  if (rdBytes === 0 && hostVsGuestBytes === null && (opts.ios ?? 0) > 0)
    problems.push('the host node read nothing while the guest completed I/O');
  return {
    source: opts.source,
    node: opts.node,
    rdBytes,
    rdOperations,
    rdMerged,
    guestReadBytes: opts.guestReadBytes,
    hostVsGuestBytes,
    hostBytesPerS,
    fioBytesPerS: opts.fioBytesPerS,
    hostVsFioBytes,
    mergeRatio: opts.ios !== null && issued > 0 ? opts.ios / issued : null,
    mismatch:
      problems.length > 0 ? `large byte mismatch: ${problems.join('; ')} (caching, or not the disk under test)` : null,
  };
}

function pct(r: number): string {
  return `${(r * 100).toFixed(0)} %`;
}
