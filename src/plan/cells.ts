/**
 * Matrix expansion: the cartesian product of every axis, in canonical axis
 * order, each cell carrying effective values (legacy names mapped), the values
 * as requested, and per-entry options.
 */
import { plannedRepetitions } from '../profile/adaptive.js';
import type { AxisValue, CellValues } from '../model/sample.js';
import { cellKeyOf } from '../model/cell-key.js';
import { AXES, type AxisEntry } from '../profile/axes.js';
import type { Profile } from '../profile/schema.js';
import { InputError } from '../model/errors.js';
import { MAX_PLANNED_CELLS, MAX_PLANNED_SAMPLES } from '../model/plan-limits.js';

export interface Cell {
  /** Canonical key (model/cell-key.ts): `axis=value` pairs in AXES order, joined by commas. */
  key: string;
  values: CellValues;
  requested: CellValues;
  /** Per-axis options of the chosen entry (e.g. backend queue_size). */
  options: Record<string, Record<string, unknown>>;
  notices: string[];
  /** Axes that do not apply to this cell (value `n/a`), with why: e.g. ioeventfd on vhost-user-blk. */
  notApplicable?: Record<string, string>;
}

/**
 * The entries of every axis of the run: defaults filled in for axes the
 * profile leaves out; axes without defaults (aio, bs, ...) only when named.
 */
export function axisEntries(profile: Profile): { name: string; entries: AxisEntry[] }[] {
  const matrix = profile.matrix as Record<string, AxisEntry[] | undefined>;
  return AXES.flatMap((axis) => {
    const entries = matrix[axis.name] ?? axis.defaults;
    return entries ? [{ name: axis.name, entries }] : [];
  });
}

/**
 * Refuses a matrix of more than MAX_PLANNED_CELLS cells, or more than
 * MAX_PLANNED_SAMPLES cells × repetitions, from the axis lengths alone —
 * before expansion allocates anything (64 values on 4 axes once ran V8 out
 * of memory). The message gives the count and the longest axes.
 */
function checkMatrixSize(profile: Profile): void {
  const axes = axisEntries(profile).map((a) => ({ name: a.name, n: a.entries.length }));
  const cells = axes.reduce((product, a) => product * a.n, 1);
  const samples = cells * plannedRepetitions(profile);
  if (cells <= MAX_PLANNED_CELLS && samples <= MAX_PLANNED_SAMPLES) return;
  const largest = [...axes]
    .sort((a, b) => b.n - a.n)
    .slice(0, 3)
    .map((a) => `${a.name} (${a.n} values)`)
    .join(', ');
  const what =
    cells > MAX_PLANNED_CELLS
      ? `${cells} cells, more than the ${MAX_PLANNED_CELLS} allowed`
      : `${samples} samples (cells × repetitions), more than the ${MAX_PLANNED_SAMPLES} allowed`;
  throw new InputError(`matrix: ${what}; the longest axes: ${largest}`);
}

export function expandMatrix(profile: Profile): Cell[] {
  checkMatrixSize(profile);
  let partial: Cell[] = [{ key: '', values: {}, requested: {}, options: {}, notices: [] }];
  for (const { name, entries } of axisEntries(profile)) {
    const axis = AXES.find((a) => a.name === name)!;
    const next: Cell[] = [];
    for (const cell of partial) {
      for (const entry of entries) {
        const eff = axis.effective(entry.requested);
        next.push({
          key: '',
          values: { ...cell.values, [name]: eff.value },
          requested: { ...cell.requested, [name]: entry.requested },
          options: { ...cell.options, [name]: entry.options },
          notices: eff.notice ? [...cell.notices, eff.notice] : cell.notices,
        });
      }
    }
    partial = next;
  }
  return partial.map((c) => ({ ...c, key: cellKeyOf(c.values) }));
}

/** Values of the axes with the given scope, e.g. what decides the QEMU configuration. */
export function valuesInScope(values: CellValues, scope: 'boot' | 'guest' | 'fio'): CellValues {
  const out: Record<string, AxisValue> = {};
  for (const axis of AXES) if (axis.scope === scope && axis.name in values) out[axis.name] = values[axis.name]!;
  return out;
}
