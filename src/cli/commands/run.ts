/**
 * `vblk-bench run <profile>`: profile → plan → boots × fio → results → table.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode } from '../../model/exit-codes.js';
import { loadProfile } from '../../profile/load.js';
import { makePlan } from '../../plan/plan.js';
import { parseShard, shardPlan } from '../../plan/shard.js';
import { decideAccel, probeKvm } from '../../vm/accel.js';
import { killAllChildren } from '../../vm/children.js';
import { HostError } from '../../model/errors.js';
import { collectHostFacts, qemuVersionOf, hostFioVersion } from '../../host/fingerprint.js';
import { ensureGuestImage } from '../../guest-image/guest-image.js';
import { RunWriter } from '../../store/run-writer.js';
import { runDirName } from '../../store/layout.js';
import { loadRun } from '../../store/run-reader.js';
import { prepareBackingStore } from '../../run/backing-store.js';
import { runPlan } from '../../run/run-plan.js';
import { renderDryRun } from '../../run/dry-run.js';
import { buildIopsMatrix } from '../../report/iops-matrix.js';
import { renderTerminalTable } from '../../report/terminal-table.js';
import { repoRoot } from '../../util/paths.js';
import { createLogger, type Verbosity } from '../log.js';
import { RunProgress } from '../progress.js';
import { reportError } from '../errors.js';
import { installInterruptHandlers, exitCodeForSignal } from '../signals.js';
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
}

export const TCG_BANNER =
  'accel tcg: QEMU emulates the CPU. These numbers measure an emulator, not virtio performance; use them to check the pipeline, never to rank I/O paths.';

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('boot guests for every QEMU configuration of a profile, run fio in them, store and print the results')
    .argument('<profile>', 'profile YAML file')
    .option('--dry-run', 'print the plan (groups, cells, exact QEMU and fio command lines, estimate) and exit')
    .option('-o, --out <dir>', 'parent directory of the results directory', 'results')
    .option('-q, --quiet', 'only warnings and the final table')
    .option('-v, --verbose', 'also print QEMU command lines and boot details')
    .option('--shard <i/n>', 'run only the i-th of n deterministic parts of the plan (whole QEMU configurations); merge with `vblk-bench merge`')
    .option('--only-cell <key>', 'run only this cell key (repeatable), e.g. backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (profilePath: string, options: RunOptions) => {
      setExit(await runCommand(profilePath, options));
    });
}

async function runCommand(profilePath: string, options: RunOptions): Promise<number> {
  const verbosity: Verbosity = options.quiet ? 'quiet' : options.verbose ? 'verbose' : 'normal';
  const log = createLogger(verbosity);
  try {
    const profile = await loadProfile(profilePath);
    const decision = decideAccel(profile.qemu.accel, await probeKvm());
    for (const w of decision.warnings) log.warn(w);
    const accel = decision.accel;
    if (accel === 'tcg') log.warn(TCG_BANNER);
    let qemu;
    try {
      qemu = await qemuVersionOf(profile.qemu.binary);
    } catch (err) {
      throw new HostError((err as Error).message, 'set qemu.binary to a qemu-system-x86_64 binary (scripts/setup-host.sh installs Debian\'s)');
    }
    const fullPlan = makePlan(profile, accel, { onlyCells: options.onlyCell });
    const plan = options.shard ? shardPlan(fullPlan, parseShard(options.shard), { runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time }) : fullPlan;
    for (const p of plan.pruned) log.info(`not run: ${p.cell.key}: ${p.reason}`);

    if (options.dryRun) {
      process.stdout.write(renderDryRun(profile, plan, { kernel: '<guest>/vmlinux', initrd: '<guest>/initramfs.cpio.zst', backing: profile.disk.path ?? '/dev/shm/vblk-bench-<run>.raw' }) + '\n');
      return ExitCode.Success;
    }

    const image = await ensureGuestImage({ repoRoot: repoRoot(), build: true, log: (l) => log.info(`guest build: ${l}`) });
    const startedAt = new Date();
    const runDir = resolve(options.out, runDirName(options.shard ? `${profile.name}-shard${options.shard.replace('/', 'of')}` : profile.name, startedAt));
    const writer = await RunWriter.create(runDir, {
      tool: { name: 'vblk-bench', version: TOOL_VERSION },
      profileName: profile.name,
      profilePath: resolve(profilePath),
      startedAt: startedAt.toISOString(),
      accel,
      warnings: [...decision.warnings, ...(accel === 'tcg' ? [TCG_BANNER] : [])],
      plannedSamples: plan.sampleCount,
    });
    log.info(`results: ${runDir}`);
    await writer.writeProfile(profile);
    await writer.writePlan(plan);
    await writer.writeEnvironment({
      accel,
      host: await collectHostFacts(),
      qemu: { binary: profile.qemu.binary, version: qemu.version, banner: qemu.banner },
      hostFio: await hostFioVersion(),
      guest: { kind: profile.guest.kind, imageHash: image.contentHash, kernel: image.manifest.kernelVersion, kernelFormat: profile.guest.kernel_format },
      tool: TOOL_VERSION,
    });

    const interrupt = installInterruptHandlers((signal) => log.warn(`${signal}: stopping guests, keeping what was measured (again to exit at once)`));
    const backing = await prepareBackingStore(profile.disk, randomBytes(4).toString('hex'));
    let loop;
    let progress: RunProgress | undefined;
    try {
      progress = new RunProgress(log, { total: plan.sampleCount, visits: plan.visits.length, accel, runtimeS: profile.fio.runtime, rampTimeS: profile.fio.ramp_time });
      loop = await runPlan({ profile, plan, accel, image, backingPath: backing.path, writer, log, signal: interrupt.controller.signal, progress });
    } finally {
      progress?.stop();
      await killAllChildren();
      await backing.remove();
      interrupt.dispose();
    }
    const complete = !loop.interrupted && loop.samplesWritten === plan.sampleCount;
    await writer.finish({ complete, stopReason: interrupt.signal ? `interrupted by ${interrupt.signal}` : complete ? undefined : 'not every planned sample was measured' });

    const stored = await loadRun(runDir);
    process.stdout.write(renderTerminalTable(buildIopsMatrix(stored.samples), { color: process.stdout.isTTY }) + '\n');
    if (accel === 'tcg') process.stdout.write(`(${TCG_BANNER})\n`);
    process.stdout.write(`results: ${runDir}\n`);

    if (interrupt.signal) return exitCodeForSignal(interrupt.signal);
    const notOk = stored.samples.filter((s) => s.status === 'failed' || s.status === 'invalid');
    if (!complete || notOk.length > 0) {
      log.warn(`${notOk.length} sample(s) failed or invalid; see ${runDir}`);
      return ExitCode.Partial;
    }
    return ExitCode.Success;
  } catch (err) {
    await killAllChildren();
    return reportError(err);
  }
}
