/**
 * What a reader of stored results skipped or found missing, typed (after
 * hyperfine's warnings.rs): the reader keeps reading past a damaged file —
 * as benchfmt's reader reports a syntax-error record and goes on — and every
 * command shows these as `warning:` lines and never exits 0 over them.
 */
import type { SampleSlot } from './completeness.js';

export type StoreDiagnostic =
  /** A stored file that cannot be used (not a regular file, outside the directory, too large, not JSON, wrong fields, impossible values). */
  | { kind: 'skipped-file'; file: string; what: 'sample' | 'reference record' | 'raw fio JSON' | 'boot record' | 'boot file'; problem: string }
  /** A second valid record of one planned (cell, repetition): the first (in file order) is used. */
  | { kind: 'duplicate-sample'; file: string; slot: string; kept: string }
  /** A valid record of a (cell, repetition) the plan does not have. */
  | { kind: 'unplanned-sample'; file: string; slot: string }
  /** run.json says complete, yet planned samples have no valid record. */
  | { kind: 'missing-samples'; file: string; missing: number; planned: number; first: SampleSlot[] };

export const STORE_DIAGNOSTIC_SEVERITY = 'warning';

const MAX_SLOTS_SHOWN = 3;

/** One line: the file, what is wrong, and what the reader did about it. */
export function explainStoreDiagnostic(d: StoreDiagnostic): string {
  switch (d.kind) {
    case 'skipped-file':
      return `${d.file}: ${d.what} skipped: ${d.problem}${d.what === 'sample' ? ' (it counts as missing)' : ''}`;
    case 'duplicate-sample':
      return `${d.file}: sample skipped: a second record of ${d.slot} (the first is ${d.kept})`;
    case 'unplanned-sample':
      return `${d.file}: sample skipped: ${d.slot} is not a planned sample of this run`;
    case 'missing-samples': {
      const shown = d.first.slice(0, MAX_SLOTS_SHOWN).map((s) => `${s.cellKey}#r${s.repetition}`).join(', ');
      return `${d.file} says complete, but ${d.missing} of ${d.planned} planned samples lack a valid record (${shown}${d.missing > MAX_SLOTS_SHOWN ? ', …' : ''})`;
    }
  }
}

/** What to do about it. */
export function storeDiagnosticHint(d: StoreDiagnostic): string {
  switch (d.kind) {
    case 'skipped-file':
      return d.what === 'sample'
        ? '`vblk-bench run --resume <results dir>` measures the missing samples again; remove or restore the damaged file to silence this'
        : 'restore the file from a copy, or remove it';
    case 'duplicate-sample':
    case 'unplanned-sample':
      return 'the results directory was edited or mixed with another run: remove the extra file';
    case 'missing-samples':
      return '`vblk-bench run --resume <results dir>` measures them';
  }
}
