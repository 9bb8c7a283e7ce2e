/**
 * The cells' typed warnings (src/model/diagnostics/stats.ts), grouped once
 * for every exporter: one entry per distinct explanation, naming the cells it
 * applies to, as hyperfine prints a warning once rather than once per
 * benchmark. This is the only place a cell warning becomes text, so a new
 * warning kind — the host steal one included — reaches the table, JSON, CSV,
 * Markdown and HTML alike.
 */
import {
  explain,
  hint,
  severityOf,
  type Diagnostic,
  type DiagnosticKind,
  type Severity,
  type StatDiagnostic,
} from '../model/diagnostic.js';

/** A diagnostic as every exporter shows it: its kind and severity, the explanation, the hint. */
export interface RenderedDiagnostic<K extends DiagnosticKind = DiagnosticKind> {
  kind: K;
  severity: Severity;
  /** The explanation: what happened (what was measured) and the likely cause. */
  text: string;
  /** What to do about it. */
  hint: string;
}

export const renderDiagnostic = (d: Diagnostic): RenderedDiagnostic => ({
  kind: d.kind,
  severity: severityOf(d),
  text: explain(d),
  hint: hint(d),
});

export interface WarningGroup<C> extends RenderedDiagnostic<StatDiagnostic['kind']> {
  /** The cells it applies to, in order of first appearance. */
  cells: C[];
}

export function groupWarnings<C>(
  entries: readonly { cell: C; warnings: readonly StatDiagnostic[] }[],
  skip: readonly string[] = [],
): WarningGroup<C>[] {
  const byText = new Map<string, WarningGroup<C>>();
  for (const { cell, warnings } of entries) {
    for (const w of warnings) {
      if (skip.includes(w.kind)) continue;
      const text = explain(w);
      const group = byText.get(text) ?? { kind: w.kind, severity: severityOf(w), text, hint: hint(w), cells: [] };
      if (!group.cells.includes(cell)) group.cells.push(cell);
      byText.set(text, group);
    }
  }
  return [...byText.values()];
}

/** `warning: Kind [cell; cell]: explanation`, then `  hint: …`. */
export function warningLines(group: WarningGroup<unknown>, labels: readonly string[]): string[] {
  return [`${group.severity}: ${group.kind} [${labels.join('; ')}]: ${group.text}`, `  hint: ${group.hint}`];
}

/** Explanation and hint as one paragraph, for views without room for a hint line. */
export const warningParagraph = (d: RenderedDiagnostic): string => `${d.text} Hint: ${d.hint}`;

/** Terminal lines for labelled warnings, one group (and its hint) per distinct explanation. */
export function renderWarnings(
  entries: readonly { label: string; warnings: readonly StatDiagnostic[] }[],
  skip: readonly string[] = [],
): string[] {
  const groups = groupWarnings(
    entries.map((e) => ({ cell: e.label, warnings: e.warnings })),
    skip,
  );
  return groups.flatMap((g) => warningLines(g, g.cells));
}
