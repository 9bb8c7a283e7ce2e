/**
 * Axes that do not apply to a cell's backend (ioeventfd on vhost-user-blk,
 * poll_max_ns without an iothread) are collapsed: their value becomes `n/a`,
 * the cell is marked (`notApplicable`, with a notice), and the copies the
 * other values would have produced are dropped — one cell, never duplicates.
 * Generic: the backend's traits say what applies (ioeventfdApplies, usesIothread).
 */
import { NOT_APPLICABLE } from '../profile/axes.js';
import { inapplicableAxes } from './backend-traits.js';
import { backendName } from './boot-config.js';
import { type Cell } from './cells.js';
import { cellKeyOf } from '../model/cell-key.js';

export function collapseInapplicable(cells: Cell[]): Cell[] {
  const out: Cell[] = [];
  const seen = new Set<string>();
  for (const cell of cells) {
    let c = cell;
    for (const [axis, reason] of Object.entries(inapplicableAxes(backendName(cell.values, cell.options)))) {
      if (!(axis in c.values) || c.values[axis] === NOT_APPLICABLE) continue;
      c = {
        ...c,
        values: { ...c.values, [axis]: NOT_APPLICABLE },
        requested: { ...c.requested, [axis]: NOT_APPLICABLE },
        notApplicable: { ...c.notApplicable, [axis]: reason },
        notices: [...c.notices, `${axis}: n/a — ${reason}; one cell for every ${axis} value`],
      };
    }
    const key = c === cell ? cell.key : cellKeyOf(c.values);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c === cell ? cell : { ...c, key });
  }
  return out;
}
