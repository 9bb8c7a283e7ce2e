/**
 * Allow-lists for every profile value that ends up in a command line, a path
 * or a guest command. Host commands are argument arrays and guest commands are
 * quoted, but a value that cannot be written here never gets that far.
 */
export const SAFE = {
  /** Profile and run names: also used in results directory names. */
  name: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  /** Host paths: no spaces, commas (QEMU option syntax) or shell metacharacters. */
  path: /^[A-Za-z0-9_./+@-]{1,4096}$/,
  /** QEMU machine types (`q35`, `pc-q35-7.2`, `microvm`). */
  machine: /^[a-z][a-z0-9._-]{0,63}$/,
  /** Guest I/O scheduler names as the kernel spells them. */
  scheduler: /^[a-z][a-z0-9-]{0,31}$/,
  /** Labels of matrix entries (backend labels appear in cell keys). */
  label: /^[a-z0-9][a-z0-9._-]{0,47}$/,
  /** fio block sizes: `4k`, `128k`, `1m`, `512`. */
  blockSize: /^\d{1,9}[kKmM]?$/,
  /** Extra QEMU arguments: argv items, never a shell; still no control characters. */
  qemuArg: /^[^\x00-\x1f\x7f]{1,1024}$/,
  /** Guest user names. */
  user: /^[a-z_][a-z0-9_-]{0,31}$/,
} as const;

export const PATTERN_HINT: Record<keyof typeof SAFE, string> = {
  name: 'letters, digits, ".", "_", "-" (max 64, starting with a letter or digit)',
  path: 'a path of letters, digits and "_./+@-" only (no spaces, commas or shell characters)',
  machine: 'a QEMU machine type such as q35 or microvm',
  scheduler: 'a scheduler name such as none, mq-deadline, bfq or kyber',
  label: 'lower-case letters, digits, ".", "_", "-"',
  blockSize: 'a block size such as 4k, 128k or 1m',
  qemuArg: 'an argument without control characters',
  user: 'a user name such as root',
};
