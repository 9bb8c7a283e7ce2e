/**
 * One exit-code table for the whole tool. Every command maps its outcome
 * through these names so cron jobs and CI gates can rely on the numbers.
 */
export const ExitCode = {
  /** Everything asked for was measured (or explicitly allowed to be unsupported). */
  Success: 0,
  /** `gate` only: a statistically significant regression beyond the minimum effect. */
  Regression: 1,
  /** Bad input or usage: invalid profile, unknown option, missing file. */
  BadInput: 2,
  /** Partial or inconclusive: failed cells, missing data, too few samples. */
  Partial: 3,
  /** Another run holds the lock. */
  Locked: 4,
  /** Interrupted by SIGINT (128 + 2). */
  Interrupted: 130,
  /** Terminated by SIGTERM (128 + 15). */
  Terminated: 143,
} as const;
