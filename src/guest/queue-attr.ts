/**
 * Numeric block queue attributes of the disk under test
 * (/sys/block/<dev>/queue/<attr>): write, then read back what the kernel
 * holds — it may refuse (nr_requests above the device's tag depth without a
 * scheduler: EINVAL) or clamp (nr_requests below 4 becomes 4), and the cell
 * must record what really took effect.
 *
 * Note: changing the scheduler resets nr_requests (the kernel sizes it for
 * the new elevator), so it is applied after the scheduler, every time the
 * scheduler changed (see run/guest-settings.ts).
 */
import { InputError, RunStepError } from '../model/errors.js';
import type { GuestRunner } from './ssh-session.js';
import { assertDeviceName } from './disk.js';

/** The attributes that can be set (allow-list: the name ends up in a path). */
const QUEUE_ATTRIBUTES = ['nomerges', 'nr_requests'] as const;
export type QueueAttribute = (typeof QUEUE_ATTRIBUTES)[number];

const STEP_TIMEOUT_MS = 15_000;

const HINTS: Partial<Record<QueueAttribute, string>> = {
  nr_requests: 'without a scheduler nr_requests cannot exceed the device queue depth (queue_size)',
};

/** The value in a sysfs read (`64\n`). Pure; throws on anything but one integer. */
function parseQueueAttribute(text: string, what: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new RunStepError(`${what} reads ${JSON.stringify(t)}, expected an integer`, 'guest');
  return Number(t);
}

/** Writes `value` to /sys/block/<device>/queue/<attr> and returns what it reads back. */
export async function setQueueAttribute(
  session: GuestRunner,
  device: string,
  attr: QueueAttribute,
  value: number,
): Promise<number> {
  assertDeviceName(device);
  if (!(QUEUE_ATTRIBUTES as readonly string[]).includes(attr))
    throw new InputError(`queue attribute: '${attr}' is not one of ${QUEUE_ATTRIBUTES.join(', ')}`);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InputError(`${attr}: expected a non-negative integer, got ${value}`);
  const path = `/sys/block/${device}/queue/${attr}`;
  // Value, device and attribute are positional parameters: the script text is constant.
  const w = await session.exec(
    ['sh', '-c', 'printf "%s\\n" "$1" > "/sys/block/$2/queue/$3"', 'sh', String(value), device, attr],
    { timeoutMs: STEP_TIMEOUT_MS },
  );
  if (w.code !== 0) {
    const why = w.stderr.trim().split('\n').pop() || `exit ${w.code ?? w.signal}`;
    const hint = HINTS[attr];
    throw new RunStepError(
      `the guest refused ${attr}=${value} on ${device} (${why.replace(/^sh: (line \d+: )?/, '')})${hint ? `: ${hint}` : ''}`,
      'guest',
    );
  }
  const r = await session.run(['cat', path], { timeoutMs: STEP_TIMEOUT_MS });
  return parseQueueAttribute(r.stdout, path);
}
