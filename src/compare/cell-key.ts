/**
 * Cell keys as stored in Sample.cellKey: `axis=value` pairs joined by commas
 * in canonical axis order (the insertion order of Sample.cell).
 */
import type { CellValues } from '../model/sample.js';

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
