/**
 * What a run session works from, decided before any lock is taken: the
 * profile, the accelerator, the QEMU binary and the plan — of a new run, or of
 * the stored run a `--resume` completes, refusing when the profile or the plan
 * changed since it started.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { HostError, InputError } from '../model/errors.js';
import type { Logger } from '../model/logger.js';
import type { RunWarning } from '../model/diagnostic.js';
import type { Accel } from '../model/sample.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { backendHostNodes } from '../plan/backend-traits.js';
import { makePlan, type Plan } from '../plan/plan.js';
import { parseShard, shardPlan, type ShardSpec } from '../plan/shard.js';
import { qemuVersionOf } from '../host/environment.js';
import { decideAccel, probeKvm } from '../vm/accel.js';
import { probeHostFacts } from '../vm/host-probe.js';
import { loadRun, type StoredRun } from '../store/run-reader.js';
import { jsonChanges, profileChanges } from '../store/resume.js';

/** Which run to start or complete. */
export interface SessionRequest {
  /** The profile file; with `resume`, the one the run was started with by default. */
  profilePath?: string;
  /** A results directory whose missing samples to measure (`run --resume`). */
  resume?: string;
  /** `i/n`: the i-th of n deterministic parts of the plan's groups (`run --shard`). */
  shard?: string;
  /** Only these cell keys (`run --only-cell`, `gate --confirm`). */
  onlyCells?: string[];
}

/** What a session (a new run, or a resume) works from. */
export interface Session {
  profile: Profile;
  profilePath: string | null;
  accel: Accel;
  /** What qualifies the results from the start (TCG, the KVM fallback): stored in run.json. */
  warnings: RunWarning[];
  qemu: { version: string; banner: string };
  plan: Plan;
  /** Set when resuming. */
  stored?: StoredRun;
}

export async function openSession(req: SessionRequest, log: Logger): Promise<Session> {
  return req.resume ? resumeSession(req.resume, req, log) : newSession(req, log);
}

async function checkQemu(binary: string): Promise<{ version: string; banner: string }> {
  try {
    return await qemuVersionOf(binary);
  } catch (err) {
    throw new HostError(
      (err as Error).message,
      "set qemu.binary to a qemu-system-x86_64 binary (scripts/setup-host.sh installs Debian's)",
    );
  }
}

async function buildPlan(
  profile: Profile,
  accel: Accel,
  onlyCells: readonly string[] | undefined,
  shard: ShardSpec | undefined,
): Promise<Plan> {
  // What this host can run (vhost-blk, qemu-storage-daemon) and where pin: may put threads.
  const host = await probeHostFacts({
    qemuBinary: profile.qemu.binary,
    backingPath: profile.disk.path,
    nodes: backendHostNodes(),
  });
  const full = makePlan(profile, accel, { onlyCells, host });
  return shard ? shardPlan(full, shard, { runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time }) : full;
}

/** Profile, accel, QEMU and plan of a new run. */
async function newSession(req: SessionRequest, log: Logger): Promise<Session> {
  if (!req.profilePath) throw new InputError('run: a profile is required (or --resume <results dir>)');
  const profile = await loadProfile(req.profilePath);
  const { accel, warnings } = await chooseAccel(profile, log);
  const qemu = await checkQemu(profile.qemu.binary);
  const profilePath = req.profilePath;
  const plan = await buildPlan(profile, accel, req.onlyCells, req.shard ? parseShard(req.shard) : undefined).catch(
    (err: unknown) => {
      // The planner's problems are the profile's (matrix size, conflicting settings), except those of an option.
      if (err instanceof InputError)
        throw new InputError(err.lines.map((l) => (l.startsWith('--') ? l : `${profilePath}: ${l}`)));
      throw err;
    },
  );
  return { profile, profilePath: resolve(req.profilePath), accel, warnings, qemu, plan };
}

async function chooseAccel(profile: Profile, log: Logger): Promise<{ accel: Accel; warnings: RunWarning[] }> {
  const decision = decideAccel(profile.qemu.accel, await probeKvm());
  const warnings: RunWarning[] = [
    ...decision.warnings,
    ...(decision.accel === 'tcg' ? [{ kind: 'TcgEmulation' as const }] : []),
  ];
  for (const w of warnings) log.diagnostic(w);
  return { accel: decision.accel, warnings };
}

/** The profile to resume with: the file (given, or the one the run started with) must say what the stored run used. */
async function resumeProfile(
  stored: StoredRun,
  profileArg: string | undefined,
  log: Logger,
): Promise<{ profile: Profile; source: string | undefined }> {
  const source = profileArg ?? stored.manifest.profilePath ?? undefined;
  if (!source || !existsSync(source)) {
    log.diagnostic({ kind: 'ProfileFileGone', path: source ?? null, dir: stored.dir });
    return { profile: stored.profile as Profile, source };
  }
  const profile = await loadProfile(source);
  const changes = profileChanges(stored.profile, profile);
  if (changes.length > 0) {
    throw new InputError([
      `--resume ${stored.dir}: the profile ${source} changed since the run started; resuming would mix two experiments:`,
      ...changes.map((c) => `  profile.${c}`),
    ]);
  }
  return { profile, source };
}

/**
 * The stored run and the profile to resume it with: the profile file (given,
 * or the one the run was started with) must resolve to the stored profile,
 * and the plan rebuilt from it must be the stored plan.
 */
async function resumeSession(dir: string, req: SessionRequest, log: Logger): Promise<Session> {
  if (req.shard || req.onlyCells)
    throw new InputError('--resume: --shard and --only-cell come from the stored run; do not give them again');
  const stored = await loadRun(resolve(dir));
  const { profile, source } = await resumeProfile(stored, req.profilePath, log);
  const { accel, warnings } = await chooseAccel(profile, log);
  const qemu = await checkQemu(profile.qemu.binary);
  const storedPlan = stored.plan as Partial<Plan> & { shard?: ShardSpec };
  const plan = await buildPlan(profile, accel, storedPlan.cellFilter ?? undefined, storedPlan.shard);
  const planChanges = jsonChanges(storedPlan, JSON.parse(JSON.stringify(plan)), (path) => path === 'estimate');
  if (planChanges.length > 0) {
    throw new InputError([
      `--resume ${stored.dir}: the plan built now differs from the stored one (another vblk-bench version?):`,
      ...planChanges.slice(0, 20).map((c) => `  plan.${c}`),
    ]);
  }
  return { profile, profilePath: source ?? null, accel, warnings, qemu, plan, stored };
}
