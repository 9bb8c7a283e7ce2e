/**
 * Cell keys as stored in Sample.cellKey: `axis=value` pairs joined by commas,
 * in the cell's own axis order. Cells are built in canonical axis order
 * (profile/axes.ts: the planner's expansion, `import`, valuesInScope), so the
 * key is canonical for them; the key never reorders, so a key recomputed from
 * a stored sample's `cell` matches the `cellKey` stored beside it, whatever
 * axis order the tool that wrote it had. Every axis is kept, known or not.
 */
import type { CellValues } from './sample.js';

/** The key of `cell`, optionally leaving out one axis (to pair cells across it). */
export function cellKeyOf(cell: CellValues, omitAxis?: string): string {
  return Object.entries(cell)
    .filter(([axis]) => axis !== omitAxis)
    .map(([axis, value]) => `${axis}=${value}`)
    .join(',');
}

/** `cell` without one axis, order preserved. */
export function cellWithout(cell: CellValues, omitAxis: string): CellValues {
  return Object.fromEntries(Object.entries(cell).filter(([axis]) => axis !== omitAxis));
}
