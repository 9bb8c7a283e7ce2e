/**
 * Cells that cannot run, found at plan time with the reason — so the plan says
 * it, not QEMU at launch. Each rule is a small predicate over one cell:
 *   - `impossible`: QEMU would refuse the configuration anywhere;
 *   - `unsupported`: this host lacks what the cell needs (in-kernel vhost-blk
 *     everywhere upstream). Such cells are stored as `unsupported` samples and
 *     the rest of the matrix runs — unless the backend entry says
 *     `required: true`, which makes the run an error before anything boots.
 */
import { HostError } from '../model/errors.js';
import type { Profile } from '../profile/schema.js';
import type { HostFacts } from './host-facts.js';
import { backendTraits } from './backend-traits.js';
import { backendName, bootConfig } from './boot-config.js';
import type { Cell } from './cells.js';

export type PruneStatus = 'impossible' | 'unsupported';

export interface PrunedCell {
  cell: Cell;
  /** `impossible`: QEMU would refuse it; `unsupported`: this host lacks what it needs. */
  status: PruneStatus;
  reason: string;
}

/** What rules may look at besides the cell. Without `host`, host-dependent rules are skipped (pure plans in tests). */
export interface RuleContext {
  profile?: Profile;
  host?: HostFacts;
}

interface CellRule {
  id: string;
  status: PruneStatus;
  check(cell: Cell, ctx: RuleContext): string | null;
}

const backendOf = (cell: Cell) => backendName(cell.values, cell.options);

const CELL_RULES: readonly CellRule[] = [
  {
    id: 'iothread-needs-ioeventfd',
    status: 'impossible',
    check: (cell) =>
      backendOf(cell) === 'virtio-blk-iothread' && cell.values.ioeventfd === 'off'
        ? 'ioeventfd is required for iothread: QEMU refuses ioeventfd=off on a virtio-blk device with iothread= ("ioeventfd is required for iothread")'
        : null,
  },
  {
    id: 'aio-native-needs-direct',
    status: 'impossible',
    check: (cell, ctx) => {
      if (!ctx.profile) return null;
      const { aio, cache } = bootConfig(cell.values, cell.options, ctx.profile);
      if (aio !== 'native' || cache === 'none') return null;
      const from = (axis: string, field: string) =>
        axis in cell.values ? `${axis}=${String(cell.values[axis])}` : `${axis} ${field} (disk.${axis})`;
      return (
        `aio=native requires cache.direct=on: QEMU refuses ${from('aio', aio)} with ${from('cache', cache)} ` +
        '("aio=native was specified, but it requires cache.direct=on"); use cache none, or aio threads or io_uring'
      );
    },
  },
  {
    id: 'backend-host-support',
    status: 'unsupported',
    check: (cell, ctx) => (ctx.host ? (backendTraits(backendOf(cell)).hostSupport?.(ctx.host) ?? null) : null),
  },
];

export function pruneCells(cells: Cell[], ctx: RuleContext = {}): { runnable: Cell[]; pruned: PrunedCell[] } {
  const runnable: Cell[] = [];
  const pruned: PrunedCell[] = [];
  for (const cell of cells) {
    let hit: PrunedCell | undefined;
    for (const rule of CELL_RULES) {
      const reason = rule.check(cell, ctx);
      if (reason !== null) {
        hit = { cell, status: rule.status, reason };
        break;
      }
    }
    if (hit) pruned.push(hit);
    else runnable.push(cell);
  }
  return { runnable, pruned };
}

/**
 * `required: true` on a backend entry: an unsupported cell of that backend is
 * an error (HostError, exit 2) raised at plan time, before anything boots.
 */
export function checkRequiredBackends(pruned: readonly PrunedCell[]): void {
  const reasons = new Map<string, string>();
  for (const p of pruned) {
    if (p.status === 'unsupported' && p.cell.options.backend?.required === true)
      reasons.set(backendOf(p.cell), p.reason);
  }
  if (reasons.size === 0) return;
  const [first, ...rest] = [...reasons].map(
    ([backend, reason]) => `backend ${backend} is required (required: true) but cannot run here: ${reason}`,
  );
  throw new HostError(
    [first, ...rest].join('\n'),
    'make the host support it (see the reason), or remove required: true to record its cells as unsupported and run the rest',
  );
}
