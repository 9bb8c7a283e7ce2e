/**
 * Which fio workloads write. A write workload changes the backing store, so
 * it needs a writable test disk (QEMU opens it read-only otherwise) and, on a
 * host block device, the profile's explicit `disk.allow_writes: true`.
 */

/** fio `rw` values a profile may ask for (reads first). */
export const FIO_RW_VALUES = ['read', 'randread', 'write', 'randwrite', 'readwrite', 'randrw'] as const;

const READS: readonly string[] = ['read', 'randread'];

/** True for any rw value that is not a pure read (fio's own names, aliases included). */
export function isWriteWorkload(rw: string): boolean {
  return !READS.includes(rw);
}
