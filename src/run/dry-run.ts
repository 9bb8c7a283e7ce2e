/**
 * --dry-run: the plan as text — groups, cells, pruned cells with reasons, the
 * exact QEMU and fio command lines a run would execute, and the estimate.
 * Built by the same pure functions the run uses, with placeholder paths.
 */
import type { Profile } from '../profile/schema.js';
import type { Plan } from '../plan/plan.js';
import { formatSeconds } from '../plan/estimate.js';
import { buildQemuArgs } from '../vm/qemu-args.js';
import { getBackend } from '../vm/backends/index.js';
import { buildFioArgs } from '../guest/fio-job.js';
import { commandLine } from '../util/shell-quote.js';
import { launchSpecFor } from './launch.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';
import { fioJobFor } from './cell-job.js';
import { referenceJobs } from './reference.js';

/** Stands for the test disk, which a run finds by its virtio serial after boot. */
const DRY_RUN_DISK = 'vdx';

export function renderDryRun(
  profile: Profile,
  plan: Plan,
  paths: { kernel: string; initrd: string; backing: string; overrides?: (bootDir: string) => Partial<QemuLaunchSpec> },
): string {
  const out: string[] = [];
  out.push(
    `plan for profile ${profile.name}: ${plan.groups.length} QEMU configuration(s), ${plan.sampleCount} sample(s), accel ${plan.accel}`,
  );
  const rounds = (v: Plan['visits'][number]) =>
    v.rounds.length > 1 ? `r${v.rounds[0]}-r${v.rounds[v.rounds.length - 1]}` : `r${v.round}`;
  out.push(`visits (one boot each): ${plan.visits.map((v) => `${v.groupId}/${rounds(v)}`).join(' ')}`);
  if (!plan.rebootPerRepetition)
    out.push(
      'reboot_per_repetition: false — each group measures all its repetitions in one boot; groups are not interleaved',
    );
  for (const group of plan.groups) {
    out.push('', `group ${group.id}: ${group.key} — ${group.cells.length} cell(s), one boot per visit`);
    const spec = launchSpecFor(group, {
      profile,
      accel: plan.accel,
      kernelPath: paths.kernel,
      initrdPath: paths.initrd,
      backingPath: paths.backing,
      bootDir: `<run-dir>/boots/<boot-id>`,
      sshHostPort: 0,
    });
    Object.assign(spec, paths.overrides?.('<run-dir>/boots/<boot-id>'));
    const backend = getBackend(spec.device.backend);
    // Host processes of the backend first: they start before QEMU (vhost-user-blk: qemu-storage-daemon).
    for (const c of backend.hostCommands?.(spec) ?? []) out.push(`  ${c.role}: ${commandLine([c.binary, ...c.args])}`);
    out.push(`  qemu: ${commandLine([spec.binary, ...buildQemuArgs(spec)])}`);
    const foundBy = backend.locateBy === 'serial' ? 'its serial' : 'the PCI address QEMU reports for it';
    out.push(
      `        (hostfwd port 0 stands for a free 127.0.0.1 port chosen at boot; /dev/${DRY_RUN_DISK} for the test disk, found by ${foundBy})`,
    );
    for (const cell of group.cells) {
      out.push(`  cell ${cell.key}`);
      for (const notice of cell.notices) out.push(`    info: ${notice}`);
      out.push(`    fio: ${commandLine(buildFioArgs(fioJobFor(profile, cell, DRY_RUN_DISK)))}`);
    }
  }
  if (profile.reference === 'host') {
    // The backing path may be a placeholder (`<run>`) that a real path never looks like.
    const standIn = '/dev/shm/vblk-bench-RUN.raw';
    const jobs = referenceJobs(profile, plan, /[<>]/.test(paths.backing) ? standIn : paths.backing);
    out.push(
      '',
      `host-native reference (before the guests): ${jobs.length} fio job(s) on the host against the backing store`,
    );
    for (const job of jobs) out.push(`  ${job.fioKey}: ${commandLine(job.argv).replace(standIn, paths.backing)}`);
  }
  if (plan.pruned.length > 0) {
    out.push('', 'not run:');
    for (const p of plan.pruned) out.push(`  ${p.cell.key}: ${p.status}: ${p.reason}`);
  }
  const e = plan.estimate;
  out.push(
    '',
    `estimated duration: ${formatSeconds(e.totalSeconds)} (boots ${formatSeconds(e.bootSeconds)}, fio ${formatSeconds(e.fioSeconds)}, overhead ${formatSeconds(e.overheadSeconds)})`,
  );
  return out.join('\n');
}
