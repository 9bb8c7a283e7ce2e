/**
 * The end of a run names what went wrong once per cause: samples that are
 * not `ok`, grouped by failure kind and then by reason (with how many samples
 * share it), each kind with its hint. Kinds come from the samples
 * (src/model/diagnostic.ts), never from reading their messages.
 */
import type { Sample } from '../model/sample.js';
import { sampleFailure, type FailureDiagnostic } from '../model/diagnostic.js';

/** Failed and invalid samples (unsupported ones are reported before the run): per kind, one diagnostic per distinct reason with its count. Pure. */
export function groupFailures(
  samples: readonly Pick<Sample, 'status' | 'reason' | 'failureKind'>[],
): FailureDiagnostic[][] {
  const byKind = new Map<string, Map<string, FailureDiagnostic & { count: number }>>();
  for (const s of samples) {
    if (s.status !== 'failed' && s.status !== 'invalid') continue;
    const d = sampleFailure(s)!;
    const reasons = byKind.get(d.kind) ?? new Map<string, FailureDiagnostic & { count: number }>();
    const entry = reasons.get(d.reason) ?? { ...d, count: 0 };
    entry.count += 1;
    reasons.set(d.reason, entry);
    byKind.set(d.kind, reasons);
  }
  return [...byKind.values()].map((reasons) => [...reasons.values()]);
}
