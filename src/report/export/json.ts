/**
 * The JSON exporter of every output kind. Each document is one object that
 * starts with the same versioned envelope,
 *
 *   { "schema": "vblk-bench/<kind>", "version": N, ...the kind's fields }
 *
 * so a script can tell what it was given and whether it understands it. A
 * kind's version goes up when a field is removed, renamed or changes meaning;
 * fields are added without a new version. NaN becomes null (JSON has no NaN).
 * The files vblk-bench reads back (results, baselines, calibrations) are not
 * outputs: they carry their own `schemaVersion`.
 */
import type { Exporter } from './exporter.js';

/** The versioned JSON document kinds and their current versions (docs/reports.md lists their fields). */
export const JSON_SCHEMAS = {
  /**
   * 2: the envelope replaced `schemaVersion: 1`; `matrix` became `matrices`; warnings are typed (`cellWarnings`).
   * 3: run `warnings` are typed too: `{kind, severity, text, hint}` instead of text.
   */
  report: 3,
  /** 2: `notes` (text) became `diagnostics` ({kind, severity, text, hint}); `run` names the run of `--by`. */
  compare: 2,
  /** 2: `notes` and `warnings` (text) became `diagnostics` ({kind, severity, text, hint}). */
  gate: 2,
  history: 1,
  explain: 1,
  latency: 1,
  runs: 1,
  /** 2: check levels are severities (`warn` → `warning`, `fail` → `error`) and `fix` is `hint`. */
  doctor: 2,
  'guest-image': 1,
  fidelity: 1,
} as const;

export type JsonKind = keyof typeof JSON_SCHEMAS;

export interface Envelope {
  schema: `vblk-bench/${JsonKind}`;
  version: number;
}

export function envelope(kind: JsonKind): Envelope {
  return { schema: `vblk-bench/${kind}`, version: JSON_SCHEMAS[kind] };
}

/** The exporter of one kind: the envelope, then the fields of `document(model)` (the model itself by default). */
export function jsonExporter<M extends object>(kind: JsonKind, document: (model: M) => object = (m) => m): Exporter<M> {
  return {
    format: 'json',
    // The envelope is spread twice: its keys come first, and a document field of the same name cannot replace it.
    render: (model) => `${JSON.stringify({ ...envelope(kind), ...document(model), ...envelope(kind) }, null, 2)}\n`,
  };
}
