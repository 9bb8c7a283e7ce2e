/**
 * Fields that may differ: the one policy for what does not count as a change,
 * shared by `run --resume` (may the stored run be continued?) and the
 * fingerprint (may two runs be compared? — fingerprint/environment.ts).
 *
 * Paths are fingerprint paths: `profile.<field>` for the profile, bare paths
 * for environment.json (`host.nodeVersion`); a rule covers its path and
 * everything below it.
 *
 * Two contexts:
 * - `resume` continues one run: only fields that cannot change how any sample
 *   is measured or which samples the plan takes may differ;
 * - `comparison` sets two runs side by side: those, and also fields that
 *   shape the plan (repetitions, visit order) or only name things, since each
 *   run's samples are complete on their own. Such differences are shown, not
 *   refused.
 * A field may differ on resume ⇒ it may differ in a comparison, never the
 * other way round.
 */

export type MayDifferContext = 'resume' | 'comparison';

export interface MayDifferRule {
  path: string;
  /** `anywhere`: on resume and in comparisons; `comparison`: between two runs only. */
  where: 'anywhere' | 'comparison';
  why: string;
}

export const FIELDS_THAT_MAY_DIFFER: readonly MayDifferRule[] = [
  { path: 'profile.description', where: 'anywhere', why: 'free text' },
  {
    path: 'profile.boot_retries',
    where: 'anywhere',
    why: 'how many failed boots are replaced by a fresh guest; every sample is measured on a guest that booted, so it cannot move a value',
  },
  { path: 'profile.guest.boot_timeout', where: 'anywhere', why: 'how long a boot may take before it counts as failed' },
  {
    path: 'profile.trace',
    where: 'anywhere',
    why: "adds a traced run after a cell's measured repetitions, never inside them, and it is no sample; its launch flag (-D, -msg timestamp=on) only opens a log file while every event is off",
  },
  { path: 'host.nodeVersion', where: 'anywhere', why: 'runs the harness, which stays out of the fio window' },
  {
    path: 'host.hostname',
    where: 'comparison',
    why: 'a name: the host is compared by its facts (kernel, CPU, mitigations...); a run is resumed on its own host',
  },
  {
    path: 'hostFio',
    where: 'comparison',
    why: 'runs only the host-native reference, not the guest samples; a resumed run keeps its reference',
  },
  { path: 'profile.name', where: 'comparison', why: 'a label; a resumed run keeps its name' },
  {
    path: 'profile.repetitions',
    where: 'comparison',
    why: 'how many samples per cell, not how one is measured; a resumed run keeps its plan',
  },
  { path: 'profile.order', where: 'comparison', why: 'the visit order; a resumed run keeps its plan' },
  { path: 'profile.seed', where: 'comparison', why: 'seeds the visit order; a resumed run keeps its plan' },
];

/** Any environment fact whose name says it is a point in time (`collectedAt`) may differ anywhere. */
const POINT_IN_TIME_KEY = /(At|Time|Timestamp|Uptime)$/;

/** Whether `path` lies at or under `prefix` (dot boundaries). */
export function pathCovers(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

/** Whether the field at `path` may differ in `context` without counting as a change. */
export function mayDiffer(path: string, context: MayDifferContext): boolean {
  if (!path.startsWith('profile.') && POINT_IN_TIME_KEY.test(path.slice(path.lastIndexOf('.') + 1))) return true;
  return FIELDS_THAT_MAY_DIFFER.some(
    (r) => pathCovers(r.path, path) && (r.where === 'anywhere' || context === 'comparison'),
  );
}
