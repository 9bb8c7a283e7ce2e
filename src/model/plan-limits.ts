/**
 * How big a plan may get. Checked by the planner before the matrix is
 * expanded (a 64⁴-cell profile once ran V8 out of heap) and by every reader
 * of a stored plan before it counts planned samples.
 *
 * 100 000 cells is days of measurement at the shortest fio runtime (1 s
 * plus boots) and a plan.json of about 60 MiB; expanding it takes about
 * 2.5 s and 300 MB. 1 000 000 samples (cells × repetitions) is over 11 days
 * of fio alone at 1 s each.
 */
export const MAX_PLANNED_CELLS = 100_000;
export const MAX_PLANNED_SAMPLES = 1_000_000;
