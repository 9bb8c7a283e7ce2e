/**
 * One `run` session: profile → plan → boots × fio → results directory, or the
 * missing samples of an interrupted run (`--resume`).
 *
 * Order matters: everything that can be checked before a guest boots is
 * (profile, accel, QEMU binary, locks, stale leftovers, guest image, private
 * key, results space), and everything started is ended whatever happens: the
 * children are killed and the locks released before an error leaves here.
 * What the session found is returned, for the CLI to print and to choose the
 * exit code; progress and warnings go to the logger as they happen.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { InputError } from '../model/errors.js';
import type { Logger } from '../model/logger.js';
import type { Accel } from '../model/sample.js';
import { dryRunGuest, resolveGuestSource, type GuestSource } from '../guest-image/source.js';
import { acquireLock, type AcquireOptions, type HeldLock } from '../lifecycle/lock.js';
import { hostLockPath, resolveLockDir, runRegistryDir } from '../lifecycle/lock-dir.js';
import { RunLifecycle, sweepRunDir, sweepStaleRuns } from '../lifecycle/run-registry.js';
import { InterruptedError } from '../lifecycle/signals.js';
import { readPrivateKey } from '../security/private-key.js';
import { RUN_LOCK_FILE, runDirName } from '../store/layout.js';
import { createRunDir } from '../store/new-run-dir.js';
import { environmentChanges, missingSlots, recordedSlots, sampleSlot } from '../store/resume.js';
import { RunWriter } from '../store/run-writer.js';
import { loadRun, stoppedRounds, type StoredRun } from '../store/run-reader.js';
import {
  checkFreeSpace,
  checkResultsLocation,
  errnoCode,
  estimateResultsBytes,
  formatBytes,
  rescueSamples,
  unsavedAsJsonLines,
} from '../store/storage.js';
import { killAllChildren } from '../vm/children.js';
import { TOOL_VERSION } from '../util/version.js';
import { repoRoot } from '../util/paths.js';
import { createdBackingPath, prepareBackingStore } from './backing-store.js';
import { renderDryRun } from './dry-run.js';
import { collectRunEnvironment } from './environment.js';
import { runHostReference } from './reference.js';
import { plannedSamples, runPlan, type AdaptiveRounds, type LoopProgress, type RunLoopResult } from './run-plan.js';
import type { AdaptiveSpec } from '../profile/adaptive.js';
import type { AdaptiveRecord } from '../model/schemas/adaptive.js';
import type { CellValues } from '../model/sample.js';
import type { Plan } from '../plan/plan.js';
import { openSession, type Session, type SessionRequest } from './session-setup.js';
import { storeUnsupported, warnUnsupported } from './unsupported.js';
import type { RunDiagnostic } from '../model/diagnostic.js';
import type { TraceAnalyzer } from './traced-pass.js';

export interface RunRequest extends SessionRequest {
  /** Print the plan instead of running it. */
  dryRun?: boolean;
  /** Parent directory of a new results directory. */
  out: string;
  /** How long to wait for the host lock held by another run: 0 fails at once (LockHeldError), Infinity waits for ever. */
  waitLockMs: number;
}

/** What the loop's progress display needs to know up front. */
export interface ProgressPlan {
  total: number;
  visits: number;
  accel: Accel;
  runtimeS: number;
  rampTimeS: number;
}

export interface RunContext {
  log: Logger;
  /** Aborted by the first SIGINT/SIGTERM (lifecycle/signals.ts); its reason is an InterruptedError. */
  signal: AbortSignal;
  /** Starts the live progress display of the loop; absent: none. */
  startProgress?: (plan: ProgressPlan) => LoopProgress & { stop(): void };
  /**
   * `repetitions: auto`: the round policy for a plan (gate/adaptive-rounds.ts,
   * handed down by the CLI: the stopping rule is the analysis tier's).
   */
  adaptiveRounds?: (spec: AdaptiveSpec, cells: readonly { key: string; values: CellValues }[]) => AdaptiveRounds;
  /** `trace: latency`: the analysis that turns a traced pass's raw files into latency.json. */
  analyzeTrace?: TraceAnalyzer;
}

/** Measured samples that could not be stored (the results directory filled up). */
export interface UnsavedReport {
  count: number;
  /** Where they were rescued to, or null. */
  rescuedTo: string | null;
  /** Not rescued anywhere: the samples as JSON lines, to print. */
  jsonLines: string[];
}

export interface FinishedRun {
  kind: 'finished';
  runDir: string;
  accel: Accel;
  /** The results directory as stored now; null when it cannot be read. */
  stored: StoredRun | null;
  /** Planned samples without a record. */
  stillMissing: number;
  complete: boolean;
  /** The signal that interrupted the session, if one did. */
  interrupted: NodeJS.Signals | null;
  /** Why the loop stopped before the plan did (storage full, a fatal error). */
  stopped?: RunLoopResult['stopped'];
  unsaved?: UnsavedReport;
  /** Why it is not complete (run.json's stopReason), when it is not. */
  stopReason?: string;
  /** run.json could not be marked finished (it still says incomplete). */
  finishError?: RunDiagnostic;
  /** `repetitions: auto`: what was decided and where the rounds stopped (as stored in adaptive.json). */
  adaptive?: AdaptiveRecord;
}

export type RunOutcome = { kind: 'dry-run'; text: string } | FinishedRun;

/** The samples this session measures. */
interface Todo {
  missing: string[];
  isMissing(cellKey: string, repetition: number): boolean;
  /** Boots (visits) with at least one of them. */
  visits: number;
}

/** Everything one measuring session holds. */
interface Measuring {
  session: Session;
  todo: Todo;
  req: RunRequest;
  ctx: RunContext;
  locks: HeldLock[];
  lockOptions: AcquireOptions;
  /** `repetitions: auto`: the round policy. */
  rounds?: AdaptiveRounds;
}

export async function runSession(req: RunRequest, ctx: RunContext): Promise<RunOutcome> {
  const session = await openSession(req, ctx.log);
  if (req.shard && session.profile.repetitions === 'auto')
    throw new InputError(
      '--shard: repetitions: auto is not sharded: a comparison needs both its cells in one run, and its rounds stop on their joint decision (run it whole, or give repetitions a count)',
    );
  const rounds = roundPolicy(session, ctx);
  logPruned(session, ctx.log);
  const todo = samplesToMeasure(session);
  if (req.dryRun) return { kind: 'dry-run', text: await dryRunText(session, todo) };
  const purpose = session.stored
    ? `vblk-bench run --resume ${session.stored.dir}`
    : `vblk-bench run ${session.profilePath ?? ''}`;
  const lockOptions: AcquireOptions = {
    purpose,
    waitMs: req.waitLockMs,
    signal: ctx.signal,
    onWait: (h) => ctx.log.diagnostic({ kind: 'LockWait', pid: h.pid, since: h.since }),
    onTakeover: (text) => ctx.log.diagnostic({ kind: 'LockTakenOver', text }),
  };
  const m: Measuring = { session, todo, req, ctx, locks: [], lockOptions, rounds };
  try {
    return await measureSession(m);
  } catch (err) {
    await killAllChildren();
    throw err;
  } finally {
    for (const lock of m.locks.reverse()) lock.release();
  }
}

/** One line per reason, not per cell: a pruned iothread × ioeventfd=off block is 18 cells in seed-2011. */
function logPruned({ plan }: Session, log: Logger): void {
  const prunedByReason = new Map<string, string[]>();
  for (const p of plan.pruned) prunedByReason.set(p.reason, [...(prunedByReason.get(p.reason) ?? []), p.cell.key]);
  for (const [reason, keys] of prunedByReason) {
    log.info(
      `not run: ${keys.length} cell(s), e.g. ${keys[0]}: ${reason}${keys.length > 1 ? ' (--dry-run lists them all)' : ''}`,
    );
  }
}

/** What the sweep removed, one line each, the hint once. */
function logCleanup(actions: readonly string[], log: Logger): void {
  actions.forEach((action, i) =>
    log.diagnostic({ kind: 'LeftoverCleaned', action }, { hint: i === actions.length - 1 }),
  );
}

/** The round policy of an auto run, from the plan's cells; bad declarations are bad input before anything boots. */
function roundPolicy({ profile, plan }: Session, ctx: RunContext): AdaptiveRounds | undefined {
  if (profile.repetitions !== 'auto' || !profile.adaptive) return undefined;
  if (!ctx.adaptiveRounds) throw new Error('repetitions: auto needs a round policy (RunContext.adaptiveRounds)');
  const cells = plan.groups.flatMap((g) => g.cells.map((c) => ({ key: c.key, values: c.values })));
  return ctx.adaptiveRounds(profile.adaptive, cells);
}

/** Planned samples; of an auto run whose rule stopped its rounds, only those up to where it stopped each cell. */
function plannedNow(plan: Plan, adaptive: AdaptiveRecord | null | undefined) {
  const rounds = stoppedRounds(adaptive ?? null);
  const all = plannedSamples(plan);
  return rounds ? all.filter((p) => p.repetition < (rounds.get(p.cellKey) ?? Infinity)) : all;
}

function samplesToMeasure({ plan, stored }: Session): Todo {
  const planned = plannedNow(plan, stored?.adaptive);
  const missing = missingSlots(planned, recordedSlots(stored?.samples ?? []));
  const missingSet = new Set(missing);
  const isMissing = (cellKey: string, repetition: number) => missingSet.has(sampleSlot(cellKey, repetition));
  const visits = new Set(planned.filter((p) => isMissing(p.cellKey, p.repetition)).map((p) => p.visit)).size;
  return { missing, isMissing, visits };
}

async function dryRunText({ profile, plan, stored }: Session, todo: Todo): Promise<string> {
  if (stored)
    return `resume ${stored.dir}: ${todo.missing.length} of ${plan.sampleCount} planned sample(s) missing\n${todo.missing.map((m) => `  ${m}\n`).join('')}`;
  return (
    renderDryRun(profile, plan, {
      ...(await dryRunGuest(profile)),
      backing: profile.disk.path ?? '/dev/shm/vblk-bench-<run>.raw',
    }) + '\n'
  );
}

async function measureSession(m: Measuring): Promise<FinishedRun> {
  const { session, todo, ctx } = m;
  const { stored } = session;
  // One run per host at a time: a second one waits or exits 4. Then clean up what dead runs left.
  const lockDir = await resolveLockDir();
  const hostLock = await acquireLock(hostLockPath(lockDir), m.lockOptions);
  m.locks.push(hostLock);
  logCleanup((await sweepStaleRuns(runRegistryDir(lockDir))).actions, ctx.log);
  if (stored) {
    m.locks.push(await acquireLock(join(stored.dir, RUN_LOCK_FILE), m.lockOptions));
    logCleanup((await sweepRunDir(stored.dir)).actions, ctx.log);
    if (todo.missing.length === 0) {
      ctx.log.info(`resume ${stored.dir}: every planned sample already has a record; nothing to measure`);
      const writer = await RunWriter.resume(stored, {
        startedAt: new Date().toISOString(),
        missingSamples: 0,
        bootSuffix: '',
      });
      return finishRun(session, writer, null, ctx.signal);
    }
  }
  ctx.signal.throwIfAborted();
  const { guestSource, environment } = await prepareGuest(session, ctx);
  await checkRoom(m);
  const writer = await openWriter(m, environment);
  hostLock.update({ runDir: writer.dir });
  const loop = await measure(m, writer, guestSource, lockDir);
  // Cells this host cannot run: stored after the measured ones (tables keep a measured reference row).
  if (!loop.stopped)
    await storeUnsupported(writer, session.plan, new Set((stored?.samples ?? []).map((s) => s.cellKey)));
  const adaptive = m.rounds && (await recordRounds(m.rounds, writer, loop, ctx));
  return finishRun(session, writer, loop, ctx.signal, adaptive);
}

/** The guest to boot, its key, and the environment — which a resumed run must still have. */
async function prepareGuest(
  { profile, stored, accel, qemu }: Session,
  ctx: RunContext,
): Promise<{ guestSource: GuestSource; environment: Record<string, unknown> }> {
  const guestSource = await resolveGuestSource(profile, {
    repoRoot: repoRoot(),
    log: (l) => ctx.log.info(`guest: ${l}`),
  });
  for (const d of guestSource.diagnostics) ctx.log.diagnostic(d);
  ctx.signal.throwIfAborted();
  await readPrivateKey(guestSource.ssh.privateKeyPath); // 0600 or refuse, before anything boots
  const environment = await collectRunEnvironment({
    accel,
    qemuBinary: profile.qemu.binary,
    qemu,
    guest: guestSource.record,
    tool: TOOL_VERSION,
  });
  if (stored) {
    const changes = environmentChanges(stored.environment, environment);
    if (changes.length > 0) {
      throw new InputError([
        `--resume ${stored.dir}: the environment changed since the run started; its samples would not be comparable:`,
        ...changes.map((c) => `  environment.${c}`),
      ]);
    }
  }
  return { guestSource, environment };
}

const resultsParent = (m: Measuring): string => m.session.stored?.dir ?? resolve(m.req.out);

/** Room for what this session writes, and for the tmpfs backing file, before anything boots. */
async function checkRoom(m: Measuring): Promise<void> {
  const { profile } = m.session;
  const { missing, visits } = m.todo;
  const need = estimateResultsBytes(missing.length, visits * (1 + profile.boot_retries));
  await checkResultsLocation(resultsParent(m), need, `${missing.length} sample(s) and ${visits} boot(s)`);
  if (!profile.disk.path) {
    await checkFreeSpace(
      '/dev/shm',
      profile.disk.size + 16 * 1024 * 1024,
      `the ${formatBytes(profile.disk.size)} backing file (disk.size)`,
      'lower disk.size, or name an existing file with disk.path',
    );
  }
}

/** The writer of the stored run being resumed, or of a new results directory (locked, with profile, plan and environment). */
async function openWriter(m: Measuring, environment: Record<string, unknown>): Promise<RunWriter> {
  const { session, req, ctx } = m;
  const { profile, plan, stored } = session;
  if (stored) {
    const bootSuffix = `-s${(stored.manifest.resumes?.length ?? 0) + 2}`;
    const writer = await RunWriter.resume(stored, {
      startedAt: new Date().toISOString(),
      missingSamples: m.todo.missing.length,
      bootSuffix,
    });
    ctx.log.info(`resume ${stored.dir}: measuring ${m.todo.missing.length} missing sample(s) of ${plan.sampleCount}`);
    return writer;
  }
  const startedAt = new Date();
  const name = runDirName(req.shard ? `${profile.name}-shard${req.shard.replace('/', 'of')}` : profile.name, startedAt);
  const runDir = await createRunDir(resultsParent(m), name);
  m.locks.push(await acquireLock(join(runDir, RUN_LOCK_FILE), { ...m.lockOptions, waitMs: 0 }));
  const writer = await RunWriter.create(runDir, {
    tool: { name: 'vblk-bench', version: TOOL_VERSION },
    profileName: profile.name,
    profilePath: session.profilePath,
    startedAt: startedAt.toISOString(),
    accel: session.accel,
    warnings: session.warnings,
    plannedSamples: plan.sampleCount,
  });
  ctx.log.info(`results: ${runDir}`);
  await writer.writeProfile(profile);
  await writer.writePlan(plan);
  await warnUnsupported(writer, plan, ctx.log);
  await writer.writeEnvironment(environment);
  return writer;
}

/** The backing store, the host reference (if asked for) and the run loop; an interrupt ends it with what was stored. */
async function measure(
  m: Measuring,
  writer: RunWriter,
  guestSource: GuestSource,
  lockDir: string,
): Promise<RunLoopResult> {
  const { session, todo, ctx } = m;
  const { profile, plan, accel } = session;
  const lifecycle = RunLifecycle.start(runRegistryDir(lockDir), writer.dir);
  const runId = randomBytes(4).toString('hex');
  if (!profile.disk.path) lifecycle.trackTemp(createdBackingPath(runId));
  let progress: (LoopProgress & { stop(): void }) | undefined;
  try {
    ctx.signal.throwIfAborted();
    const backing = await prepareBackingStore(profile.disk, runId);
    try {
      if (profile.reference === 'host') {
        await runHostReference({
          profile,
          plan,
          target: backing.path,
          runDir: writer.dir,
          signal: ctx.signal,
          log: (l) => ctx.log.info(l),
        });
        ctx.signal.throwIfAborted();
      }
      progress = ctx.startProgress?.({
        total: todo.missing.length,
        visits: todo.visits,
        accel,
        runtimeS: profile.fio.runtime,
        rampTimeS: profile.fio.ramp_time,
      });
      return await runPlan({
        profile,
        plan,
        accel,
        guestSource,
        backingPath: backing.path,
        writer,
        log: ctx.log,
        signal: ctx.signal,
        progress,
        todo: todo.isMissing,
        bootSuffix: writer.runManifest.resumes?.at(-1)?.bootSuffix,
        rounds: m.rounds && { policy: m.rounds, stored: session.stored?.samples ?? [] },
        ...(ctx.analyzeTrace ? { analyzeTrace: ctx.analyzeTrace } : {}),
      });
    } finally {
      progress?.stop();
      await killAllChildren();
      await backing.remove();
    }
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    return { samplesWritten: 0, boots: [], interrupted: true, unsaved: [] };
  } finally {
    lifecycle.close();
  }
}

/**
 * adaptive.json from every stored sample (an earlier session's too), and one
 * line per comparison: its decision, after how many rounds, why.
 */
async function recordRounds(
  rounds: AdaptiveRounds,
  writer: RunWriter,
  loop: RunLoopResult,
  ctx: RunContext,
): Promise<AdaptiveRecord | undefined> {
  const stored = await loadRun(writer.dir).catch(() => null);
  if (!stored) return undefined;
  const ended = !loop.interrupted && !loop.stopped && !ctx.signal.aborted;
  const record = rounds.record(stored.samples, ended);
  await writer.writeAdaptive(record);
  for (const c of record.comparisons)
    ctx.log.info(`adaptive: ${pairLabel(c.cellKey, c.baselineKey)} (${c.metric}): ${c.reason}`);
  ctx.log.info(`adaptive: rounds stopped: ${ADAPTIVE_STOP_TEXT[record.stop]}`);
  return record;
}

/** `iodepth=8 vs iodepth=1 at backend=virtio-blk,scheduler=none`: what differs, then what the two cells share. */
function pairLabel(cellKey: string, baselineKey: string): string {
  const b = baselineKey.split(',');
  const parts = cellKey.split(',');
  const differ = parts.filter((p, i) => p !== b[i]);
  const shared = parts.filter((p, i) => p === b[i]);
  const base = b.filter((p, i) => p !== parts[i]);
  return `${differ.join(',')} vs ${base.join(',')}${shared.length ? ` at ${shared.join(',')}` : ''}`;
}

const ADAPTIVE_STOP_TEXT: Record<AdaptiveRecord['stop'], string> = {
  decided: 'every comparison decided',
  max: 'the maximum rounds, some comparisons undecided',
  budget: 'the time budget, some comparisons undecided',
  interrupted: 'the run did not end; run --resume continues the rounds',
};

const interruptedBy = (signal: AbortSignal): NodeJS.Signals | null =>
  signal.aborted && signal.reason instanceof InterruptedError ? signal.reason.signal : null;

/** Keeps the measured samples that could not be stored: on another filesystem, or as lines to print. */
async function keepUnsaved(runDir: string, loop: RunLoopResult): Promise<UnsavedReport> {
  if (loop.unsaved.length === 0) return { count: 0, rescuedTo: null, jsonLines: [] };
  const rescuedTo = await rescueSamples(runDir, loop.unsaved);
  return { count: loop.unsaved.length, rescuedTo, jsonLines: rescuedTo ? [] : unsavedAsJsonLines(loop.unsaved) };
}

/** Marks the run complete or incomplete (with why) and gathers what the CLI prints. */
async function finishRun(
  session: Session,
  writer: RunWriter,
  loop: RunLoopResult | null,
  signal: AbortSignal,
  adaptive?: AdaptiveRecord,
): Promise<FinishedRun> {
  const runDir = writer.dir;
  const storageStop = loop?.stopped?.kind === 'storage' ? loop.stopped.error : undefined;
  const unsaved = loop && storageStop ? await keepUnsaved(runDir, loop) : undefined;
  const stored = await loadRun(runDir).catch(() => null);
  const planned = plannedNow(session.plan, adaptive ?? stored?.adaptive);
  const stillMissing = missingSlots(planned, recordedSlots(stored?.samples ?? [])).length;
  const interrupted = interruptedBy(signal);
  const complete = stillMissing === 0 && !interrupted;
  const stopReason = interrupted
    ? `interrupted by ${interrupted}`
    : storageStop
      ? `results directory full or unwritable (${errnoCode(storageStop) ?? (storageStop as Error).message})`
      : loop?.stopped
        ? `stopped: ${(loop.stopped.error as Error)?.message?.split('\n')[0] ?? 'fatal error'}`
        : complete
          ? undefined
          : `${stillMissing} planned sample(s) not measured`;
  const finishError = await writer.finish({ complete, stopReason }).then(
    () => undefined,
    (err: unknown): RunDiagnostic => ({
      kind: 'ManifestNotUpdated',
      path: join(runDir, 'run.json'),
      why: errnoCode(err) ?? (err as Error).message,
    }),
  );
  return {
    kind: 'finished',
    runDir,
    accel: session.accel,
    stored,
    stillMissing,
    complete,
    interrupted,
    stopped: loop?.stopped,
    unsaved,
    stopReason,
    finishError,
    ...(adaptive ? { adaptive } : {}),
  };
}
