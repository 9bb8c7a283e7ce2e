/**
 * The job of a harness-free boot (the fidelity check, docs/fidelity.md): per
 * cell of one boot, the fio argv the run would send over SSH and the guest
 * settings it would apply, packed with scripts/fidelity/init into a cpio
 * archive that goes before the guest's own initramfs. Pure except for
 * reading the init script.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import { buildFioArgs } from '../guest/fio-job.js';
import { writeCpio, type CpioEntry } from '../guest-image/cpio.js';
import { repoRoot } from '../util/paths.js';
import { fioJobFor } from './cell-job.js';
import { guestSettingWrites } from './guest-settings.js';

/** Where the archive's files live in the guest; the kernel starts `rdinit=` this init. */
export const HARNESS_FREE_INIT = '/vblk-fidelity/init';
/** The argv element the guest replaces with `--filename=/dev/<test disk>` (it finds the disk itself). */
export const TEST_DISK_PLACEHOLDER = '--filename=@TEST-DISK@';
/** Any valid guest disk name: only to build the argv whose filename element becomes the placeholder. */
const SOME_DISK = 'vda';

export interface HarnessFreeJob {
  /** `01`, `02`, …: the order of the cells in the boot. */
  id: string;
  cell: Cell;
  /** The argv with TEST_DISK_PLACEHOLDER for the filename. */
  argv: string[];
  settings: { axis: string; value: string | number }[];
}

/** The fio argv of `cell` against /dev/`device`: exactly what the run sends over SSH. */
export function fioArgvFor(profile: Profile, cell: Cell, device: string): string[] {
  return buildFioArgs(fioJobFor(profile, cell, device));
}

export function harnessFreeJobs(profile: Profile, cells: readonly Cell[]): HarnessFreeJob[] {
  return cells.map((cell, i) => {
    const filename = `--filename=/dev/${SOME_DISK}`;
    const argv = fioArgvFor(profile, cell, SOME_DISK).map((a) => (a === filename ? TEST_DISK_PLACEHOLDER : a));
    // The guest reads one element per line and splits ARGV on spaces: the allow-lists of fio-job.ts exclude both.
    if (!argv.includes(TEST_DISK_PLACEHOLDER) || argv.some((a) => /\s/.test(a)))
      throw new Error(`harness-free job of ${cell.key}: the fio argv has no filename element or contains white space`);
    return { id: String(i + 1).padStart(2, '0'), cell, argv, settings: guestSettingWrites(cell) };
  });
}

/** The archive's entries: the init script, the nonce, the disk's serial ('' = none) and one directory per job. */
export function harnessFreeEntries(
  jobs: readonly HarnessFreeJob[],
  opts: { init: string; nonce: string; diskSerial: string },
): CpioEntry[] {
  return [
    { path: 'vblk-fidelity' },
    { path: 'vblk-fidelity/init', data: opts.init, mode: 0o755 },
    { path: 'vblk-fidelity/nonce', data: `${opts.nonce}\n` },
    { path: 'vblk-fidelity/disk-serial', data: `${opts.diskSerial}\n` },
    { path: 'vblk-fidelity/jobs' },
    ...jobs.flatMap((j): CpioEntry[] => [
      { path: `vblk-fidelity/jobs/${j.id}` },
      { path: `vblk-fidelity/jobs/${j.id}/argv`, data: j.argv.map((a) => `${a}\n`).join('') },
      { path: `vblk-fidelity/jobs/${j.id}/settings`, data: j.settings.map((s) => `${s.axis} ${s.value}\n`).join('') },
    ]),
  ];
}

export async function harnessFreeArchive(
  jobs: readonly HarnessFreeJob[],
  opts: { nonce: string; diskSerial: string },
): Promise<Buffer> {
  const init = await readFile(join(repoRoot(), 'scripts', 'fidelity', 'init'), 'utf8');
  return writeCpio(harnessFreeEntries(jobs, { ...opts, init }));
}
