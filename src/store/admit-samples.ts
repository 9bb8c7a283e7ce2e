/**
 * From sample candidates (records that passed the sample schema, in file
 * order) to the samples a reader may use: one record per planned (cell,
 * repetition). Shared by results directories and baseline files. Pure.
 */
import type { Sample } from '../model/sample.js';
import { completenessOf, slotKey, type Completeness, type SampleSlot } from './completeness.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';

export interface SampleCandidate {
  /** Where the record was read (a file, or `baseline.json: samples[3]`). */
  file: string;
  sample: Sample;
}

export interface AdmittedSamples {
  samples: Sample[];
  diagnostics: StoredDiagnostic[];
  completeness: Completeness;
}

/**
 * Keeps the first valid record of each planned slot; later records of a slot
 * and records of slots the plan does not have are skipped with a diagnostic.
 * The `unsupported` record of a cell the plan pruned as unsupported is kept
 * too (`unsupportedCells`), without being a planned slot.
 * `manifestFile` names run.json (or the baseline) when it claims `complete`.
 */
export function admitSamples(
  candidates: readonly SampleCandidate[],
  planned: readonly SampleSlot[],
  claim: { complete: boolean; manifestFile: string },
  unsupportedCells: ReadonlySet<string> = new Set(),
): AdmittedSamples {
  const plannedKeys = new Set(planned.map(slotKey));
  const expected = (sample: Sample, slot: string) =>
    plannedKeys.has(slot) ||
    (sample.status === 'unsupported' && sample.repetition === 0 && unsupportedCells.has(sample.cellKey));
  const firstFile = new Map<string, string>();
  const samples: Sample[] = [];
  const diagnostics: StoredDiagnostic[] = [];
  for (const { file, sample } of candidates) {
    const slot = slotKey(sample);
    if (!expected(sample, slot)) {
      diagnostics.push({ kind: 'UnplannedSample', file, slot });
      continue;
    }
    const kept = firstFile.get(slot);
    if (kept !== undefined) {
      diagnostics.push({ kind: 'DuplicateSample', file, slot, kept });
      continue;
    }
    firstFile.set(slot, file);
    samples.push(sample);
  }
  const completeness = completenessOf(planned, samples);
  if (claim.complete && completeness.missing.length > 0) {
    diagnostics.push({
      kind: 'MissingSamples',
      file: claim.manifestFile,
      missing: completeness.missing.length,
      planned: completeness.planned,
      first: completeness.missing.slice(0, 3),
    });
  }
  return { samples, diagnostics, completeness };
}
