/** How cells are named in every view: by the axes that tell them apart. */
import type { CellValues } from '../model/sample.js';

/** Axes whose value differs between the cells: what tells rows apart. */
export function varyingAxes(cells: readonly CellValues[]): string[] {
  const axes = [...new Set(cells.flatMap((c) => Object.keys(c)))];
  return axes.filter((axis) => new Set(cells.map((c) => String(c[axis]))).size > 1);
}

/** `ioeventfd=on iodepth=4`: the given axes of a cell (all of them when none is given). */
export function cellLabel(cell: CellValues, axes: readonly string[]): string {
  const shown = axes.length > 0 ? axes.filter((a) => a in cell) : Object.keys(cell);
  return shown.map((a) => `${a}=${cell[a]}`).join(' ');
}
