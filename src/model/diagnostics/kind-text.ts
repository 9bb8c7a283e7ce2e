/**
 * The shape every diagnostic kind's entry has in the table of
 * src/model/diagnostic.ts: how serious it is, what happened (with the
 * numbers), and what to do. Kept apart so the per-area tables can name it
 * without importing the union they are part of.
 */

/** `error`: something failed or was refused; `warning`: a result holds, with a caveat; `info`: worth knowing. */
export type Severity = 'error' | 'warning' | 'info';

export interface KindText<D> {
  severity: Severity;
  /** What happened and the likely cause, from the diagnostic's own fields. */
  explain(d: D): string;
  /** What to do about it: one sentence, a command or a profile key where there is one. */
  hint(d: D): string;
}

/** One entry per kind of `D`, each typed with the fields of its own kind. */
export type KindTable<D extends { kind: string }> = { [K in D['kind']]: KindText<Extract<D, { kind: K }>> };
