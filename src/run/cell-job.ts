/**
 * What one cell asks of the guest: its fio job and its guest settings.
 * Pure, shared by the run and by --dry-run.
 */
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import type { FioJob } from '../guest/fio-job.js';
import { isWriteWorkload } from '../profile/workload.js';

/** The fio `rw` of a cell: its own `rw` axis value if the matrix has one, else the profile's fio.rw. */
function workloadOf(profile: Profile, cell: Pick<Cell, 'values'>): string {
  return String(cell.values.rw ?? profile.fio.rw);
}

/** True when some cell writes: the test disk must then be writable (QEMU opens it read-only otherwise). */
export function anyCellWrites(profile: Profile, cells: readonly Pick<Cell, 'values'>[]): boolean {
  return cells.some((c) => isWriteWorkload(workloadOf(profile, c)));
}

/** The cell's fio job: its fio axes (rw, bs, numjobs, iodepth) where the matrix has them, else the profile's fio fields. */
export function fioJobFor(profile: Profile, cell: Cell, device: string): FioJob {
  return {
    name: 'vblk',
    filename: `/dev/${device}`,
    rw: workloadOf(profile, cell),
    bs: String(cell.values.bs ?? profile.fio.bs),
    ioengine: profile.fio.ioengine,
    iodepth: Number(cell.values.iodepth),
    direct: profile.fio.direct,
    runtimeS: profile.fio.runtime,
    rampTimeS: profile.fio.ramp_time,
    numjobs: Number(cell.values.numjobs ?? profile.fio.numjobs),
    // Read workloads get --readonly: a typo cannot turn them into writes.
    readonly: !isWriteWorkload(workloadOf(profile, cell)),
  };
}

/** fio must finish within runtime + ramp + a margin for start-up and output, or it is hung. */
export function fioTimeoutMs(profile: Profile): number {
  return (profile.fio.runtime + profile.fio.ramp_time) * 1000 * 1.5 + 30_000;
}
