/**
 * How deeply a parsed JSON value nests, measured without recursion: a
 * document nested a million levels deep parses fine (V8's JSON.parse is
 * iterative) but overflows every recursive walk after it — JSON.stringify,
 * schema validation, fingerprint flattening. Readers refuse such documents
 * before anything walks them.
 */

/** Deepest nesting any stored or imported JSON document may have (the deepest vblk-bench writes is under 10). */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests deeper than `max` levels of arrays/objects (stops looking as soon as it does). */
export function nestsDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}
