/**
 * Sizes and durations as people write them in profiles ("512M", "2GiB", "3s"),
 * normalised to plain numbers so nothing downstream parses strings again.
 */

const SIZE_RE = /^(\d+)\s*([KMGT]?)(i?B)?$/i;
const SIZE_FACTOR: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes from `512M`, `1G`, `64KiB` (binary units) or a plain byte count. Null when unreadable. */
export function parseSizeBytes(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : null;
  const m = SIZE_RE.exec(input.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * (SIZE_FACTOR[(m[2] ?? '').toUpperCase()] ?? NaN);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const DURATION_FACTOR: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds from `3`, `3s`, `500ms`, `2m`. Null when unreadable. */
export function parseDurationSeconds(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  const m = DURATION_RE.exec(input.trim());
  if (!m) return null;
  return Number(m[1]) * (DURATION_FACTOR[m[2] ?? 's'] ?? NaN);
}

export const MiB = 1024 * 1024;
