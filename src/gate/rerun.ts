/**
 * `gate --confirm`, the measuring half: the regressed cells of the current run
 * are measured again by a fresh `vblk-bench run --only-cell ...` of the same
 * profile, and judged against the baseline like the first time. How the two
 * judgements combine is confirm.ts.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import { loadProfile } from '../profile/load.js';
import { spawnRun } from '../run/spawn-run.js';
import { loadResultSet, type ResultSet } from '../fingerprint/result-set.js';
import { mergeConfirmation, regressedCellKeys } from './confirm.js';
import { judgeResultSets, type GateSettings, type JudgedSets } from './judge-result-sets.js';
import type { GateResult } from './types.js';

/** Where and how the re-run is stored (`run --out`, `run --wait-lock`). */
export interface RerunOptions {
  out: string;
  waitLock?: boolean | string;
}

/** Whether every field the run recorded has the same value now (fields added to the schema since are not compared). */
function recordedIn(recorded: unknown, now: unknown): boolean {
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded))
    return JSON.stringify(recorded) === JSON.stringify(now);
  if (now === null || typeof now !== 'object') return false;
  return Object.entries(recorded).every(([k, v]) => recordedIn(v, (now as Record<string, unknown>)[k]));
}

/** The profile a confirmation re-runs: the current run's file, if it still says what the run used. */
async function confirmationProfile(current: ResultSet): Promise<string> {
  const path = current.manifest.profilePath;
  if (current.kind !== 'run' || !path || !(await stat(path).catch(() => null))) {
    throw new InputError(
      `--confirm: the profile of ${current.label} (${path ?? 'not recorded'}) is not available to re-run`,
    );
  }
  if (!recordedIn(current.profile, await loadProfile(path))) {
    throw new InputError(
      `--confirm: ${path} changed since ${current.label} was measured; re-running it would measure something else`,
    );
  }
  return path;
}

/**
 * The first judgement with its regressions re-measured and judged again, and
 * the re-run's own result (null when the re-run stored nothing).
 * `log` gets the line saying what is re-run, before the re-run starts.
 */
export async function confirmByRerun(
  sets: { baseline: ResultSet; current: ResultSet },
  first: JudgedSets,
  settings: GateSettings,
  options: RerunOptions,
  log: (line: string) => void,
): Promise<{ judged: JudgedSets; rerun: { dir: string; result: GateResult } | null }> {
  const { baseline, current } = sets;
  const keys = regressedCellKeys(first.result);
  const profilePath = await confirmationProfile(current);
  const runKeys = keys.map((k) => first.currentKeys.get(k) ?? k);
  log(`confirm: re-running ${runKeys.length} regressed cell(s) of ${current.label}: ${runKeys.join(' ')}`);
  const profileName = String((current.profile as { name?: unknown } | null)?.name ?? current.manifest.profileName);
  const child = await spawnRun(profilePath, {
    out: options.out,
    profileName,
    onlyCells: runKeys,
    quiet: true,
    waitLock: options.waitLock,
  });
  if (!child.dir) {
    const result = mergeConfirmation(first.result, { ...first.result, cells: [] });
    return {
      judged: {
        ...first,
        result,
        diagnostics: [...first.diagnostics, { kind: 'ConfirmRerunFailed', exitCode: child.exitCode }],
      },
      rerun: null,
    };
  }
  const rerunSet = await loadResultSet(child.dir);
  const second = judgeResultSets(baseline, rerunSet, settings, { onlyCells: new Set(keys) });
  const result = mergeConfirmation(first.result, second.result, second.envMismatch);
  return {
    judged: { ...first, result, diagnostics: [...first.diagnostics, { kind: 'ConfirmRerunStored', dir: child.dir }] },
    rerun: { dir: child.dir, result: second.result },
  };
}
