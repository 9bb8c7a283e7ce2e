/**
 * Option parsing shared by the statistics commands (compare, gate, calibrate):
 * every bad value is an InputError naming the option (exit code 2); and the
 * lines of a refused comparison.
 */
import { InputError } from '../model/errors.js';
import {
  describeInconclusive,
  inconclusiveHint,
  type EnvironmentDifference,
  type Inconclusive,
} from '../compare/inconclusive.js';
import type { GateMetric } from '../gate/types.js';

/** A number strictly between 0 and 1 (α, power). */
export function parseFraction(option: string, value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1))
    throw new InputError(`${option}: expected a number between 0 and 1 (exclusive), got ${JSON.stringify(value)}`);
  return x;
}

/** A positive percentage such as `5` or `2.5`. */
export function parsePercent(option: string, value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 100))
    throw new InputError(`${option}: expected a percentage above 0 and below 100, got ${JSON.stringify(value)}`);
  return x;
}

export function parsePositiveInt(option: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 1 || x > max) {
    throw new InputError(
      `${option}: expected a positive integer${max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}` : ''}, got ${JSON.stringify(value)}`,
    );
  }
  return x;
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new InputError(`${option}: expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** `iops=5,clat_p99_ns=5` → gated metrics with their minimum effects (in %). */
export function parseMinEffects(value: string): GateMetric[] {
  const metrics = value.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m)
      throw new InputError(
        `--min-effect: expected metric=percent[,metric=percent...], e.g. iops=5,clat_p99_ns=5; got ${JSON.stringify(part)}`,
      );
    return { name: m[1] ?? '', minEffectPct: Number(m[2]) };
  });
  for (const m of metrics) {
    if (!(m.minEffectPct >= 0 && m.minEffectPct < 100))
      throw new InputError(`--min-effect ${m.name}: expected a percentage from 0 to below 100`);
  }
  return metrics;
}

/** commander collector for repeatable options (`--subject a --subject b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Why a comparison was refused, with the ways out: the headline, every difference, the hint. */
export function refusalLines(command: string, mismatch: readonly EnvironmentDifference[]): string[] {
  const reason: Inconclusive = { kind: 'environment', differences: [...mismatch] };
  return [
    `${command}: REFUSED — ${describeInconclusive(reason)}`,
    "the comparison cannot tell the subject's effect from the environment's; every difference:",
    ...mismatch.map((m) => `  ${m.text}`),
    `hint: ${inconclusiveHint(reason)}`,
  ];
}
