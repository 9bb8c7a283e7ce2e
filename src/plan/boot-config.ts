/**
 * The effective QEMU configuration of a cell or group: boot-scope axis values
 * where the matrix has them, else the backend entry's options, else the
 * profile's own fields, else the defaults chosen here. Pure; the planner's
 * rules and the launch spec both read it, so they never disagree.
 */
import type { CellValues } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import { InputError } from '../model/errors.js';
import { NOT_APPLICABLE } from '../profile/axes.js';

/**
 * Queue size of every backend unless the profile says otherwise: QEMU 7.2's
 * virtio-blk-pci default. vhost-user-blk-pci's own default is 128; setting
 * 256 on every path keeps comparisons like for like (and both are recorded).
 */
const DEFAULT_QUEUE_SIZE = 256;

export interface BootConfig {
  /** Backend name (the entry's `name`, not its label). */
  backend: string;
  /** `n/a` (backends without the property) launches with QEMU's default; the backend ignores it. */
  ioeventfd: boolean;
  aio: 'threads' | 'native' | 'io_uring';
  cache: 'none' | 'writeback';
  vcpus: number;
  /** Default: one per vCPU (virtio-blk's `auto`), set explicitly. */
  numQueues: number;
  queueSize: number;
  /** Only when the matrix has poll_max_ns (and it applies): QEMU's default (32768) otherwise. */
  pollMaxNs?: number;
}

type Options = Record<string, Record<string, unknown> | undefined>;

/** The backend name of a cell or group (a labelled entry carries it in its options). */
export function backendName(values: CellValues, options: Options): string {
  return String(options.backend?.backend ?? values.backend);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function bootConfig(values: CellValues, options: Options, profile: Profile): BootConfig {
  const backendOptions = options.backend ?? {};
  const vcpus = num(values.vcpus) ?? profile.qemu.vcpus;
  const config: BootConfig = {
    backend: backendName(values, options),
    ioeventfd: values.ioeventfd !== 'off',
    aio: (values.aio as BootConfig['aio'] | undefined) ?? profile.disk.aio,
    cache: (values.cache as BootConfig['cache'] | undefined) ?? profile.disk.cache,
    vcpus,
    numQueues: num(values.num_queues) ?? num(backendOptions.num_queues) ?? vcpus,
    queueSize: num(values.queue_size) ?? num(backendOptions.queue_size) ?? DEFAULT_QUEUE_SIZE,
  };
  if (values.poll_max_ns !== undefined && values.poll_max_ns !== NOT_APPLICABLE)
    config.pollMaxNs = Number(values.poll_max_ns);
  return config;
}

/**
 * Settings given twice (a backend entry's `queue_size` and the `queue_size`
 * axis): one would silently win, so it is bad input. One line each.
 */
function conflictingSettings(profile: Profile): string[] {
  const matrix = profile.matrix as Record<string, { options: Record<string, unknown> }[] | undefined>;
  const problems: string[] = [];
  for (const key of ['queue_size', 'num_queues'] as const) {
    if (!matrix[key]) continue;
    (matrix.backend ?? []).forEach((entry, i) => {
      if (entry.options[key] !== undefined) {
        problems.push(`matrix.backend[${i}].${key}: the matrix also has a ${key} axis; set it in one place only`);
      }
    });
  }
  return problems;
}

/** Throws InputError with every conflict. */
export function checkConflictingSettings(profile: Profile): void {
  const problems = conflictingSettings(profile);
  if (problems.length > 0) throw new InputError(problems);
}
