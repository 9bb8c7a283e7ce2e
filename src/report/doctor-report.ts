/** The model of `doctor`'s output: one entry per check, with how to fix it. */
export interface DoctorReport {
  /** `fail`: the host cannot run; `warn`: it runs, with the caveat said; `info`: optional features. */
  checks: readonly { name: string; level: 'ok' | 'warn' | 'fail' | 'info'; detail: string; fix?: string }[];
}

/** The model of `guest info`'s output: the cached built-in guest for the current inputs. */
export interface GuestImageInfo {
  dir: string;
  contentHash: string;
  manifest: unknown;
}
