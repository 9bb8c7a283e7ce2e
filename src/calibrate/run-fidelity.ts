/**
 * `calibrate --fidelity`: does the harness change what it measures? The
 * chosen cells run two ways, interleaved round by round with the first path
 * alternating (normal, harness-free; harness-free, normal; …):
 *
 *   normal       — a real `vblk-bench run` of the profile with one repetition
 *                  (spawnRun: the same code path a user runs): QEMU, QMP
 *                  checks, SSH, guest settings, fio, insight;
 *   harness-free — the same boots (one per QEMU configuration, its cells in
 *                  the run's order) where the guest runs the identical fio
 *                  argv from its own init and prints the results on its
 *                  serial console (run/harness-free.ts).
 *
 * Every sample of both paths goes into `<dir>/fidelity.json` after each
 * round; the verdict (fidelity-verdict.ts) is computed from that file.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join, relative, resolve } from 'node:path';
import type { Logger } from '../model/logger.js';
import { InputError } from '../model/errors.js';
import { nameFromPath, parseYaml, readProfileText, validateProfile } from '../profile/load.js';
import { groupById } from '../plan/plan.js';
import { visitMeasurements } from '../plan/schedule.js';
import { resolveGuestSource, type GuestSource } from '../guest-image/source.js';
import { openSession, type Session } from '../run/session-setup.js';
import { spawnRun } from '../run/spawn-run.js';
import { prepareBackingStore } from '../run/backing-store.js';
import { harnessFreeUnsupported, runHarnessFreeVisit, type HarnessFreeVisit } from '../run/harness-free.js';
import { acquireLock } from '../lifecycle/lock.js';
import { hostLockPath, resolveLockDir } from '../lifecycle/lock-dir.js';
import { onExit } from '../lifecycle/exit-guard.js';
import { loadRun } from '../store/run-reader.js';
import { runDirName } from '../store/layout.js';
import { createRunDir } from '../store/new-run-dir.js';
import { repoRoot } from '../util/paths.js';
import { formatCount } from '../util/number-format.js';
import type { FidelityPath, FidelitySample } from '../model/schemas/fidelity.js';
import { FIDELITY_KIND, FIDELITY_SCHEMA_VERSION, writeFidelity, type FidelityFile } from './fidelity-file.js';

export interface FidelityRequest {
  profilePath: string;
  /** Cell keys to check (`--cells`); default: every runnable cell of the profile. */
  cells?: string[];
  pairs: number;
  /** Parent directory of the fidelity directory. */
  out: string;
  /** `run --wait-lock`, and how long the harness-free rounds wait for the host lock. */
  waitLock?: boolean | string;
  settings: FidelityFile['settings'];
}

interface Context {
  req: FidelityRequest;
  log: Logger;
  dir: string;
  /** The one-repetition profile every normal round runs (`<dir>/profile.json`). */
  roundProfile: string;
  session: Session;
  guestSource: GuestSource;
  file: FidelityFile;
}

const waitMs = (w: boolean | string | undefined): number =>
  w === true ? Infinity : typeof w === 'string' ? Number(w) * 1000 : 0;

/**
 * The session (accel, plan) of the one-repetition profile, checked before the
 * fidelity directory exists: from a temporary copy, with problems told in
 * the user's terms (their profile, `--cells`).
 */
async function sessionFor(input: object, req: FidelityRequest, log: Logger): Promise<Session> {
  const tmp = await mkdtemp(join(tmpdir(), 'vblk-fidelity-'));
  const path = join(tmp, 'profile.json');
  try {
    await writeFile(path, JSON.stringify(input, null, 2) + '\n');
    return await openSession({ profilePath: path, onlyCells: req.cells }, log);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new InputError(err.lines.map((l) => l.replaceAll(path, req.profilePath).replace(/^--only-cell/, '--cells')));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The profile, its plan for the chosen cells and the guest, checked before anything boots; then the directory. */
async function prepare(req: FidelityRequest, log: Logger): Promise<Context> {
  if (!Number.isInteger(req.pairs) || req.pairs < 1) throw new InputError('--pairs: expected a positive integer');
  const raw = parseYaml(await readProfileText(req.profilePath));
  const profile = validateProfile(raw, nameFromPath(req.profilePath));
  // Normal rounds keep the profile's name, their directories right in <dir>: a boot's QMP socket path must stay < 108 bytes.
  const input = { ...(raw as Record<string, unknown>), name: profile.name, repetitions: 1 };
  const session = await sessionFor(input, req, log);
  const dir = await createRunDir(resolve(req.out), runDirName(`${profile.name}-fidelity`, new Date()));
  const roundProfile = join(dir, 'profile.json');
  await writeFile(roundProfile, JSON.stringify(input, null, 2) + '\n');
  const guestSource = await resolveGuestSource(session.profile, {
    repoRoot: repoRoot(),
    log: (l) => log.info(`guest: ${l}`),
  });
  const unsupported = harnessFreeUnsupported(guestSource);
  if (unsupported) throw new InputError(`${req.profilePath}: ${unsupported}`);
  const cells = session.plan.visits.flatMap((v) =>
    visitMeasurements(v, groupById(session.plan, v.groupId).cells).map((m) => m.cell.key),
  );
  if (cells.length === 0) throw new InputError(`${req.profilePath}: no runnable cell to check`);
  const file: FidelityFile = {
    kind: FIDELITY_KIND,
    schemaVersion: FIDELITY_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    profileName: profile.name,
    accel: session.accel,
    pairs: req.pairs,
    cells,
    settings: req.settings,
    rounds: [],
    samples: [],
  };
  return { req, log, dir, roundProfile, session, guestSource, file };
}

const metricValues = (metrics: Record<string, { value: number }>): Record<string, number> =>
  Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.value]));

/** One normal round: `vblk-bench run` of the one-repetition profile; its samples. */
async function normalRound(ctx: Context, round: number): Promise<{ runDir: string | null; exitCode: number }> {
  const { req, dir, file } = ctx;
  const child = await spawnRun(ctx.roundProfile, {
    out: dir,
    profileName: file.profileName,
    onlyCells: req.cells,
    quiet: true,
    waitLock: req.waitLock,
  });
  if (!child.dir) return { runDir: null, exitCode: child.exitCode };
  const run = await loadRun(child.dir);
  for (const s of run.samples) {
    file.samples.push({
      round,
      path: 'normal',
      cellKey: s.cellKey,
      bootId: s.bootId,
      status: s.status === 'ok' ? 'ok' : s.status === 'invalid' ? 'invalid' : 'failed',
      ...(s.reason ? { reason: s.reason } : {}),
      metrics: metricValues(s.metrics),
      evidence: relative(dir, child.dir),
    });
  }
  return { runDir: relative(dir, child.dir), exitCode: child.exitCode };
}

/**
 * One boot of the harness-free path, booted again (up to the profile's
 * boot_retries) while the guest never reached its jobs — a boot failure,
 * as the run retries it; a guest that started the jobs is never run again.
 */
async function harnessFreeBoot(
  ctx: Context,
  at: { round: number; visit: number; backingPath: string },
): Promise<{ rel: string; bootId: string; visit: HarnessFreeVisit }> {
  const { session, dir, log } = ctx;
  const { profile, plan, accel } = session;
  const visit = plan.visits[at.visit]!;
  const group = groupById(plan, visit.groupId);
  const cells = visitMeasurements(visit, group.cells).map((m) => m.cell);
  const baseId = `r${String(at.round).padStart(3, '0')}-b${String(at.visit + 1).padStart(3, '0')}-${group.id}`;
  for (let attempt = 1; ; attempt++) {
    const bootId = attempt === 1 ? baseId : `${baseId}-a${attempt}`;
    const rel = join('harness-free', bootId);
    await mkdir(join(dir, rel), { recursive: true });
    const bootDir = join(dir, rel);
    const v = await runHarnessFreeVisit({ profile, accel, guestSource: ctx.guestSource, group, cells, bootDir, ...at });
    if (v.boot || attempt > profile.boot_retries) return { rel, bootId, visit: v };
    log.info(`harness-free boot ${bootId}: the guest never reached its jobs (see ${rel}/serial.log); a fresh guest`);
  }
}

/** One harness-free round: every boot of the plan, in its order, holding the host lock. */
async function harnessFreeRound(ctx: Context, round: number): Promise<void> {
  const { session, dir, file } = ctx;
  const lock = await acquireLock(hostLockPath(await resolveLockDir()), {
    purpose: `vblk-bench calibrate --fidelity (harness-free round ${round})`,
    waitMs: waitMs(ctx.req.waitLock),
  });
  const backing = await prepareBackingStore(session.profile.disk, `fidelity-${randomBytes(4).toString('hex')}`);
  const forget = backing.created ? onExit(() => unlinkSync(backing.path)) : () => undefined;
  try {
    for (let i = 0; i < session.plan.visits.length; i++) {
      const { rel, bootId, visit } = await harnessFreeBoot(ctx, { round, visit: i, backingPath: backing.path });
      for (const [j, s] of visit.samples.entries()) {
        const evidence = join(rel, `fio-${String(j + 1).padStart(2, '0')}.json`);
        if (s.rawFio !== undefined) await writeFile(join(dir, evidence), JSON.stringify(s.rawFio, null, 2) + '\n');
        file.samples.push({
          round,
          path: 'harness-free',
          cellKey: s.cellKey,
          bootId,
          status: s.status,
          ...(s.reason ? { reason: s.reason } : {}),
          metrics: s.metrics,
          evidence: s.rawFio !== undefined ? evidence : rel,
        });
      }
    }
  } finally {
    forget();
    await backing.remove();
    lock.release();
  }
}

function roundLine(file: FidelityFile, round: number, metric: string): string {
  const parts = (path: FidelityPath) =>
    file.samples
      .filter((s) => s.round === round && s.path === path)
      .map((s: FidelitySample) => (s.status === 'ok' ? formatCount(s.metrics[metric] ?? NaN) : s.status))
      .join(' ');
  return `fidelity round ${round}/${file.pairs}: ${metric} normal ${parts('normal')} · harness-free ${parts('harness-free')}`;
}

export async function runFidelity(req: FidelityRequest, log: Logger): Promise<{ file: FidelityFile; dir: string }> {
  const ctx = await prepare(req, log);
  const { file, dir } = ctx;
  log.info(
    `fidelity: ${file.cells.length} cell(s), ${req.pairs} round(s) of normal and harness-free, interleaved; results: ${dir}`,
  );
  for (let round = 1; round <= req.pairs; round++) {
    const first: FidelityPath = round % 2 === 1 ? 'normal' : 'harness-free';
    let normal = { runDir: null as string | null, exitCode: 0 };
    for (const path of first === 'normal' ? ['normal', 'harness-free'] : ['harness-free', 'normal']) {
      if (path === 'normal') normal = await normalRound(ctx, round);
      else await harnessFreeRound(ctx, round);
    }
    file.rounds.push({ round, first, normalRun: normal.runDir, normalExitCode: normal.exitCode });
    await writeFidelity(dir, file);
    log.info(roundLine(file, round, req.settings.metric));
  }
  log.info(`fidelity: ${basename(dir)} written`);
  return { file, dir };
}
