/**
 * Which parts of a stored environment fingerprint (environment.json) make
 * two runs comparable: the host kernel, CPU, microcode, mitigations, frequency
 * policy, accelerator, QEMU, guest image. The host name and Node version are
 * left out: shards of one matrix run on different runners of one kind.
 */
import { flattenLeaves } from './format.js';

export const COMPARABLE_ENVIRONMENT_KEYS = [
  'accel',
  'host.hostKernel',
  'host.cpuModel',
  'host.microcode',
  'host.cpuCount',
  'host.mitigations',
  'host.governor',
  'host.turbo',
  'host.numaNodes',
  'qemu.version',
  'guest.imageHash',
  'guest.kernel',
  'guest.kernelFormat',
] as const;

function comparable(env: Record<string, unknown>): Map<string, string> {
  return new Map(
    flattenLeaves(env)
      .filter(([k]) => COMPARABLE_ENVIRONMENT_KEYS.some((c) => k === c || k.startsWith(`${c}.`)))
      .map(([k, v]) => [k, JSON.stringify(v)]),
  );
}

/** `qemu.version: "7.2.22" vs "8.2.0"` lines; empty when the environments are comparable. */
export function environmentDifferences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const ea = comparable(a);
  const eb = comparable(b);
  const keys = [...new Set([...ea.keys(), ...eb.keys()])].sort();
  return keys.filter((k) => ea.get(k) !== eb.get(k)).map((k) => `${k}: ${ea.get(k) ?? '(absent)'} vs ${eb.get(k) ?? '(absent)'}`);
}
