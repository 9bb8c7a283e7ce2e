/**
 * The single data model every later stage reads (after PerfKitBenchmarker's
 * `Sample`): one record per measured repetition of one matrix cell.
 * Statistics, compare, gate and every report exporter work from these records
 * only, never from live state, so a stored run can be re-rendered at any time.
 */

import type { SampleInsight } from './insight.js';
import type { FailureKind } from './diagnostics/failures.js';

export const RESULTS_SCHEMA_VERSION = 1;

/** One axis value as stored: strings for names, numbers for depths and sizes. */
export type AxisValue = string | number;

/** Axis name → value, always in canonical axis order (see profile/axes.ts). */
export type CellValues = Record<string, AxisValue>;

export type SampleStatus = 'ok' | 'failed' | 'unsupported' | 'invalid';

export type Accel = 'kvm' | 'tcg';

export interface Metric {
  value: number;
  unit: string;
  /** Which direction is an improvement; lets exporters and the gate stay generic. */
  better: 'higher' | 'lower';
}

export interface Sample {
  schemaVersion: number;
  /** Canonical key of the effective cell, e.g. `backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1`. */
  cellKey: string;
  /** Effective values (after legacy mapping), canonical axis order. */
  cell: CellValues;
  /** Values as the profile wrote them (e.g. scheduler `cfq` when the effective one is `bfq`). */
  requested: CellValues;
  /** QEMU configuration group this cell was measured in (one boot serves one group visit). */
  groupId: string;
  /** Unique id of the guest boot that produced this sample. */
  bootId: string;
  repetition: number;
  startedAt: string;
  finishedAt: string;
  status: SampleStatus;
  /** Why a sample is not `ok`: one line, human readable. */
  reason?: string;
  /** The kind of that reason (src/model/diagnostics/failures.ts), for its hint; absent in samples stored before kinds existed. */
  failureKind?: FailureKind;
  accel: Accel;
  metrics: Record<string, Metric>;
  /** What the running system reported back (ioeventfd via QMP, active scheduler...). */
  observed: Record<string, AxisValue | boolean>;
  /** Path of the raw fio JSON relative to the results directory. */
  rawFioPath?: string;
  /** Notices attached to this sample (legacy scheduler mapping, fio notes...). */
  notices: string[];
  /** Infrastructure failures (boot, SSH, a guest that died) retried with a fresh guest before this sample's boot. */
  bootRetries?: BootRetry[];
  /** Host CPU by role, exits, guest interrupts, consistency and config evidence of the fio window (optional). */
  insight?: SampleInsight;
}

/** One failed guest boot (or a guest lost mid-visit) that was replaced by a fresh one. */
export interface BootRetry {
  bootId: string;
  /** `boot`, `qmp`, `ssh`, `guest`... */
  step: string;
  reason: string;
  /** The kind of that reason; absent in samples stored before kinds existed. */
  failureKind?: FailureKind;
}
