/**
 * Guest block I/O scheduler: parse sysfs, map legacy names, set and verify.
 *
 * Since Linux 5.0 only multi-queue schedulers exist (none, mq-deadline, bfq,
 * kyber); virtio-blk has been blk-mq since 3.13, so the legacy single-queue
 * names never apply to it on a modern kernel. bfq and kyber are modules in
 * Debian's kernel and only appear in sysfs once loaded.
 */
import { InputError, RunStepError } from '../model/errors.js';
import type { GuestRunner } from './ssh-session.js';
import { assertDeviceName } from './disk.js';
import { mapLegacyScheduler, SCHEDULER_NAME_PATTERN } from '../model/scheduler-names.js';

export interface SchedulerList {
  active: string;
  available: string[];
}

/**
 * Parse `/sys/block/<dev>/queue/scheduler`, e.g. `[mq-deadline] kyber bfq none`
 * or `[none]`. A lone `none` without brackets (a queue with no elevator
 * support) counts as active too.
 */
export function parseSchedulerList(text: string): SchedulerList {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new Error('scheduler list is empty');
  let active: string | undefined;
  const available: string[] = [];
  for (const tok of tokens) {
    const m = /^\[([^\]]*)\]$/.exec(tok);
    const name = m ? (m[1] ?? '') : tok;
    if (!SCHEDULER_NAME_PATTERN.test(name)) {
      throw new Error(`scheduler list has an unexpected entry '${tok}': ${JSON.stringify(text.trim())}`);
    }
    if (m) {
      if (active !== undefined)
        throw new Error(`scheduler list marks two active entries: ${JSON.stringify(text.trim())}`);
      active = name;
    }
    available.push(name);
  }
  if (active === undefined) {
    if (tokens.length === 1 && tokens[0] !== undefined) active = tokens[0];
    else throw new Error(`scheduler list marks no active entry: ${JSON.stringify(text.trim())}`);
  }
  return { active, available };
}

/** Modules that provide a scheduler not built into Debian's kernel. */
const SCHEDULER_MODULE: Record<string, string> = {
  bfq: 'bfq',
  kyber: 'kyber-iosched',
};

export interface SchedulerResult {
  requested: string;
  effective: string;
  /** What the kernel reports as active after the write (equal to `effective`, or this throws). */
  active: string;
  notices: string[];
}

/** The kernel does not offer the scheduler (not built, module missing): a cell that cannot run. */
export class SchedulerUnavailableError extends RunStepError {
  constructor(
    message: string,
    readonly scheduler: string,
    readonly available: string[],
    details: string[] = [],
  ) {
    super(message, 'guest', details, 'SchedulerUnavailable');
    this.name = 'SchedulerUnavailableError';
  }
}

const STEP_TIMEOUT_MS = 15_000;

/**
 * Select `requested` (legacy names mapped) on /dev/<device>, loading its module
 * first if needed, and verify by reading sysfs back.
 */
export async function setScheduler(session: GuestRunner, device: string, requested: string): Promise<SchedulerResult> {
  assertDeviceName(device);
  if (!SCHEDULER_NAME_PATTERN.test(requested)) {
    throw new InputError(`scheduler: '${requested}' is not a scheduler name (expected ${SCHEDULER_NAME_PATTERN})`);
  }
  const { effective, notice } = mapLegacyScheduler(requested);
  const notices = notice ? [notice] : [];
  const path = `/sys/block/${device}/queue/scheduler`;
  const read = async (): Promise<SchedulerList> => {
    const r = await session.run(['cat', path], { timeoutMs: STEP_TIMEOUT_MS });
    try {
      return parseSchedulerList(r.stdout);
    } catch (err) {
      throw new RunStepError(`${path}: ${(err as Error).message}`, 'guest');
    }
  };

  let list = await read();
  const details: string[] = [];
  const module = SCHEDULER_MODULE[effective];
  if (!list.available.includes(effective) && module !== undefined) {
    const r = await session.exec(['modprobe', module], { timeoutMs: STEP_TIMEOUT_MS });
    if (r.code !== 0) {
      details.push(
        `modprobe ${module} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
      );
    }
    list = await read();
  }
  if (!list.available.includes(effective)) {
    const loaded = module !== undefined ? ` (even after modprobe ${module})` : '';
    throw new SchedulerUnavailableError(
      `the guest kernel does not offer scheduler '${effective}' on ${device}${loaded}; available: ${list.available.join(', ')}`,
      effective,
      list.available,
      details,
    );
  }

  // Name and device are passed as positional parameters: the script text is constant.
  await session.run(['sh', '-c', 'printf "%s\\n" "$1" > "/sys/block/$2/queue/scheduler"', 'sh', effective, device], {
    timeoutMs: STEP_TIMEOUT_MS,
  });
  const after = await read();
  if (after.active !== effective) {
    throw new RunStepError(
      `scheduler on ${device} reads back as '${after.active}' after writing '${effective}' (available: ${after.available.join(', ')})`,
      'guest',
      details,
    );
  }
  return { requested, effective, active: after.active, notices };
}
