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
  if (!Array.isArray(reply)) throw new Error(`query-blockstats: expected a list, got ${JSON.stringify(reply)?.slice(0, 80)}`);
  const entries = reply as BlockstatsEntry[];
  const hit = entries.find((e) => (match.nodeName !== undefined && e['node-name'] === match.nodeName) || (match.qdev !== undefined && e.qdev === match.qdev));
  if (!hit) {
    const seen = entries.map((e) => e['node-name'] ?? e.qdev ?? e.device ?? '?').join(', ') || 'none';
    throw new Error(`query-blockstats has no entry for ${JSON.stringify(match)} (entries: ${seen})`);
  }
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number') throw new Error(`query-blockstats: ${what} of ${hit['node-name'] ?? '?'} is not a number`);
    return v;
  };
  const s = hit.stats ?? {};
  return { rdBytes: num(s.rd_bytes, 'rd_bytes'), rdOperations: num(s.rd_operations, 'rd_operations'), rdMerged: num(s.rd_merged, 'rd_merged') };
}

/** Bytes ratios outside 1 ± this are flagged: caching, the wrong device, or a window that was not steady. */
export const BYTES_TOLERANCE = 0.25;

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
  /** The guest's own I/O count over its window (the denominator of guestReadBytes). */
  guestIos: number | null;
  /** fio's average read bandwidth over its whole measured run. */
  fioBytesPerS: number | null;
}): BlockstatsInsight {
  const rdBytes = opts.after.rdBytes - opts.before.rdBytes;
  const rdOperations = opts.after.rdOperations - opts.before.rdOperations;
  const rdMerged = opts.after.rdMerged - opts.before.rdMerged;
  // rd_operations counts every virtio request; rd_merged those QEMU merged into another one before submitting.
  const issued = rdOperations - rdMerged;
  const hostBytesPerS = opts.windowMs > 0 ? rdBytes / (opts.windowMs / 1000) : 0;
  const perIo = (bytes: number | null, ios: number | null) => (bytes !== null && ios !== null && ios > 0 ? bytes / ios : null);
  const hostVsGuestBytesPerIo = ratio(perIo(rdBytes, opts.ios) ?? 0, perIo(opts.guestReadBytes, opts.guestIos));
  const hostVsFioBytes = ratio(hostBytesPerS, opts.fioBytesPerS);
  const off = (r: number | null) => r !== null && Math.abs(r - 1) > BYTES_TOLERANCE;
  const problems: string[] = [];
  if (off(hostVsGuestBytesPerIo)) problems.push(`the host read ${pct(hostVsGuestBytesPerIo!)} of the bytes per I/O the guest read from the disk`);
  if (off(hostVsFioBytes)) problems.push(`the host's read rate is ${pct(hostVsFioBytes!)} of fio's`);
  if (rdBytes === 0 && (opts.guestIos ?? 0) > 0 && hostVsGuestBytesPerIo === null) problems.push('the host node read nothing while the guest completed I/O');
  return {
    source: opts.source,
    node: opts.node,
    rdBytes,
    rdOperations,
    rdMerged,
    guestReadBytes: opts.guestReadBytes,
    hostVsGuestBytesPerIo,
    hostBytesPerS,
    fioBytesPerS: opts.fioBytesPerS,
    hostVsFioBytes,
    mergeRatio: opts.ios !== null && issued > 0 ? opts.ios / issued : null,
    mismatch: problems.length > 0 ? `large byte mismatch: ${problems.join('; ')} (caching, or not the disk under test)` : null,
  };
}

function pct(r: number): string {
  return `${(r * 100).toFixed(0)} %`;
}
