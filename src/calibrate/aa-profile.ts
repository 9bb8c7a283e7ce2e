/**
 * The A/A profile of `calibrate`: the profile's first boot group, measured as
 * two identical arms. The arms are two entries of the backend axis that name
 * the same backend with the same options under the labels `aa-a` and `aa-b`,
 * so the ordinary run pipeline boots them as two groups, interleaved round by
 * round (a fresh boot per repetition: interleaving needs it). Every other boot
 * axis is pinned to the first group's value; guest and fio axes stay as they are.
 */
import { InputError } from '../model/errors.js';
import { AXES } from '../profile/axes.js';
import type { BootGroup } from '../plan/groups.js';
import type { AaArms } from './noise.js';

export const AA_LABELS = ['aa-a', 'aa-b'] as const;
const ARM_AXIS = 'backend';

export interface AaProfile {
  /** Profile input (as a YAML/JSON file would hold it). */
  input: Record<string, unknown>;
  arms: AaArms;
}

/** `raw`: the profile as parsed from its file; `group`: its plan's first boot group. */
export function aaProfile(raw: unknown, group: BootGroup, opts: { name: string; repetitions: number }): AaProfile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError('calibrate: the profile is not a mapping');
  const first = group.cells[0];
  if (!first || !AXES.some((a) => a.name === ARM_AXIS))
    throw new InputError(`calibrate: needs a ${ARM_AXIS} axis and at least one runnable cell`);
  const input = raw as Record<string, unknown>;
  const matrix: Record<string, unknown> = { ...((input.matrix ?? {}) as Record<string, unknown>) };
  for (const axis of AXES) {
    if (axis.scope === 'boot' && axis.name !== ARM_AXIS && axis.name in first.requested)
      matrix[axis.name] = [first.requested[axis.name]];
  }
  const { backend, ...options } = group.options[ARM_AXIS] ?? {};
  const name = String(backend ?? first.requested[ARM_AXIS]);
  matrix[ARM_AXIS] = AA_LABELS.map((label) => ({ name, ...options, label }));
  // The A/A run has a fixed count: an `adaptive:` block (repetitions: auto) does not apply to it.
  const { adaptive: _adaptive, ...fixed } = input;
  return {
    input: {
      ...fixed,
      name: opts.name,
      repetitions: opts.repetitions,
      order: 'round-robin',
      reboot_per_repetition: true,
      matrix,
    },
    arms: { axis: ARM_AXIS, labels: AA_LABELS, original: String(group.boot[ARM_AXIS]) },
  };
}
