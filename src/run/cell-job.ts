/**
 * What one cell asks of the guest: its fio job and its guest settings.
 * Pure, shared by the run and by --dry-run.
 */
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import type { FioJob } from '../guest/fio-job.js';

export function fioJobFor(profile: Profile, cell: Cell, device: string): FioJob {
  return {
    name: 'vblk',
    filename: `/dev/${device}`,
    rw: profile.fio.rw,
    bs: profile.fio.bs,
    ioengine: profile.fio.ioengine,
    iodepth: Number(cell.values.iodepth),
    direct: profile.fio.direct,
    runtimeS: profile.fio.runtime,
    rampTimeS: profile.fio.ramp_time,
    numjobs: profile.fio.numjobs,
    // Read workloads only (for now): --readonly makes a typo unable to write.
    readonly: true,
  };
}

/** fio must finish within runtime + ramp + a margin for start-up and output, or it is hung. */
export function fioTimeoutMs(profile: Profile): number {
  return (profile.fio.runtime + profile.fio.ramp_time) * 1000 * 1.5 + 30_000;
}
