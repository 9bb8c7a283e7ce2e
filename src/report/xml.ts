/** XML 1.0 text and attribute escaping. */

// Control characters XML 1.0 forbids even as character references.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Escape for an attribute value (line breaks kept as character references). */
export function escapeAttr(text: string): string {
  return text.replace(INVALID_XML, '').replace(/[&<>"'\n\r\t]/g, (ch) => ENTITIES[ch] ?? ch);
}

/** Escape for element content (line breaks kept literally). */
export function escapeText(text: string): string {
  return text.replace(INVALID_XML, '').replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}
