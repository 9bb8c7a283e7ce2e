/**
 * Whether one cell × metric can be tested at all, before any statistics:
 * a cell must exist on both sides, hold no failed or invalid sample, and have
 * `ok` values of the metric on both sides.
 */
import type { CellInfo } from '../compare/group.js';
import type { GateCellStatus } from './types.js';

export interface Untestable {
  status: Extract<GateCellStatus, 'missing' | 'failed' | 'unsupported'>;
  reason: string;
}

type Side = 'baseline' | 'current';

function problems(info: CellInfo, side: Side): string | null {
  const { failed, invalid } = info.counts;
  if (failed + invalid === 0) return null;
  const parts = [failed ? `${failed} failed` : '', invalid ? `${invalid} invalid` : ''].filter(Boolean).join(', ');
  const why = info.reasons.length ? ` (${info.reasons.join('; ')})` : '';
  return `${side}: ${parts}${why}`;
}

function onlyUnsupported(info: CellInfo): boolean {
  return info.counts.unsupported > 0 && info.counts.ok === 0;
}

export function precheck(
  base: CellInfo | undefined,
  cur: CellInfo | undefined,
  values: { base: number[] | undefined; cur: number[] | undefined },
  metric: string,
): Untestable | null {
  if (!base) return { status: 'missing', reason: 'cell not in the baseline' };
  if (!cur) return { status: 'missing', reason: 'cell not in the current run' };
  const failures = [problems(base, 'baseline'), problems(cur, 'current')].filter((x): x is string => x !== null);
  if (failures.length) return { status: 'failed', reason: failures.join('; ') };
  if (onlyUnsupported(base) && onlyUnsupported(cur))
    return { status: 'unsupported', reason: 'unsupported in both runs' };
  for (const [info, side] of [
    [base, 'baseline'],
    [cur, 'current'],
  ] as const) {
    if (info.counts.unsupported > 0) {
      return { status: 'missing', reason: `${info.counts.unsupported} sample(s) unsupported in the ${side}` };
    }
  }
  if (!values.base) return { status: 'missing', reason: `metric ${metric} not recorded in the baseline` };
  if (!values.cur) return { status: 'missing', reason: `metric ${metric} not recorded in the current run` };
  return null;
}
