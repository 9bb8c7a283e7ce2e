/**
 * Option parsing shared by the statistics commands (compare, gate, calibrate):
 * every bad value is an InputError naming the option (exit code 2), and the
 * environment check that compare and gate share.
 */
import { InputError } from '../model/errors.js';
import { describeInconclusive, remedyFor, type EnvironmentDifference, type Inconclusive } from '../compare/inconclusive.js';
import type { GateMetric } from '../gate/types.js';
import {
  checkSubjects,
  compareFingerprints,
  describeDiff,
  type FingerprintComparison,
} from '../fingerprint/environment.js';
import type { ResultSet } from '../fingerprint/result-set.js';
import { stealSummary } from '../fingerprint/steal.js';
import { formatNumber } from '../util/number-format.js';

/** A number strictly between 0 and 1 (α, power). */
export function parseFraction(option: string, value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1)) throw new InputError(`${option}: expected a number between 0 and 1 (exclusive), got ${JSON.stringify(value)}`);
  return x;
}

/** A positive percentage such as `5` or `2.5`. */
export function parsePercent(option: string, value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 100)) throw new InputError(`${option}: expected a percentage above 0 and below 100, got ${JSON.stringify(value)}`);
  return x;
}

export function parsePositiveInt(option: string, value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 1) throw new InputError(`${option}: expected a positive integer, got ${JSON.stringify(value)}`);
  return x;
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new InputError(`${option}: expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** `iops=5,clat_p99_ns=5` → gated metrics with their minimum effects (in %). */
export function parseMinEffects(value: string): GateMetric[] {
  const metrics = value.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m) throw new InputError(`--min-effect: expected metric=percent[,metric=percent...], e.g. iops=5,clat_p99_ns=5; got ${JSON.stringify(part)}`);
    return { name: m[1] ?? '', minEffectPct: Number(m[2]) };
  });
  for (const m of metrics) {
    if (!(m.minEffectPct >= 0 && m.minEffectPct < 100)) throw new InputError(`--min-effect ${m.name}: expected a percentage from 0 to below 100`);
  }
  return metrics;
}

/** commander collector for repeatable options (`--subject a --subject b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface EnvironmentCheck {
  comparison: FingerprintComparison;
  /** Environment differences, empty when none (or when allowed). */
  mismatch: EnvironmentDifference[];
  /** Lines for the user: subject differences, environment differences, informational ones. */
  notes: string[];
}

/**
 * The subject-vs-environment rule: differences in a declared subject are the
 * point; differences in the measurement environment refuse the comparison
 * unless `allow` (then they are listed as warnings); informational fields are
 * listed only.
 */
export function checkEnvironment(a: ResultSet, b: ResultSet, subjects: readonly string[], allow: boolean): EnvironmentCheck {
  checkSubjects(subjects, [a.fingerprint, b.fingerprint]);
  const comparison = compareFingerprints(a.fingerprint, b.fingerprint, subjects);
  const mismatch = comparison.environment.map((d) => ({ path: d.path, text: describeDiff(d) }));
  const env = mismatch.map((d) => d.text);
  const notes = [
    ...comparison.subject.map((d) => `subject under test: ${describeDiff(d)}`),
    ...(allow ? env.map((e) => `warning: environment differs (allowed by --allow-env-mismatch): ${e}`) : []),
    ...comparison.info.map((d) => `note: ${describeDiff(d)}`),
    ...stealWarning(a),
    ...stealWarning(b),
  ];
  if (subjects.length > 0 && comparison.subject.length === 0) notes.push(`note: the declared subject (${subjects.join(', ')}) is the same on both sides`);
  return { comparison, mismatch: allow ? [] : mismatch, notes };
}

/** A warning line when a result set's fio windows saw host CPU steal (see fingerprint/steal.ts). */
export function stealWarning(set: ResultSet): string[] {
  const s = stealSummary(set.samples);
  if (!s || s.nonZero === 0) return [];
  return [
    `warning: ${set.label}: host CPU steal during ${s.nonZero} of ${s.n} fio windows (max ${formatNumber(s.max, 2)} %): ` +
      `the hypervisor below ran something else on this machine's CPUs, and the numbers measure that load too`,
  ];
}

/** Why a comparison was refused, with the ways out: the headline, every difference, the remedy. */
export function refusalLines(command: string, mismatch: readonly EnvironmentDifference[]): string[] {
  const reason: Inconclusive = { kind: 'environment', differences: [...mismatch] };
  return [
    `${command}: REFUSED — ${describeInconclusive(reason)}`,
    "the comparison cannot tell the subject's effect from the environment's; every difference:",
    ...mismatch.map((m) => `  ${m.text}`),
    `what to do: ${remedyFor(reason)}`,
  ];
}
