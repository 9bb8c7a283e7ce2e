/**
 * Cells that cannot run, found at plan time with the reason — so the plan says
 * it, not QEMU at launch. Each rule is a small predicate over one cell.
 */
import type { Cell } from './cells.js';

export interface PrunedCell {
  cell: Cell;
  /** `impossible`: QEMU would refuse it; `unsupported`: this host lacks what it needs. */
  status: 'impossible' | 'unsupported';
  reason: string;
}

interface CellRule {
  id: string;
  check(cell: Cell): string | null;
}

const backendOf = (cell: Cell) => String(cell.options.backend?.backend ?? cell.values.backend);

export const CELL_RULES: readonly CellRule[] = [
  {
    id: 'iothread-needs-ioeventfd',
    check: (cell) =>
      backendOf(cell) === 'virtio-blk-iothread' && cell.values.ioeventfd === 'off'
        ? 'ioeventfd is required for iothread: QEMU refuses ioeventfd=off on a virtio-blk device with iothread= ("ioeventfd is required for iothread")'
        : null,
  },
];

export function pruneCells(cells: Cell[]): { runnable: Cell[]; pruned: PrunedCell[] } {
  const runnable: Cell[] = [];
  const pruned: PrunedCell[] = [];
  for (const cell of cells) {
    const reason = CELL_RULES.map((r) => r.check(cell)).find((r): r is string => r !== null);
    if (reason) pruned.push({ cell, status: 'impossible', reason });
    else runnable.push(cell);
  }
  return { runnable, pruned };
}
