/** The model of `doctor`'s output: one entry per check, with its hint. */
import type { Severity } from '../model/diagnostic.js';
export interface DoctorReport {
  /** `error`: the host cannot run; `warning`: it runs, with the caveat said; `info`: optional features. */
  checks: readonly { name: string; level: 'ok' | Severity; detail: string; hint?: string }[];
}

/** The model of `guest info`'s output: the cached built-in guest for the current inputs. */
export interface GuestImageInfo {
  dir: string;
  contentHash: string;
  manifest: unknown;
}
