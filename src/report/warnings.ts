/**
 * The cells' typed warnings (src/stats/warnings.ts), grouped once for every
 * exporter: one entry per distinct explanation, naming the cells it applies
 * to, as hyperfine prints a warning once rather than once per benchmark. This
 * is the only place a cell warning becomes text, so a new warning kind — the
 * host steal one included — reaches the table, JSON, CSV, Markdown and HTML
 * alike.
 */
import { explain, type StatWarning } from '../stats/warnings.js';

export interface WarningGroup<C> {
  kind: StatWarning['kind'];
  /** The explanation: what was measured, the likely cause, what to do. */
  text: string;
  /** The cells it applies to, in order of first appearance. */
  cells: C[];
}

export function groupWarnings<C>(entries: readonly { cell: C; warnings: readonly StatWarning[] }[], skip: readonly string[] = []): WarningGroup<C>[] {
  const byText = new Map<string, WarningGroup<C>>();
  for (const { cell, warnings } of entries) {
    for (const w of warnings) {
      if (skip.includes(w.kind)) continue;
      const text = explain(w);
      const group = byText.get(text) ?? { kind: w.kind, text, cells: [] };
      if (!group.cells.includes(cell)) group.cells.push(cell);
      byText.set(text, group);
    }
  }
  return [...byText.values()];
}

/** `Warning: Kind [cell; cell]: explanation`, one line per group. */
export function warningLine(group: WarningGroup<unknown>, labels: readonly string[]): string {
  return `Warning: ${group.kind} [${labels.join('; ')}]: ${group.text}`;
}

/** Terminal lines for labelled warnings, one per distinct explanation. */
export function renderWarnings(entries: readonly { label: string; warnings: readonly StatWarning[] }[], skip: readonly string[] = []): string[] {
  const groups = groupWarnings(entries.map((e) => ({ cell: e.label, warnings: e.warnings })), skip);
  return groups.map((g) => warningLine(g, g.cells));
}
