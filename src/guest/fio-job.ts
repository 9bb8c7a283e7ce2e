/**
 * One fio job as an argv. Every field is checked against an allow-list before
 * it becomes an option (throwing with the field's name), and read workloads
 * carry `--readonly` so that a typo can never turn a benchmark into a write to
 * the disk under test.
 */
import { InputError } from '../model/errors.js';

export interface FioJob {
  name: string;
  /** `/dev/vdX` in the guest (a file under /tmp, /var/tmp, /dev/shm or /mnt is accepted too). */
  filename: string;
  rw: string;
  bs: string;
  ioengine: string;
  iodepth: number;
  direct: boolean;
  runtimeS: number;
  rampTimeS: number;
  numjobs: number;
  size?: string;
  /** Adds `--readonly`; refused together with a writing `rw`. */
  readonly: boolean;
}

const FIO_READ_WORKLOADS = ['read', 'randread'] as const;
const FIO_WRITE_WORKLOADS = [
  'write',
  'randwrite',
  'rw',
  'readwrite',
  'randrw',
  'trim',
  'randtrim',
  'trimwrite',
] as const;
const FIO_IOENGINES = ['libaio', 'io_uring', 'psync', 'sync', 'pvsync', 'pvsync2', 'posixaio'] as const;

const PATTERNS = {
  name: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  /**
   * A guest virtio disk, or a plain file under a scratch directory (host-side
   * tests, file-backed jobs). No other /dev, /sys or /proc path, no `..`, no
   * `:` (fio reads it as a file list separator).
   */
  filename: /^(?:\/dev\/vd[a-z]+|\/(?:tmp|var\/tmp|dev\/shm|mnt)(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+)$/,
  /** The host-native reference (src/run/reference.ts) reads the backing store itself: any absolute path without `..`, `:` or `,`. */
  hostFilename: /^(?:\/[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*)+$/,
  bs: /^[1-9]\d{0,8}[kKmM]?$/,
  size: /^(?:[1-9]\d{0,12}[kKmMgGtT]?|(?:100|[1-9]\d?)%)$/,
} as const;

const LIMITS = {
  iodepth: [1, 4096],
  runtimeS: [1, 86400],
  rampTimeS: [0, 3600],
  numjobs: [1, 256],
} as const;

function bad(field: string, value: unknown, expected: string): InputError {
  return new InputError(`fio job ${field}: ${JSON.stringify(value)} is not allowed (expected ${expected})`);
}

function intIn(job: FioJob, field: keyof typeof LIMITS): number {
  const v = job[field];
  const [lo, hi] = LIMITS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(field, v, `an integer ${lo}..${hi}`);
  return v;
}

function matches(field: keyof typeof PATTERNS, value: string | undefined, expected: string): string {
  if (typeof value !== 'string' || !PATTERNS[field].test(value)) throw bad(field, value, expected);
  return value;
}

function isReadWorkload(rw: string): boolean {
  return (FIO_READ_WORKLOADS as readonly string[]).includes(rw);
}

/** The fio argv for one job (`fio --name=... --output-format=json`), validated. */
export function buildFioArgs(job: FioJob, opts: { host?: boolean } = {}): string[] {
  const name = matches('name', job.name, 'letters, digits, ".", "_", "-"; max 64');
  if (opts.host && !PATTERNS.hostFilename.test(job.filename))
    throw bad('filename', job.filename, 'an absolute host path of letters, digits and "_.+@-"');
  const filename = opts.host
    ? job.filename
    : matches('filename', job.filename, '/dev/vdX, or a plain file under /tmp, /var/tmp, /dev/shm or /mnt');
  if (filename.split('/').includes('..')) throw bad('filename', filename, 'a path without ".."');
  const rw = job.rw;
  if (!isReadWorkload(rw) && !(FIO_WRITE_WORKLOADS as readonly string[]).includes(rw)) {
    throw bad('rw', rw, `one of ${[...FIO_READ_WORKLOADS, ...FIO_WRITE_WORKLOADS].join(', ')}`);
  }
  const bs = matches('bs', job.bs, 'a block size such as 512, 4k, 128k or 1m');
  if (!(FIO_IOENGINES as readonly string[]).includes(job.ioengine)) {
    throw bad('ioengine', job.ioengine, `one of ${FIO_IOENGINES.join(', ')}`);
  }
  const iodepth = intIn(job, 'iodepth');
  const runtimeS = intIn(job, 'runtimeS');
  const rampTimeS = intIn(job, 'rampTimeS');
  const numjobs = intIn(job, 'numjobs');
  if (typeof job.direct !== 'boolean') throw bad('direct', job.direct, 'true or false');
  if (typeof job.readonly !== 'boolean') throw bad('readonly', job.readonly, 'true or false');
  if (job.readonly && !isReadWorkload(rw)) {
    throw bad('rw', rw, `a read workload (${FIO_READ_WORKLOADS.join(', ')}) because the job is read-only`);
  }
  const size = job.size === undefined ? undefined : matches('size', job.size, 'a size such as 16M, 1G or 50%');

  const argv = [
    'fio',
    `--name=${name}`,
    `--filename=${filename}`,
    `--rw=${rw}`,
    `--bs=${bs}`,
    `--ioengine=${job.ioengine}`,
    `--iodepth=${iodepth}`,
    `--direct=${job.direct ? 1 : 0}`,
    `--runtime=${runtimeS}s`,
    `--ramp_time=${rampTimeS}s`,
    '--time_based',
    `--numjobs=${numjobs}`,
  ];
  if (size !== undefined) argv.push(`--size=${size}`);
  argv.push('--group_reporting', '--output-format=json');
  // Read workloads are always read-only, whatever `readonly` says: a typo cannot write.
  if (job.readonly || isReadWorkload(rw)) argv.push('--readonly');
  return argv;
}

/**
 * Things about a valid job worth telling the user, because fio accepts them
 * and then measures something other than it looks like.
 */
export function fioJobNotices(job: FioJob): string[] {
  const notices: string[] = [];
  const syncEngines = ['psync', 'sync', 'pvsync', 'pvsync2'];
  if (job.iodepth > 1 && syncEngines.includes(job.ioengine)) {
    notices.push(`ioengine ${job.ioengine} is synchronous: fio caps iodepth ${job.iodepth} at 1`);
  }
  if (job.iodepth > 1 && job.ioengine === 'libaio' && !job.direct) {
    notices.push(`libaio without direct=1 is synchronous in Linux: iodepth ${job.iodepth} behaves like 1`);
  }
  if (!job.direct && isReadWorkload(job.rw)) {
    notices.push('direct=0: buffered reads measure the guest page cache as much as the device');
  }
  return notices;
}
