/**
 * The lines the built-in guest's init (scripts/guest/init) prints on the
 * serial console: ready once sshd listens, or failed with the reason. The
 * boot waits for one of them (run/guest-connect.ts).
 */
export const GUEST_READY_MARKER = 'VBLK-GUEST-READY';
export const GUEST_FAILED_MARKER = 'VBLK-GUEST-FAILED';
