/**
 * Grouping: cells that share every `boot`-scope axis value share one QEMU
 * configuration, so one guest boot serves all their guest × fio cells.
 */
import type { CellValues } from '../model/sample.js';
import { valuesInScope, type Cell } from './cells.js';
import { cellKeyOf } from '../model/cell-key.js';

export interface BootGroup {
  /** Stable within a plan: g1, g2, ... in matrix order. */
  id: string;
  /** Canonical key of the boot-scope values, e.g. `backend=virtio-blk,ioeventfd=on`. */
  key: string;
  boot: CellValues;
  /** Options of the boot-scope entries (e.g. backend queue_size). */
  options: Record<string, Record<string, unknown>>;
  /** In matrix order, so guest settings change as rarely as possible. */
  cells: Cell[];
}

export function groupCells(cells: Cell[]): BootGroup[] {
  const byKey = new Map<string, BootGroup>();
  for (const cell of cells) {
    const boot = valuesInScope(cell.values, 'boot');
    const key = cellKeyOf(boot);
    let group = byKey.get(key);
    if (!group) {
      const options = Object.fromEntries(Object.keys(boot).map((axis) => [axis, cell.options[axis] ?? {}]));
      group = { id: `g${byKey.size + 1}`, key, boot, options, cells: [] };
      byKey.set(key, group);
    }
    group.cells.push(cell);
  }
  return [...byKey.values()];
}
