/**
 * The consistency checks printed with a layer table: layers nest (each inner
 * mean ≤ its parent's, within the coarser clock resolution), the request
 * counts of the per-request layers agree with fio's, and no event was lost
 * (ring buffer overruns, entries written vs kept, files cut at the cap). Pure.
 */
import type { LatencyCheck, LatencyLayer } from '../model/latency.js';
import type { TraceCaptureMeta } from '../model/trace-capture.js';
import type { ParsedFtrace } from './parse-ftrace.js';
import type { ParsedDaemonTrace } from './daemon-requests.js';

export interface CheckInput {
  meta: TraceCaptureMeta;
  layers: LatencyLayer[];
  ftrace: ParsedFtrace;
  /** vhost-user-blk: the storage daemon's host ftrace instance, parsed. */
  daemonTrace?: ParsedDaemonTrace;
  fioIos?: number;
  qemuRequests: number;
  /** Guest requests (iodepth 1) that completed without any kick: the device was polling the ring (event_idx). */
  kickless: number;
}

const us = (v: number) => `${v.toFixed(1)} µs`;

function nesting(layers: LatencyLayer[]): LatencyCheck[] {
  const byId = new Map(layers.map((l) => [l.id, l]));
  /** The nearest measured layer around `l`: an n/a parent (iodepth > 1) passes the check to its own parent. */
  const outerOf = (l: LatencyLayer): LatencyLayer | undefined => {
    let p = l.parent ? byId.get(l.parent) : undefined;
    while (p && !p.result.available) p = p.parent ? byId.get(p.parent) : undefined;
    return p;
  };
  return layers.flatMap((l): LatencyCheck[] => {
    const parent = outerOf(l);
    if (!parent || !l.result.available || !parent.result.available || l.granularity === 'mean-difference') return [];
    const inner = l.result.stats.meanUs;
    const outer = parent.result.stats.meanUs;
    const ok = inner <= outer + Math.max(l.resolutionUs, parent.resolutionUs);
    const by = ok ? '' : ` — exceeds it by ${us(inner - outer)}`;
    return [{ kind: 'nesting', ok, detail: `${l.id} mean ${us(inner)} ≤ ${parent.id} mean ${us(outer)}${by}` }];
  });
}

function requestCounts(input: CheckInput): LatencyCheck {
  const counts: [string, number][] = [];
  if (input.fioIos !== undefined) counts.push(['fio', input.fioIos]);
  for (const l of input.layers) {
    if (!l.result.available || l.granularity !== 'request' || l.id === 'guest.total') continue;
    // A request the device picked up by polling had no kick: it cannot have a notify → interrupt span.
    if (l.id === 'guest.virtio-pci' && input.kickless > 0)
      counts.push([
        `${l.id} + ${input.kickless} without a kick (the device polled)`,
        l.result.stats.count + input.kickless,
      ]);
    else counts.push([l.id, l.result.stats.count]);
  }
  if (input.meta.qemuLog && input.meta.backend !== 'vhost-user-blk') counts.push(['qemu requests', input.qemuRequests]);
  const ok = counts.length > 0 && counts.every(([, n]) => n === counts[0]![1]);
  return {
    kind: 'request-counts',
    ok,
    detail: `requests per layer: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}`,
  };
}

function overruns(input: CheckInput): LatencyCheck {
  const { meta, ftrace } = input;
  const lost = meta.guestOverruns.reduce((a, b) => a + b, 0);
  const problems: string[] = [];
  if (lost > 0) problems.push(`guest ring buffer overruns ${meta.guestOverruns.join('/')} (per CPU)`);
  if (ftrace.entriesWritten !== undefined && ftrace.entriesInBuffer !== ftrace.entriesWritten)
    problems.push(`guest entries written ${ftrace.entriesWritten}, kept ${ftrace.entriesInBuffer}`);
  const lostLines = ftrace.skipped.filter((l) => /LOST/.test(l)).length;
  if (lostLines > 0) problems.push(`${lostLines} "LOST EVENTS" line(s) in the guest trace`);
  const daemonLost = (meta.daemon?.overruns ?? []).reduce((a, b) => a + b, 0);
  if (daemonLost > 0) problems.push(`daemon ring buffer overruns ${meta.daemon!.overruns!.join('/')} (per host CPU)`);
  const d = input.daemonTrace;
  if (d?.entriesWritten !== undefined && d.entriesInBuffer !== d.entriesWritten)
    problems.push(`daemon entries written ${d.entriesWritten}, kept ${d.entriesInBuffer}`);
  const daemonLostLines = (d?.skipped ?? []).filter((l) => /LOST/.test(l)).length;
  if (daemonLostLines > 0) problems.push(`${daemonLostLines} "LOST EVENTS" line(s) in the daemon trace`);
  for (const f of [meta.guestFtrace, meta.qemuLog, meta.fio, meta.daemon?.ftrace])
    if (f?.truncated) problems.push(`${f.file} cut at the size cap`);
  if (!meta.guestFtrace) problems.push('no guest trace captured');
  return {
    kind: 'overruns',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `no events lost (guest overruns ${meta.guestOverruns.join('/') || 'n/a'} per CPU${meta.daemon?.overruns ? `, daemon ${meta.daemon.overruns.join('/')} per host CPU` : ''}; no file cut at the cap)`
        : problems.join('; '),
  };
}

export function latencyChecks(input: CheckInput): LatencyCheck[] {
  return [...nesting(input.layers), requestCounts(input), overruns(input)];
}
