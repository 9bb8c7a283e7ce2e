/**
 * The end of a run names what went wrong once per cause: samples that are
 * not `ok`, grouped by failure kind and then by reason, each kind with its
 * hint. Kinds come from the samples (src/model/diagnostic.ts), never from
 * reading their messages.
 */
import type { Sample } from '../model/sample.js';
import { sampleFailure, type FailureDiagnostic } from '../model/diagnostic.js';

export interface FailureGroup {
  /** One per distinct reason, in order of first occurrence, each with how many samples have it. */
  reasons: { diagnostic: FailureDiagnostic; samples: number }[];
}

/** Failed and invalid samples (unsupported ones are reported before the run), by kind. Pure. */
export function groupFailures(samples: readonly Pick<Sample, 'status' | 'reason' | 'failureKind'>[]): FailureGroup[] {
  const byKind = new Map<string, Map<string, { diagnostic: FailureDiagnostic; samples: number }>>();
  for (const s of samples) {
    if (s.status !== 'failed' && s.status !== 'invalid') continue;
    const d = sampleFailure(s)!;
    const reasons = byKind.get(d.kind) ?? new Map();
    const entry = reasons.get(d.reason) ?? { diagnostic: d, samples: 0 };
    entry.samples += 1;
    reasons.set(d.reason, entry);
    byKind.set(d.kind, reasons);
  }
  return [...byKind.values()].map((reasons) => ({ reasons: [...reasons.values()] }));
}
