/** Process exit code for a gate result. */
import { ExitCode } from '../model/exit-codes.js';
import type { GateResult } from './types.js';

/**
 * `git bisect run` treats 125 as "this commit cannot be tested, skip it";
 * 1..127 otherwise mean "bad". Not in ExitCode because only `gate --bisect` uses it.
 */
export const GIT_BISECT_SKIP = 125;

export type GateExitCode =
  typeof ExitCode.Success | typeof ExitCode.Regression | typeof ExitCode.Partial | typeof GIT_BISECT_SKIP;

/** pass → 0, regression → 1, inconclusive → 3 (or 125 with `bisect`, so bisection skips the commit). */
export function exitCodeFor(result: Pick<GateResult, 'verdict'>, opts: { bisect: boolean }): GateExitCode {
  switch (result.verdict) {
    case 'pass':
      return ExitCode.Success;
    case 'regression':
      return ExitCode.Regression;
    case 'inconclusive':
      return opts.bisect ? GIT_BISECT_SKIP : ExitCode.Partial;
  }
}
