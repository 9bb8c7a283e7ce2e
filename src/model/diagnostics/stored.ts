/**
 * What a reader of stored results (results directories, baseline files)
 * skipped or found missing. The readers keep reading past a damaged file —
 * as benchfmt's reader reports a syntax-error record and goes on — and every
 * command shows these and never exits 0 over them (src/store/run-reader.ts).
 */
import type { KindTable } from './kind-text.js';
// Names from a directory listing may hold a newline or an escape sequence: shown printable.
import { printable } from '../../util/file-read.js';

/** One planned (cell, repetition) of a run. */
export interface SampleSlot {
  cellKey: string;
  repetition: number;
}

export type StoredDiagnostic =
  /** A stored file that cannot be used: not a regular file, outside the directory, too large, not JSON, wrong fields, impossible values. */
  | {
      kind: 'StoredFileSkipped';
      file: string;
      what: 'sample' | 'reference record' | 'raw fio JSON' | 'boot record' | 'boot file' | 'latency map';
      problem: string;
    }
  /** A second valid record of one planned (cell, repetition): the first, in file order, is used. */
  | { kind: 'DuplicateSample'; file: string; slot: string; kept: string }
  /** A valid record of a (cell, repetition) the plan does not have. */
  | { kind: 'UnplannedSample'; file: string; slot: string }
  /** run.json (or a baseline's manifest) says complete, yet planned samples have no valid record. */
  | { kind: 'MissingSamples'; file: string; missing: number; planned: number; first: SampleSlot[] };

export type StoredDiagnosticKind = StoredDiagnostic['kind'];

const SLOTS_SHOWN = 3;
const slotText = (s: SampleSlot) => printable(`${s.cellKey}#r${s.repetition}`);

export const STORED_TEXTS: KindTable<StoredDiagnostic> = {
  StoredFileSkipped: {
    severity: 'warning',
    explain: (d) =>
      `${printable(d.file)}: ${d.what} skipped: ${d.problem}${d.what === 'sample' ? ' (it counts as missing)' : ''}`,
    hint: (d) =>
      d.what === 'sample'
        ? '`vblk-bench run --resume <results dir>` measures the missing samples again; remove or restore the damaged file to silence this'
        : 'restore the file from a copy of the results, or remove it',
  },
  DuplicateSample: {
    severity: 'warning',
    explain: (d) =>
      `${printable(d.file)}: sample skipped: a second record of ${printable(d.slot)} (the first is ${printable(d.kept)})`,
    hint: () => 'the results directory was edited or mixed with another run: remove the extra file',
  },
  UnplannedSample: {
    severity: 'warning',
    explain: (d) => `${printable(d.file)}: sample skipped: ${printable(d.slot)} is not a planned sample of this run`,
    hint: () => 'the results directory was edited or mixed with another run: remove the extra file',
  },
  MissingSamples: {
    severity: 'warning',
    explain: (d) =>
      `${printable(d.file)} says complete, but ${d.missing} of ${d.planned} planned samples lack a valid record ` +
      `(${d.first.slice(0, SLOTS_SHOWN).map(slotText).join(', ')}${d.missing > SLOTS_SHOWN ? ', …' : ''})`,
    hint: () => '`vblk-bench run --resume <results dir>` measures them',
  },
};
