/**
 * Which cells get their traced pass (`trace: latency`, issue 14), and when:
 * once per cell, after its last measured repetition. With fixed repetitions
 * the last is the last planned round. With `repetitions: auto` a cell may
 * stop earlier: the round policy, asked about the next round with every
 * sample stored so far, no longer measures it. Decisions are never
 * revisited, so once the policy drops a cell that answer is final — but a
 * comparison is decided only when both of its cells have the round, and
 * its two cells usually boot apart (ioeventfd on and off are two QEMU
 * command lines): the cell visited first cannot know, in its boot, that the
 * round it just measured was its last. Those cells get one boot of their
 * group after the rounds end, for the traced passes alone.
 */
import type { Cell } from '../plan/cells.js';

export interface TraceChoice {
  /** Repetitions planned per cell (`repetitions: auto`: its maximum). */
  plannedRounds: number;
  /**
   * `repetitions: auto`: whether the policy, asked now about the round after
   * `round`, would measure the cell again (false once its comparisons are
   * decided, the budget is spent or the maximum reached). Absent with fixed repetitions.
   */
  measuredAgain?: (cellKey: string, round: number) => boolean;
  /** Cells whose traced pass was already run (or tried) this session: never twice. */
  traced: ReadonlySet<string>;
}

/** The cells measured in one boot whose last repetition that boot measured: they get a traced pass in it, in boot order. */
export function cellsToTraceNow(measured: readonly { round: number; cell: Cell }[], choice: TraceChoice): Cell[] {
  const lastRound = new Map<string, { round: number; cell: Cell }>();
  for (const m of measured) {
    const seen = lastRound.get(m.cell.key);
    if (!seen || m.round > seen.round) lastRound.set(m.cell.key, m);
  }
  return [...lastRound.values()]
    .filter(({ round, cell }) => {
      if (choice.traced.has(cell.key)) return false;
      if (round >= choice.plannedRounds - 1) return true;
      return choice.measuredAgain !== undefined && !choice.measuredAgain(cell.key, round);
    })
    .map((m) => m.cell);
}

/**
 * `repetitions: auto`, after the rounds: the cells this session measured
 * that still have no traced pass (their stop became known only in another
 * group's boot), by boot group in plan order. `hasTrace` says whether a
 * cell already has one from an earlier session (a resumed run).
 */
export function cellsToTraceAfterRounds(
  groups: readonly { id: string; cells: readonly Cell[] }[],
  choice: { measured: ReadonlySet<string>; traced: ReadonlySet<string>; hasTrace: (cellKey: string) => boolean },
): { groupId: string; cells: Cell[] }[] {
  return groups
    .map((g) => ({
      groupId: g.id,
      cells: g.cells.filter((c) => choice.measured.has(c.key) && !choice.traced.has(c.key) && !choice.hasTrace(c.key)),
    }))
    .filter((g) => g.cells.length > 0);
}
