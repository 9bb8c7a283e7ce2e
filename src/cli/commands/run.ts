/**
 * `vblk-bench run <profile>`: profile → plan → boots × fio → results → table.
 * `vblk-bench run --resume <results dir>`: the same for the samples an
 * interrupted run is missing, refusing when the profile or the environment
 * changed since it started.
 *
 * Order matters: everything that can be checked before a guest boots is
 * (profile, accel, QEMU binary, locks, stale leftovers, guest image, private
 * key, results space), and everything started is ended whatever happens.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode } from '../../model/exit-codes.js';
import { loadProfile } from '../../profile/load.js';
import type { Profile } from '../../profile/schema.js';
import { makePlan, type Plan } from '../../plan/plan.js';
import { parseShard, shardPlan, type ShardSpec } from '../../plan/shard.js';
import type { Accel } from '../../model/sample.js';
import { decideAccel, probeKvm } from '../../vm/accel.js';
import { killAllChildren } from '../../vm/children.js';
import { HostError, InputError } from '../../model/errors.js';
import { qemuVersionOf } from '../../host/fingerprint.js';
import { collectRunEnvironment } from '../../run/environment.js';
import { dryRunGuest, resolveGuestSource } from '../../guest-image/source.js';
import { RunWriter } from '../../store/run-writer.js';
import { RUN_LOCK_FILE, runDirName } from '../../store/layout.js';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { environmentChanges, jsonChanges, missingSlots, profileChanges, recordedSlots, sampleSlot } from '../../store/resume.js';
import { checkFreeSpace, checkResultsLocation, errnoCode, estimateResultsBytes, formatBytes, rescueSamples, unsavedAsJsonLines } from '../../store/storage.js';
import { createdBackingPath, prepareBackingStore } from '../../run/backing-store.js';
import { plannedSamples, runPlan, type RunLoopResult } from '../../run/run-plan.js';
import { renderDryRun } from '../../run/dry-run.js';
import { storeUnsupported, warnUnsupported } from '../../run/unsupported.js';
import { probeHostFacts } from '../../vm/host-facts.js';
import { backendHostNodes } from '../../vm/backends/index.js';
import { runHostReference } from '../../run/reference.js';
import { loadReference } from '../../store/reference-store.js';
import { buildReferenceRatios, renderReferenceTable } from '../../report/reference-table.js';
import { buildIopsMatrix } from '../../report/iops-matrix.js';
import { renderTerminalTable } from '../../report/terminal-table.js';
import { buildCellStats, renderCellStatsTable } from '../../report/cell-stats-table.js';
import { renderRunBreakdown } from '../../report/breakdown-table.js';
import { repoRoot } from '../../util/paths.js';
import { acquireLock, type HeldLock } from '../../lifecycle/lock.js';
import { hostLockPath, resolveLockDir, runRegistryDir } from '../../lifecycle/lock-dir.js';
import { RunLifecycle, sweepRunDir, sweepStaleRuns } from '../../lifecycle/run-registry.js';
import { readPrivateKey } from '../../security/private-key.js';
import { createLogger, type Logger, type Verbosity } from '../log.js';
import { RunProgress } from '../progress.js';
import { failureHint, reportError } from '../errors.js';
import { installInterruptHandlers, exitCodeForSignal, InterruptedError, type InterruptState } from '../signals.js';
import { TOOL_VERSION } from '../version.js';

interface RunOptions {
  dryRun?: boolean;
  out: string;
  quiet?: boolean;
  verbose?: boolean;
  /** `i/n`: run the i-th of n deterministic parts of the plan's groups (merge them with `vblk-bench merge`). */
  shard?: string;
  /** Run only these cells (repeatable): `gate --confirm` re-runs the regressed cells this way. */
  onlyCell?: string[];
  /** A results directory whose missing samples to measure. */
  resume?: string;
  /** true: wait for the lock for ever; a string: at most that many seconds. */
  waitLock?: boolean | string;
}

export const TCG_BANNER =
  'accel tcg: QEMU emulates the CPU. These numbers measure an emulator, not virtio performance; use them to check the pipeline, never to rank I/O paths.';

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('boot guests for every QEMU configuration of a profile, run fio in them, store and print the results')
    .argument('[profile]', 'profile YAML file (with --resume: the one the run was started with, by default)')
    .option('--dry-run', 'print the plan (groups, cells, exact QEMU and fio command lines, estimate) and exit')
    .option('-o, --out <dir>', 'parent directory of the results directory', 'results')
    .option('-q, --quiet', 'only warnings and the final table')
    .option('-v, --verbose', 'also print QEMU command lines and boot details')
    .option('--shard <i/n>', 'run only the i-th of n deterministic parts of the plan (whole QEMU configurations); merge with `vblk-bench merge`')
    .option('--only-cell <key>', 'run only this cell key (repeatable), e.g. backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1', (v: string, prev: string[] = []) => [...prev, v])
    .option('--resume <results-dir>', 'measure only the samples an interrupted run is missing (refuses if the profile or the environment changed)')
    .option('--wait-lock [seconds]', 'when another run holds the lock, wait for it (for ever, or at most this many seconds) instead of exiting 4')
    .action(async (profilePath: string | undefined, options: RunOptions) => {
      setExit(await runCommand(profilePath, options));
    });
}

/** What a session (a new run, or a resume) works from. */
interface Session {
  profile: Profile;
  profilePath: string | null;
  accel: Accel;
  warnings: string[];
  qemu: { version: string; banner: string };
  plan: Plan;
  /** Set when resuming. */
  stored?: StoredRun;
}

function waitLockMs(value: RunOptions['waitLock']): number {
  if (value === undefined) return 0;
  if (value === true) return Infinity;
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0) throw new InputError(`--wait-lock: expected a number of seconds, got ${JSON.stringify(value)}`);
  return s * 1000;
}

async function checkQemu(binary: string): Promise<{ version: string; banner: string }> {
  try {
    return await qemuVersionOf(binary);
  } catch (err) {
    throw new HostError((err as Error).message, "set qemu.binary to a qemu-system-x86_64 binary (scripts/setup-host.sh installs Debian's)");
  }
}

async function buildPlan(profile: Profile, accel: Accel, onlyCells: readonly string[] | undefined, shard: ShardSpec | undefined): Promise<Plan> {
  // What this host can run (vhost-blk, qemu-storage-daemon) and where pin: may put threads.
  const host = await probeHostFacts({ qemuBinary: profile.qemu.binary, backingPath: profile.disk.path, nodes: backendHostNodes() });
  const full = makePlan(profile, accel, { onlyCells, host });
  return shard ? shardPlan(full, shard, { runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time }) : full;
}

/** Profile, accel, QEMU and plan of a new run. */
async function newSession(profilePath: string | undefined, options: RunOptions, log: Logger): Promise<Session> {
  if (!profilePath) throw new InputError('run: a profile is required (or --resume <results dir>)');
  const profile = await loadProfile(profilePath);
  const { accel, warnings } = await chooseAccel(profile, log);
  const qemu = await checkQemu(profile.qemu.binary);
  const plan = await buildPlan(profile, accel, options.onlyCell, options.shard ? parseShard(options.shard) : undefined).catch((err: unknown) => {
    // The planner's problems are the profile's (matrix size, conflicting settings), except those of an option.
    if (err instanceof InputError) throw new InputError(err.lines.map((l) => (l.startsWith('--') ? l : `${profilePath}: ${l}`)));
    throw err;
  });
  return { profile, profilePath: resolve(profilePath), accel, warnings, qemu, plan };
}

async function chooseAccel(profile: Profile, log: Logger): Promise<{ accel: Accel; warnings: string[] }> {
  const decision = decideAccel(profile.qemu.accel, await probeKvm());
  for (const w of decision.warnings) log.warn(w);
  if (decision.accel === 'tcg') log.warn(TCG_BANNER);
  return { accel: decision.accel, warnings: [...decision.warnings, ...(decision.accel === 'tcg' ? [TCG_BANNER] : [])] };
}

/**
 * The stored run and the profile to resume it with: the profile file (given,
 * or the one the run was started with) must resolve to the stored profile,
 * and the plan rebuilt from it must be the stored plan.
 */
async function resumeSession(dir: string, profileArg: string | undefined, options: RunOptions, log: Logger): Promise<Session> {
  if (options.shard || options.onlyCell) throw new InputError('--resume: --shard and --only-cell come from the stored run; do not give them again');
  const stored = await loadRun(resolve(dir));
  const source = profileArg ?? stored.manifest.profilePath;
  let profile: Profile;
  if (source && existsSync(source)) {
    profile = await loadProfile(source);
    const changes = profileChanges(stored.profile, profile);
    if (changes.length > 0) {
      throw new InputError([
        `--resume ${stored.dir}: the profile ${source} changed since the run started; resuming would mix two experiments:`,
        ...changes.map((c) => `  profile.${c}`),
      ]);
    }
  } else {
    log.warn(`--resume: profile file ${source ?? '(none recorded)'} is gone; resuming with the resolved profile stored in ${stored.dir}`);
    profile = stored.profile as Profile;
  }
  const { accel, warnings } = await chooseAccel(profile, log);
  const qemu = await checkQemu(profile.qemu.binary);
  const storedPlan = stored.plan as Partial<Plan> & { shard?: ShardSpec };
  const plan = await buildPlan(profile, accel, storedPlan.cellFilter ?? undefined, storedPlan.shard);
  const planChanges = jsonChanges(storedPlan, JSON.parse(JSON.stringify(plan)), (path) => path === 'estimate');
  if (planChanges.length > 0) {
    throw new InputError([`--resume ${stored.dir}: the plan built now differs from the stored one (another vblk-bench version?):`, ...planChanges.slice(0, 20).map((c) => `  plan.${c}`)]);
  }
  return { profile, profilePath: source ?? null, accel, warnings, qemu, plan, stored };
}

/** A fresh results directory: never an existing one, even for two runs started in the same second. */
async function createRunDir(parent: string, name: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? name : `${name}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

async function runCommand(profilePath: string | undefined, options: RunOptions): Promise<number> {
  const verbosity: Verbosity = options.quiet ? 'quiet' : options.verbose ? 'verbose' : 'normal';
  const log = createLogger(verbosity);
  const interrupt = installInterruptHandlers((signal) => log.warn(`${signal}: stopping guests, keeping what was measured (again to exit at once)`));
  const locks: HeldLock[] = [];
  try {
    return await runSession(profilePath, options, log, interrupt, locks);
  } catch (err) {
    await killAllChildren();
    if (err instanceof InterruptedError) return exitCodeForSignal(err.signal);
    return reportError(err);
  } finally {
    for (const lock of locks.reverse()) lock.release();
    interrupt.dispose();
  }
}

async function runSession(profilePath: string | undefined, options: RunOptions, log: Logger, interrupt: InterruptState, locks: HeldLock[]): Promise<number> {
  const abort = interrupt.controller.signal;
  const session = options.resume ? await resumeSession(options.resume, profilePath, options, log) : await newSession(profilePath, options, log);
  const { profile, plan, accel, stored } = session;
  // One line per reason, not per cell: a pruned iothread × ioeventfd=off block is 18 cells in seed-2011.
  const prunedByReason = new Map<string, string[]>();
  for (const p of plan.pruned) prunedByReason.set(p.reason, [...(prunedByReason.get(p.reason) ?? []), p.cell.key]);
  for (const [reason, keys] of prunedByReason) {
    log.info(`not run: ${keys.length} cell(s), e.g. ${keys[0]}: ${reason}${keys.length > 1 ? ' (--dry-run lists them all)' : ''}`);
  }
  const recorded = recordedSlots(stored?.samples ?? []);
  const missing = missingSlots(plannedSamples(plan), recorded);
  const missingSet = new Set(missing);

  if (options.dryRun) {
    if (stored) process.stdout.write(`resume ${stored.dir}: ${missing.length} of ${plan.sampleCount} planned sample(s) missing\n${missing.map((m) => `  ${m}\n`).join('')}`);
    else process.stdout.write(renderDryRun(profile, plan, { ...(await dryRunGuest(profile)), backing: profile.disk.path ?? '/dev/shm/vblk-bench-<run>.raw' }) + '\n');
    return ExitCode.Success;
  }
  // One run per host at a time: a second one waits or exits 4. Then clean up what dead runs left.
  const lockDir = await resolveLockDir();
  const purpose = stored ? `vblk-bench run --resume ${stored.dir}` : `vblk-bench run ${session.profilePath ?? ''}`;
  const lockOptions = {
    waitMs: waitLockMs(options.waitLock),
    signal: abort,
    onWait: (h: { pid: number; since: string }) => log.warn(`waiting for the lock held by pid ${h.pid} (since ${h.since})`),
    onTakeover: (line: string) => log.warn(line),
  };
  const hostLock = await acquireLock(hostLockPath(lockDir), { ...lockOptions, purpose });
  locks.push(hostLock);
  for (const line of (await sweepStaleRuns(runRegistryDir(lockDir))).actions) log.warn(`cleanup: ${line}`);
  if (stored) {
    locks.push(await acquireLock(join(stored.dir, RUN_LOCK_FILE), { ...lockOptions, purpose }));
    for (const line of (await sweepRunDir(stored.dir)).actions) log.warn(`cleanup: ${line}`);
    if (missing.length === 0) {
      log.info(`resume ${stored.dir}: every planned sample already has a record; nothing to measure`);
      return finishAndReport(session, await RunWriter.resume(stored, { startedAt: new Date().toISOString(), missingSamples: 0, bootSuffix: '' }), null, interrupt, log);
    }
  }
  abort.throwIfAborted();

  const guestSource = await resolveGuestSource(profile, { repoRoot: repoRoot(), log: (l) => log.info(`guest: ${l}`) });
  for (const note of guestSource.notes) log.warn(note);
  abort.throwIfAborted();
  await readPrivateKey(guestSource.ssh.privateKeyPath); // 0600 or refuse, before anything boots
  const environment = await collectRunEnvironment({
    accel: session.accel,
    qemuBinary: profile.qemu.binary,
    qemu: session.qemu,
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

  // Room for what this session writes, and for the tmpfs backing file, before anything boots.
  const visitsToDo = new Set(plannedSamples(plan).filter((p) => missingSet.has(sampleSlot(p.cellKey, p.repetition))).map((p) => p.visit)).size;
  const need = estimateResultsBytes(missing.length, visitsToDo * (1 + profile.boot_retries));
  const what = `${missing.length} sample(s) and ${visitsToDo} boot(s)`;
  const resultsParent = stored ? stored.dir : resolve(options.out);
  await checkResultsLocation(resultsParent, need, what);
  if (!profile.disk.path) {
    await checkFreeSpace('/dev/shm', profile.disk.size + 16 * 1024 * 1024, `the ${formatBytes(profile.disk.size)} backing file (disk.size)`, 'lower disk.size, or name an existing file with disk.path');
  }

  let writer: RunWriter;
  if (stored) {
    const bootSuffix = `-s${(stored.manifest.resumes?.length ?? 0) + 2}`;
    writer = await RunWriter.resume(stored, { startedAt: new Date().toISOString(), missingSamples: missing.length, bootSuffix });
    log.info(`resume ${stored.dir}: measuring ${missing.length} missing sample(s) of ${plan.sampleCount}`);
  } else {
    const startedAt = new Date();
    const name = runDirName(options.shard ? `${profile.name}-shard${options.shard.replace('/', 'of')}` : profile.name, startedAt);
    const runDir = await createRunDir(resultsParent, name);
    locks.push(await acquireLock(join(runDir, RUN_LOCK_FILE), { ...lockOptions, waitMs: 0, purpose }));
    writer = await RunWriter.create(runDir, {
      tool: { name: 'vblk-bench', version: TOOL_VERSION },
      profileName: profile.name,
      profilePath: session.profilePath,
      startedAt: startedAt.toISOString(),
      accel,
      warnings: session.warnings,
      plannedSamples: plan.sampleCount,
    });
    log.info(`results: ${runDir}`);
    await writer.writeProfile(profile);
    await writer.writePlan(plan);
    await warnUnsupported(writer, plan, (line) => log.warn(line));
    await writer.writeEnvironment(environment);
  }
  hostLock.update({ runDir: writer.dir });

  const lifecycle = RunLifecycle.start(runRegistryDir(lockDir), writer.dir);
  const runId = randomBytes(4).toString('hex');
  if (!profile.disk.path) lifecycle.trackTemp(createdBackingPath(runId));
  let loop: RunLoopResult;
  let progress: RunProgress | undefined;
  try {
    abort.throwIfAborted();
    const backing = await prepareBackingStore(profile.disk, runId);
    try {
      if (profile.reference === 'host') {
        await runHostReference({ profile, plan, target: backing.path, runDir: writer.dir, signal: abort, log: (l) => log.info(l) });
        abort.throwIfAborted();
      }
      progress = new RunProgress(log, { total: missing.length, visits: visitsToDo, accel, runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time });
      loop = await runPlan({
        profile, plan, accel, guestSource, backingPath: backing.path, writer, log, signal: abort, progress,
        todo: (cellKey, repetition) => missingSet.has(sampleSlot(cellKey, repetition)),
        bootSuffix: writer.runManifest.resumes?.at(-1)?.bootSuffix,
      });
    } finally {
      progress?.stop();
      await killAllChildren();
      await backing.remove();
    }
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    loop = { samplesWritten: 0, boots: [], interrupted: true, unsaved: [] };
  } finally {
    lifecycle.close();
  }
  // Cells this host cannot run: stored after the measured ones (tables keep a measured reference row).
  if (!loop.stopped) await storeUnsupported(writer, plan, new Set((stored?.samples ?? []).map((s) => s.cellKey)));
  return finishAndReport(session, writer, loop, interrupt, log);
}

/** Marks the run, prints the table, the failures with hints, and returns the exit code. */
async function finishAndReport(session: Session, writer: RunWriter, loop: RunLoopResult | null, interrupt: InterruptState, log: Logger): Promise<number> {
  const runDir = writer.dir;
  const storageStop = loop?.stopped?.kind === 'storage' ? loop.stopped.error : undefined;
  if (loop && storageStop) await reportUnsaved(runDir, loop, log);

  const samplesNow = await loadRun(runDir).then((r) => r.samples, () => [] as StoredRun['samples']);
  const stillMissing = missingSlots(plannedSamples(session.plan), recordedSlots(samplesNow)).length;
  const complete = stillMissing === 0 && !interrupt.signal;
  const stopReason = interrupt.signal
    ? `interrupted by ${interrupt.signal}`
    : storageStop
      ? `results directory full or unwritable (${errnoCode(storageStop) ?? (storageStop as Error).message})`
      : loop?.stopped
        ? `stopped: ${(loop.stopped.error as Error)?.message?.split('\n')[0] ?? 'fatal error'}`
        : complete
          ? undefined
          : `${stillMissing} planned sample(s) not measured`;
  await writer.finish({ complete, stopReason }).catch((err) => log.warn(`cannot update ${join(runDir, 'run.json')} (${errnoCode(err) ?? (err as Error).message}); it still says incomplete`));

  process.stdout.write(renderTerminalTable(buildIopsMatrix(samplesNow), { color: process.stdout.isTTY }) + '\n');
  process.stdout.write(renderCellStatsTable(buildCellStats(samplesNow), { color: process.stdout.isTTY }) + '\n');
  process.stdout.write(renderRunBreakdown(samplesNow, runDir, { color: process.stdout.isTTY }));
  const references = await loadReference(runDir).catch(() => []);
  if (references.length > 0) process.stdout.write(renderReferenceTable(buildReferenceRatios(buildIopsMatrix(samplesNow), references), { color: process.stdout.isTTY }) + '\n');
  if (session.accel === 'tcg') process.stdout.write(`(${TCG_BANNER})\n`);
  process.stdout.write(`results: ${runDir}\n`);

  const notOk = samplesNow.filter((s) => s.status === 'failed' || s.status === 'invalid');
  const reasons = new Map<string, number>();
  for (const s of notOk) reasons.set(s.reason ?? s.status, (reasons.get(s.reason ?? s.status) ?? 0) + 1);
  for (const [reason, n] of reasons) {
    log.warn(`${n} sample(s) ${reason}`);
    const hint = failureHint(reason);
    if (hint) log.warn(`hint: ${hint}`);
  }
  if (interrupt.signal) {
    log.warn(`${stillMissing} sample(s) not measured; complete them with: vblk-bench run --resume ${runDir}`);
    return exitCodeForSignal(interrupt.signal);
  }
  if (storageStop) return ExitCode.Partial;
  if (loop?.stopped) {
    log.warn(`${stillMissing} sample(s) not measured; after fixing the cause: vblk-bench run --resume ${runDir}`);
    return reportError(loop.stopped.error);
  }
  if (!complete || notOk.length > 0) {
    log.warn(`${notOk.length} sample(s) failed or invalid, ${stillMissing} missing; see ${runDir}`);
    return ExitCode.Partial;
  }
  return ExitCode.Success;
}

/** The results directory filled up: keep what was measured elsewhere, or print it. */
async function reportUnsaved(runDir: string, loop: RunLoopResult, log: Logger): Promise<void> {
  const err = loop.stopped?.error;
  const code = errnoCode(err) ?? 'write error';
  process.stderr.write(`error: results directory ${runDir} cannot be written (${code}): the run stopped cleanly; every sample stored before is kept\n`);
  if (loop.unsaved.length === 0) {
    process.stderr.write(`hint: free some space, then complete the run with: vblk-bench run --resume ${runDir}\n`);
    return;
  }
  const rescued = await rescueSamples(runDir, loop.unsaved);
  if (rescued) {
    process.stderr.write(`error: ${loop.unsaved.length} measured sample(s) that could not be stored were saved to ${rescued}\n`);
    process.stderr.write(`hint: free some space, copy them in (cp -r ${rescued}/. ${runDir}/), then complete the run with: vblk-bench run --resume ${runDir}\n`);
    return;
  }
  process.stderr.write(`error: ${loop.unsaved.length} measured sample(s) could not be stored anywhere; here they are, one JSON line each:\n`);
  for (const line of unsavedAsJsonLines(loop.unsaved)) process.stderr.write(`${line}\n`);
  log.warn(`free some space, then complete the run with: vblk-bench run --resume ${runDir}`);
}
