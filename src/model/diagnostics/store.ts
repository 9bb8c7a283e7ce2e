/**
 * What a reader of stored results skipped or found missing: it keeps reading
 * past a damaged file — as benchfmt's reader reports a bad record and goes
 * on — and every command shows these as warnings.
 */
import type { KindTable } from './kind-text.js';

const MAX_SLOTS_SHOWN = 3;

export type StoreDiagnostic =
  /** A stored file that cannot be used (not a regular file, outside the directory, too large, not JSON, wrong fields, impossible values). */
  | { kind: 'StoredFileSkipped'; file: string; what: 'sample' | 'reference record' | 'raw fio JSON' | 'boot record' | 'boot file'; problem: string }
  /** A second valid record of one planned (cell, repetition): the first (in file order) is used. */
  | { kind: 'DuplicateSample'; file: string; slot: string; kept: string }
  /** A valid record of a (cell, repetition) the plan does not have. */
  | { kind: 'UnplannedSample'; file: string; slot: string }
  /** run.json says complete, yet planned samples have no valid record. */
  | { kind: 'MissingSamples'; file: string; missing: number; planned: number; first: { cellKey: string; repetition: number }[] };

export const STORE_TEXTS: KindTable<StoreDiagnostic> = {
  StoredFileSkipped: {
    severity: 'warning',
    explain: (d) => `${d.file}: ${d.what} skipped: ${d.problem}${d.what === 'sample' ? ' (it counts as missing)' : ''}`,
    hint: (d) =>
      d.what === 'sample'
        ? '`vblk-bench run --resume <results dir>` measures the missing samples again; remove or restore the damaged file to silence this'
        : 'restore the file from a copy, or remove it',
  },
  DuplicateSample: {
    severity: 'warning',
    explain: (d) => `${d.file}: sample skipped: a second record of ${d.slot} (the first is ${d.kept})`,
    hint: () => 'the results directory was edited or mixed with another run: remove the extra file',
  },
  UnplannedSample: {
    severity: 'warning',
    explain: (d) => `${d.file}: sample skipped: ${d.slot} is not a planned sample of this run`,
    hint: () => 'the results directory was edited or mixed with another run: remove the extra file',
  },
  MissingSamples: {
    severity: 'warning',
    explain: (d) => {
      const shown = d.first.slice(0, MAX_SLOTS_SHOWN).map((s) => `${s.cellKey}#r${s.repetition}`).join(', ');
      return `${d.file} says complete, but ${d.missing} of ${d.planned} planned samples lack a valid record (${shown}${d.missing > MAX_SLOTS_SHOWN ? ', …' : ''})`;
    },
    hint: () => '`vblk-bench run --resume <results dir>` measures them',
  },
};
