/**
 * What `run --resume` may do with a stored run: which planned samples are
 * missing, and whether the profile and the environment are still the ones
 * the stored samples were measured with (else the finished run would mix two
 * experiments, so resume refuses and lists what changed). Pure.
 */
import type { Sample } from '../model/sample.js';
import { mayDiffer } from '../model/may-differ.js';

const MAX_SHOWN = 80;

function show(v: unknown): string {
  const text = v === undefined ? '(absent)' : JSON.stringify(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `path: stored → now` lines for every leaf that differs, skipping ignored paths. */
export function jsonChanges(
  stored: unknown,
  current: unknown,
  ignore: (path: string, key: string) => boolean,
  path = '',
): string[] {
  if (isPlainObject(stored) && isPlainObject(current)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(current)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      return ignore(p, k) ? [] : jsonChanges(stored[k], current[k], ignore, p);
    });
  }
  if (Array.isArray(stored) && Array.isArray(current) && stored.length === current.length) {
    return stored.flatMap((v, i) => jsonChanges(v, current[i], ignore, `${path}[${i}]`));
  }
  return JSON.stringify(stored) === JSON.stringify(current)
    ? []
    : [`${path || '(top level)'}: ${show(stored)} → ${show(current)}`];
}

/** JSON round trip: what would be stored (undefined fields dropped). */
const asStored = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));

/** Changed profile fields, except those that may differ on resume (model/may-differ.ts). */
export function profileChanges(stored: unknown, current: unknown): string[] {
  return jsonChanges(stored, asStored(current), (p) => mayDiffer(`profile.${p}`, 'resume'));
}

/** Changed environment fields, except those that may differ on resume (model/may-differ.ts). */
export function environmentChanges(stored: unknown, current: unknown): string[] {
  return jsonChanges(stored, asStored(current), (p) => mayDiffer(p, 'resume'));
}

export const sampleSlot = (cellKey: string, repetition: number): string => `${cellKey}#r${repetition}`;

/** Slots (cell × repetition) that already have a record, whatever its status. */
export function recordedSlots(samples: readonly Pick<Sample, 'cellKey' | 'repetition'>[]): Set<string> {
  return new Set(samples.map((s) => sampleSlot(s.cellKey, s.repetition)));
}

/** Planned slots without a record. */
export function missingSlots(
  planned: readonly { cellKey: string; repetition: number }[],
  recorded: Set<string>,
): string[] {
  return planned.map((p) => sampleSlot(p.cellKey, p.repetition)).filter((slot) => !recorded.has(slot));
}
