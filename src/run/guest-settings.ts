/**
 * Guest-scope axes applied inside a running guest, one applier per axis.
 * Each applier writes the setting, reads it back, and returns what the guest
 * reports, so a cell records the configuration that really took effect.
 * Appliers remember the active value per boot to skip redundant writes; a
 * write invalidates what is remembered for the appliers after it (changing
 * the scheduler resets nr_requests), so those are written again.
 */
import type { AxisValue } from '../model/sample.js';
import type { Cell } from '../plan/cells.js';
import { setScheduler } from '../guest/scheduler.js';
import { setQueueAttribute, type QueueAttribute } from '../guest/queue-attr.js';
import type { RunningGuest } from './guest-boot.js';
import { mapLegacyScheduler } from '../model/scheduler-names.js';

export interface GuestSettingApplier {
  axis: string;
  /** The value `cell` asks for, as written to sysfs (a legacy scheduler name mapped). */
  wanted(cell: Cell): string | number;
  /** Applies `cell`'s value (requested form) and returns the value the guest reports afterwards. */
  apply(guest: RunningGuest, cell: Cell): Promise<AxisValue>;
}

const schedulerApplier: GuestSettingApplier = {
  axis: 'scheduler',
  wanted: (cell) => mapLegacyScheduler(String(cell.requested.scheduler)).effective,
  async apply(guest, cell) {
    const applied = await setScheduler(guest.session, guest.device, String(cell.requested.scheduler));
    return applied.active;
  },
};

/** A numeric /sys/block/<dev>/queue attribute named like its axis. */
const queueAttributeApplier = (axis: QueueAttribute): GuestSettingApplier => ({
  axis,
  wanted: (cell) => Number(cell.values[axis]),
  apply: (guest, cell) => setQueueAttribute(guest.session, guest.device, axis, Number(cell.values[axis])),
});

/** In application order: the scheduler first, since selecting one resets the queue's nr_requests. */
const GUEST_SETTING_APPLIERS: readonly GuestSettingApplier[] = [
  schedulerApplier,
  queueAttributeApplier('nomerges'),
  queueAttributeApplier('nr_requests'),
];

/**
 * The sysfs writes `cell` asks for, in application order: what a guest
 * without the runner (the fidelity check's harness-free boot) applies itself.
 */
export function guestSettingWrites(cell: Cell): { axis: string; value: string | number }[] {
  return GUEST_SETTING_APPLIERS.filter((a) => cell.values[a.axis] !== undefined).map((a) => ({
    axis: a.axis,
    value: a.wanted(cell),
  }));
}

/** What is active in one boot, per axis: changed only when a cell needs another value. */
export type ActiveGuestSettings = Map<string, AxisValue>;

/**
 * Applies every guest-scope axis of `cell`; returns the observed values, or
 * throws with `axis: reason` when one cannot be applied.
 */
export async function applyGuestSettings(
  guest: RunningGuest,
  cell: Cell,
  active: ActiveGuestSettings,
): Promise<Record<string, AxisValue>> {
  const observed: Record<string, AxisValue> = {};
  let wrote = false;
  for (const applier of GUEST_SETTING_APPLIERS) {
    const wanted = cell.values[applier.axis];
    if (wanted === undefined) continue;
    if (wrote || active.get(applier.axis) !== wanted) {
      wrote = true;
      try {
        active.set(applier.axis, await applier.apply(guest, cell));
      } catch (err) {
        active.delete(applier.axis);
        throw new Error(`${applier.axis}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    observed[applier.axis] = active.get(applier.axis)!;
  }
  return observed;
}
