/**
 * The run loop: visit groups in the planned order, one boot per visit, every
 * cell of the group measured in that boot, every sample stored the moment it
 * exists.
 *
 * Failures, by kind:
 *  - infrastructure (QEMU start, QMP, the guest's ready marker, SSH, a guest
 *    that dies mid-visit): retried with a fresh guest up to `boot_retries`
 *    times per visit, and recorded (failed boots keep their boots/<id>/ with
 *    boot.json, serial.log and qemu.stderr.log; samples list the retries);
 *    when no retry is left, the cells not measured are stored as failed;
 *  - measurement (fio fails, prints garbage, the guest dies during it): the
 *    sample is stored as failed — never retried silently;
 *  - fatal (SSH refuses the key, host key mismatch, a host problem): the loop
 *    stops; cells not measured stay missing, for `run --resume` after a fix;
 *  - storage (the results directory is full or unwritable): the loop stops;
 *    the sample that could not be stored is handed back in `unsaved`.
 * Ctrl-C: the cell in flight is not stored (it is not a measurement).
 */
import { plannedRepetitions } from '../profile/adaptive.js';
import { join } from 'node:path';
import type { Accel, BootRetry, Sample } from '../model/sample.js';
import type { AdaptiveRecord } from '../model/schemas/adaptive.js';
import type { Profile } from '../profile/schema.js';
import type { Plan } from '../plan/plan.js';
import type { Cell } from '../plan/cells.js';
import type { BootGroup } from '../plan/groups.js';
import { groupById } from '../plan/plan.js';
import { visitMeasurements } from '../plan/schedule.js';
import type { GuestSource } from '../guest-image/source.js';
import { SampleWriteError, type RunWriter, type UnsavedSample } from '../store/run-writer.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { bootDir as bootDirOf, LATENCY_FILE, traceDir, TRACE_FAILURE_FILE, TRACES_DIR } from '../store/layout.js';
import { isStorageFull } from '../store/storage.js';
import { recordTracedPassFailure } from '../store/trace-failure.js';
import { HostError, RunStepError } from '../model/errors.js';
import type { FailureKind } from '../model/diagnostic.js';
import { removeSocketsIn } from '../lifecycle/run-registry.js';
import { bootEvidence, bootGuest, type BootTimings, type RunningGuest } from './guest-boot.js';
import { measureCell, type SampleDraft } from './measure-cell.js';
import type { Logger } from '../model/logger.js';
import { formatCount } from '../util/number-format.js';
import { runTracedPass, type TraceAnalyzer } from './traced-pass.js';
import { cellsToTraceAfterRounds, cellsToTraceNow } from './traced-cells.js';
import { existsSync } from 'node:fs';
import { QEMU_TRACE_LOG } from './launch.js';
import { removeLog } from '../trace/qemu-trace.js';
import type { HostFtraceInstance } from '../trace/host-ftrace.js';
import { daemonTracingFor, runTracedBoot, type DaemonTracing } from './traced-boot.js';

export interface BootRecord {
  bootId: string;
  groupId: string;
  timings: BootTimings | null;
  error?: string;
}

export interface RunLoopResult {
  samplesWritten: number;
  boots: BootRecord[];
  interrupted: boolean;
  /** `repetitions: auto`: the policy ended the rounds before the plan's maximum. */
  roundsEnded?: boolean;
  /** Why the loop ended before the plan did, when going on could not help. */
  stopped?: { kind: 'fatal' | 'storage'; error: unknown };
  /** Measured but not stored (results directory full or unwritable): the caller keeps them elsewhere. */
  unsaved: UnsavedSample[];
}

/** What the loop reports as it goes (cli/progress.ts turns it into a status line and an ETA). */
export interface LoopProgress {
  bootStarting(groupKey: string): void;
  /** The boot finished (ready, or failed: a failed boot still took the time). */
  bootEnded(): void;
  cellStarting(cellKey: string, repetition: number): void;
  /** A sample was stored (measured, or failed without a measurement). */
  sampleStored(): void;
  /** Appended to the per-cell log line: ` · 1m02s elapsed · ETA 3m10s`. */
  timing(): string;
}

export interface RunLoopOptions {
  profile: Profile;
  plan: Plan;
  accel: Accel;
  guestSource: GuestSource;
  backingPath: string;
  writer: RunWriter;
  log: Logger;
  signal: AbortSignal;
  /** Live progress (TTY status line, ETA on the per-cell lines). */
  progress?: LoopProgress;
  /** Only these (cell, repetition) samples are measured (`run --resume`); default: all. */
  todo?: (cellKey: string, repetition: number) => boolean;
  /** Appended to boot ids, so a resumed run does not reuse the boot directories of earlier sessions. */
  bootSuffix?: string;
  /** `repetitions: auto`: the cells each round measures; absent: every planned round of every cell. */
  rounds?: { policy: RoundPolicy; stored: readonly RoundRecord[] };
  /** `trace: latency`: turns a traced pass's raw files into latency.json (the analysis tier, passed down). */
  analyzeTrace?: TraceAnalyzer;
}

/** What the round policy sees of each stored sample. */
export type RoundRecord = Pick<Sample, 'cellKey' | 'repetition' | 'status' | 'metrics'>;

/**
 * `repetitions: auto`: which cells each round still measures. Given from
 * above (the stopping rule belongs to the analysis tier: gate/adaptive-rounds.ts),
 * so the loop only asks — before the first visit of every round, with every
 * sample stored so far (a resumed run's earlier ones included).
 */
export interface RoundPolicy {
  /** The cells round `round` measures; null: the rounds are over (decided, the maximum, or the budget). */
  cellsFor(round: number, stored: readonly RoundRecord[]): ReadonlySet<string> | null;
}

/** The round policy of an auto run, and the record of what it decided (adaptive.json). */
export interface AdaptiveRounds extends RoundPolicy {
  /** From every stored sample; `ended`: the run ended (not interrupted, not stopped by a failure). */
  record(stored: readonly RoundRecord[], ended: boolean): AdaptiveRecord;
}

/** Every planned sample, in visit order, with the index of the visit (boot) that measures it. */
export function plannedSamples(plan: Plan): { cellKey: string; repetition: number; visit: number }[] {
  return plan.visits.flatMap((visit, index) =>
    visitMeasurements(visit, groupById(plan, visit.groupId).cells).map(({ round, cell }) => ({
      cellKey: cell.key,
      repetition: round,
      visit: index,
    })),
  );
}

/** Ends the loop early; carried to RunLoopResult.stopped. */
class StopRun extends Error {
  constructor(
    readonly kind: 'fatal' | 'storage',
    readonly error: unknown,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

/** Failures that no fresh guest can fix: the host, or a guest that refuses our key or shows another host key. */
const FATAL_FAILURES: ReadonlySet<FailureKind> = new Set(['SshAuthRefused', 'HostKeyMismatch']);

function isFatal(err: unknown): boolean {
  if (err instanceof HostError) return true;
  return err instanceof RunStepError && FATAL_FAILURES.has(err.failure);
}

function stopFor(err: unknown): StopRun | null {
  if (err instanceof StopRun) return err;
  if (err instanceof SampleWriteError || isStorageFull(err)) return new StopRun('storage', err);
  if (isFatal(err)) return new StopRun('fatal', err);
  return null;
}

const firstLine = (text: string): string => text.split('\n')[0] ?? '';

function describeFailure(err: unknown): { step: string; message: string; failureKind: FailureKind } {
  if (err instanceof RunStepError)
    return { step: err.step, message: `${err.step}: ${firstLine(err.message)}`, failureKind: err.failure };
  return { step: 'boot', message: firstLine((err as Error)?.message ?? String(err)), failureKind: 'BootFailed' };
}

const guestAlive = (guest: RunningGuest): boolean => guest.qemu.running && !guest.session.isClosed;

/** A sample for a cell that could not be measured at all. */
function unmeasured(
  group: BootGroup,
  cell: Cell,
  at: { round: number; bootId: string; accel: Accel },
  failure: { reason: string; failureKind: FailureKind },
  retries: BootRetry[],
): SampleDraft {
  const now = new Date().toISOString();
  return {
    cellKey: cell.key,
    cell: cell.values,
    requested: cell.requested,
    groupId: group.id,
    bootId: at.bootId,
    repetition: at.round,
    startedAt: now,
    finishedAt: now,
    status: 'failed',
    ...failure,
    accel: at.accel,
    metrics: {},
    observed: {},
    notices: cell.notices,
    bootRetries: [...retries],
  };
}

type Pending = { round: number; cell: Cell }[];

/** A boot whose traced passes (if any) have no storage daemon to trace. */
const NO_DAEMON: DaemonTracing = { kind: 'none' };

export function runPlan(opts: RunLoopOptions): Promise<RunLoopResult> {
  return new RunLoop(opts).run();
}

class RunLoop {
  private readonly todo: (cellKey: string, repetition: number) => boolean;
  private readonly result: RunLoopResult = { samplesWritten: 0, boots: [], interrupted: false, unsaved: [] };
  private readonly total: number;
  private readonly maxBoots: number;
  /** `repetitions: auto`: every sample stored (earlier sessions' too), and the cells of the current round. */
  private readonly records: RoundRecord[];
  private round: { index: number; cells: ReadonlySet<string> | null } | null = null;
  /** IOPS of this session's ok samples per cell: the untraced median next to a traced run. */
  private readonly okIops = new Map<string, number[]>();
  /** `trace: latency`: the cells whose traced pass this session ran (or tried): never twice. */
  private readonly traced = new Set<string>();

  constructor(private readonly opts: RunLoopOptions) {
    this.todo = opts.todo ?? (() => true);
    this.total = plannedSamples(opts.plan).filter((p) => this.todo(p.cellKey, p.repetition)).length;
    this.maxBoots = 1 + opts.profile.boot_retries;
    this.records = [...(opts.rounds?.stored ?? [])];
  }

  /** False once the round policy has ended the rounds (asked at the first visit of each round). */
  private roundGoesOn(round: number): boolean {
    const policy = this.opts.rounds?.policy;
    if (!policy) return true;
    if (this.round?.index !== round) this.round = { index: round, cells: policy.cellsFor(round, this.records) };
    return this.round.cells !== null;
  }

  private measuresThisRound(cellKey: string): boolean {
    return !this.opts.rounds || (this.round?.cells?.has(cellKey) ?? false);
  }

  async run(): Promise<RunLoopResult> {
    const { plan, signal } = this.opts;
    try {
      for (const [visitIndex, visit] of plan.visits.entries()) {
        if (signal.aborted) break;
        if (!this.roundGoesOn(visit.round)) {
          this.result.roundsEnded = true;
          break;
        }
        await this.visit(visitIndex, visit);
      }
      if (!signal.aborted) await this.traceAfterRounds();
    } catch (err) {
      if (!(err instanceof StopRun)) throw err;
      this.result.stopped = { kind: err.kind, error: err.error };
    }
    this.result.interrupted = signal.aborted;
    return this.result;
  }

  /** One visit: boot (again, up to boot_retries times, while samples are pending), measure, store. */
  private async visit(visitIndex: number, visit: Plan['visits'][number]): Promise<void> {
    const { plan, profile, log, signal } = this.opts;
    const group = groupById(plan, visit.groupId);
    const pending: Pending = visitMeasurements(visit, group.cells).filter(
      ({ round, cell }) => this.todo(cell.key, round) && this.measuresThisRound(cell.key),
    );
    if (pending.length === 0) return;
    const baseId = `b${String(visitIndex + 1).padStart(3, '0')}-${group.id}-r${visit.round}${this.opts.bootSuffix ?? ''}`;
    const retries: BootRetry[] = [];

    for (let attempt = 1; pending.length > 0 && !signal.aborted; attempt++) {
      const bootId = attempt === 1 ? baseId : `${baseId}-a${attempt}`;
      const again = attempt > 1 ? ` — attempt ${attempt} of ${this.maxBoots}, a fresh guest` : '';
      log.info(`boot ${bootId}: ${group.key} (${pending.length} sample(s))${again}`);
      const booted = await this.tryBoot(group, bootId, attempt);
      if (signal.aborted) {
        if ('stop' in booted) await booted.stop();
        return;
      }
      const daemon = profile.trace === 'latency' ? await daemonTracingFor(profile, group) : NO_DAEMON;
      const lost =
        'stop' in booted ? await this.measureInGuest(booted, group, bootId, pending, retries, { daemon }) : booted;
      if (!lost || pending.length === 0) continue;
      if (attempt < this.maxBoots) {
        retries.push(lost);
        log.diagnostic({ kind: 'BootRetry', bootId, samples: pending.length, bootRetries: profile.boot_retries });
        continue;
      }
      const why = `${'stop' in booted ? 'not measured' : 'boot failed'}: ${lost.reason} (${attempt} boot attempt(s), boot_retries: ${profile.boot_retries})`;
      const failure = { reason: why, failureKind: lost.failureKind ?? 'BootFailed' };
      for (const { round, cell } of pending.splice(0))
        await this.store(unmeasured(group, cell, { round, bootId, accel: this.opts.accel }, failure, retries));
    }
  }

  private async store(draft: SampleDraft, rawFio?: unknown): Promise<void> {
    const { writer, progress, log } = this.opts;
    try {
      await writer.writeSample(draft, rawFio);
    } catch (err) {
      if (err instanceof SampleWriteError) this.result.unsaved.push(err.unsaved);
      throw stopFor(err) ?? err;
    }
    this.result.samplesWritten += 1;
    this.records.push(draft);
    progress?.sampleStored();
    const iops = draft.metrics.iops?.value;
    if (draft.status === 'ok' && iops !== undefined)
      this.okIops.set(draft.cellKey, [...(this.okIops.get(draft.cellKey) ?? []), iops]);
    const what =
      draft.status === 'ok' && iops !== undefined
        ? `${formatCount(iops)} IOPS`
        : `${draft.status}: ${draft.reason ?? ''}`;
    log.info(
      `[${this.result.samplesWritten}/${this.total}] ${draft.cellKey} r${draft.repetition}: ${what}${progress?.timing() ?? ''}`,
    );
  }

  /** One boot attempt: the guest, or the failure (already reported and recorded in the boot directory). */
  private async tryBoot(group: BootGroup, bootId: string, attempt: number): Promise<RunningGuest | BootRetry> {
    const { profile, accel, guestSource, backingPath, writer, progress } = this.opts;
    const bootDir = await writer.bootDir(bootId).catch((err) => {
      throw stopFor(err) ?? err;
    });
    progress?.bootStarting(group.key);
    try {
      return await bootGuest({ profile, accel, guestSource, group, bootId, bootDir, backingPath });
    } catch (err) {
      removeSocketsIn(bootDir); // bootGuest stopped QEMU; a killed QEMU leaves its QMP socket
      const stop = stopFor(err);
      if (stop) throw stop;
      return await this.bootFailed(err, { group, bootId, bootDir, attempt });
    } finally {
      progress?.bootEnded();
    }
  }

  /** Reports a failed boot with its evidence and records it in boot.json. */
  private async bootFailed(
    err: unknown,
    at: { group: BootGroup; bootId: string; bootDir: string; attempt: number },
  ): Promise<BootRetry> {
    const { log, signal } = this.opts;
    const { group, bootId, bootDir, attempt } = at;
    const { step, message, failureKind } = describeFailure(err);
    if (signal.aborted) return { bootId, step, reason: message, failureKind };
    // Boot-step errors already carry the console evidence as their details; print it once.
    const details = err instanceof RunStepError && err.step !== 'boot' ? err.details : [];
    const evidence = await bootEvidence(bootDir);
    // Its hint comes with the retry, or with the failed samples when no retry is left.
    log.diagnostic(
      { kind: failureKind, reason: message },
      { prefix: `boot ${bootId} failed: `, details: [...details, ...evidence], hint: false },
    );
    this.result.boots.push({ bootId, groupId: group.id, timings: null, error: message });
    await writeJsonAtomic(join(bootDir, 'boot.json'), {
      bootId,
      groupId: group.id,
      attempt,
      status: 'failed',
      step,
      error: message,
      details,
      evidence,
    }).catch((e) => {
      throw stopFor(e) ?? e;
    });
    return { bootId, step, reason: message, failureKind };
  }

  /**
   * Measures the pending cells in this guest, in order, storing each sample;
   * stops the guest after. Returns how the guest was lost, if it was.
   */
  private async measureInGuest(
    guest: RunningGuest,
    group: BootGroup,
    bootId: string,
    pending: Pending,
    retries: readonly BootRetry[],
    trace: { daemon: DaemonTracing; only?: readonly Cell[] },
  ): Promise<BootRetry | undefined> {
    const { profile, accel, log, signal, progress, writer } = this.opts;
    this.result.boots.push({ bootId, groupId: group.id, timings: guest.timings });
    log.info(
      `boot ${bootId}: ready in ${(guest.timings.readyMs / 1000).toFixed(1)}s, ssh in ${(guest.timings.sshMs / 1000).toFixed(1)}s, test disk /dev/${guest.device}`,
    );
    const activeSettings = new Map<string, string | number>();
    const measured: Pending = [];
    let tracedBootCells: readonly Cell[] = [];
    try {
      while (pending.length > 0 && !signal.aborted) {
        const { round, cell } = pending[0]!;
        progress?.cellStarting(cell.key, round);
        const outcome = await measureCell({ guest, profile, group, cell, repetition: round, accel, activeSettings });
        // A cell cut short by Ctrl-C is not a measurement: leave it missing, the run is incomplete.
        if (signal.aborted) return undefined;
        if (retries.length > 0) outcome.draft.bootRetries = [...retries];
        await this.store(outcome.draft, outcome.rawFio);
        measured.push(pending.shift()!);
        if (pending.length > 0 && !guestAlive(guest)) {
          // That sample failed and stays failed; the cells after it need a guest.
          const lost: BootRetry = {
            bootId,
            step: 'guest',
            reason: `guest lost during ${cell.key} r${round}: ${outcome.draft.reason ?? 'QEMU exited'}`,
            failureKind: 'GuestLost',
          };
          log.diagnostic({ kind: 'GuestLost', reason: lost.reason }, { prefix: `boot ${bootId}: `, hint: false });
          return lost;
        }
      }
      // After every measured sample of this boot: nothing measured follows a traced pass in the same guest.
      const traced = [...(trace.only ?? []), ...this.tracedCells(measured)];
      // vhost-user-blk with its daemon traced: the traced passes get a boot of their own, after this one.
      if (trace.daemon.kind === 'boot') tracedBootCells = traced;
      const daemon = trace.daemon.kind === 'unavailable' ? { unavailable: trace.daemon.reason } : undefined;
      for (const cell of trace.daemon.kind === 'boot' ? [] : traced) {
        if (signal.aborted || !guestAlive(guest)) break;
        await this.tracePass(guest, cell, activeSettings, daemon);
      }
    } finally {
      await guest
        .stop()
        .catch((err) => log.diagnostic({ kind: 'QemuStopFailed', bootId, message: (err as Error).message }));
      removeSocketsIn(bootDirOf(writer.dir, bootId));
      await removeLog(join(bootDirOf(writer.dir, bootId), QEMU_TRACE_LOG));
    }
    if (trace.daemon.kind === 'boot' && tracedBootCells.length > 0 && !signal.aborted)
      await this.tracedBoot(group, `${bootId}-trace`, tracedBootCells, trace.daemon.aio);
    return undefined;
  }

  /** `trace: latency`: the cells whose last repetition this boot measured (traced-cells.ts) get a traced pass after it. */
  private tracedCells(measured: Pending): Cell[] {
    if (this.opts.profile.trace !== 'latency') return [];
    const policy = this.opts.rounds?.policy;
    const next = new Map<number, ReadonlySet<string> | null>();
    const nextRound = (round: number) => {
      if (!next.has(round)) next.set(round, policy!.cellsFor(round + 1, this.records));
      return next.get(round)!;
    };
    return cellsToTraceNow(measured, {
      plannedRounds: plannedRepetitions(this.opts.profile),
      traced: this.traced,
      ...(policy ? { measuredAgain: (key: string, round: number) => nextRound(round)?.has(key) ?? false } : {}),
    });
  }

  /**
   * `repetitions: auto` with `trace: latency`: one boot per group whose
   * cells' stop became known only after their boot, for their traced passes alone.
   */
  private async traceAfterRounds(): Promise<void> {
    const { plan, profile, writer, log, signal } = this.opts;
    if (profile.trace !== 'latency' || !this.opts.rounds) return;
    const todo = cellsToTraceAfterRounds(plan.groups, {
      measured: new Set(this.okIops.keys()),
      traced: this.traced,
      hasTrace: (key) => existsSync(traceDir(writer.dir, key)),
    });
    for (const [i, { groupId, cells }] of todo.entries()) {
      if (signal.aborted) return;
      const group = groupById(plan, groupId);
      const bootId = `t${String(i + 1).padStart(3, '0')}-${group.id}${this.opts.bootSuffix ?? ''}`;
      log.info(
        `boot ${bootId}: ${group.key}: traced pass only (${cells.length} cell(s) whose last round was decided after their boot)`,
      );
      const daemon = await daemonTracingFor(profile, group);
      if (daemon.kind === 'boot') {
        await this.tracedBoot(group, bootId, cells, daemon.aio);
        continue;
      }
      const booted = await this.tryBoot(group, bootId, 1);
      if ('stop' in booted) await this.measureInGuest(booted, group, bootId, [], [], { daemon, only: cells });
    }
  }

  /** The separate traced boot of a vhost-user-blk group (traced-boot.ts); its failure is logged, never a failed sample. */
  private async tracedBoot(group: BootGroup, bootId: string, cells: readonly Cell[], aio: string): Promise<void> {
    const { profile, accel, guestSource, backingPath, writer, log, signal } = this.opts;
    try {
      const bootDir = await writer.bootDir(bootId);
      await runTracedBoot({
        ...{ profile, accel, guestSource, group, bootId, bootDir, backingPath, cells, aio, signal, log },
        pass: (guest, cell, daemon) => this.tracePass(guest, cell, new Map(), daemon, true),
      });
    } catch (err) {
      const why = (err as Error).message.split('\n')[0] ?? 'unknown';
      log.info(`boot ${bootId}: traced boot failed: ${why}`);
      const reason = `traced boot ${bootId} failed: ${why}`;
      // Its cells that got no map say why (a pass that failed on its own has said so already).
      for (const cell of cells) {
        const dir = traceDir(writer.dir, cell.key);
        if (!existsSync(join(dir, LATENCY_FILE)) && !existsSync(join(dir, TRACE_FAILURE_FILE)))
          await recordTracedPassFailure(writer.dir, cell.key, reason);
      }
    }
  }

  /** One traced pass; its failure is logged, never a failed sample. */
  private async tracePass(
    guest: RunningGuest,
    cell: Cell,
    activeSettings: Map<string, string | number>,
    daemon?: { instance: HostFtraceInstance; aio: string } | { unavailable: string },
    separateBoot = false,
  ) {
    const { profile, writer, log } = this.opts;
    this.traced.add(cell.key);
    try {
      const r = await runTracedPass({
        guest,
        profile,
        cell,
        activeSettings,
        tracesRoot: join(writer.dir, TRACES_DIR),
        dir: traceDir(writer.dir, cell.key),
        untracedIops: this.okIops.get(cell.key) ?? [],
        ...(this.opts.analyzeTrace ? { analyze: this.opts.analyzeTrace } : {}),
        ...(daemon ? { daemon } : {}),
        separateBoot,
      });
      const what = r.tracedIops === undefined ? 'no IOPS' : `${formatCount(r.tracedIops)} IOPS (traced, not a sample)`;
      log.info(`trace ${cell.key}: ${what}${r.problems.length ? ` — ${r.problems.join('; ')}` : ''}`);
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0] ?? 'unknown';
      log.info(`trace ${cell.key}: traced pass failed: ${reason}`);
      await recordTracedPassFailure(writer.dir, cell.key, reason);
    }
  }
}
