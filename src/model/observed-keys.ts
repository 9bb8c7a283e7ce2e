/** Keys of `Sample.observed` that the run writes and the analysis reads. */

/** The key under which a sample's `observed` carries the steal of its fio window. */
export const HOST_STEAL_KEY = 'hostStealPct';
/** The key under which a sample's `observed` carries the guest fio version (fio's JSON `fio version`). */
export const GUEST_FIO_KEY = 'guestFio';
