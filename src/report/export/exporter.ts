/**
 * The exporter contract, after hyperfine's src/export/: every output a
 * command prints or writes is one Exporter, found by its `--format` name in
 * the registry (registry.ts), and renders the one model of its output kind
 * (a report, a comparison, a gate verdict, …). Commands never switch on a
 * format themselves, so a format added here is offered, validated and
 * documented by every command of that kind at once.
 */

/** What every exporter gets besides its model. */
export interface ExportContext {
  /** ANSI colour in terminal tables: only when the output is a terminal (escape codes would litter pipes and files). */
  color: boolean;
  /** Provenance for self-describing formats (HTML); left out when absent, so tests get reproducible output. */
  generatedAt?: string;
  toolVersion?: string;
  /** CSV of a report: one row per sample (the default) or one per cell. */
  rows?: 'sample' | 'cell';
}

export interface Exporter<M> {
  /** The `--format` value that selects it. */
  readonly format: string;
  /** The whole output; it ends with a newline (or is empty when the model has nothing for this format). */
  render(model: M, ctx: ExportContext): string;
}

/** The context of output that is not a terminal (files, pipes, tests). */
export const PLAIN: ExportContext = { color: false };
