import { formatCount } from '../util/number-format.js';
/** Number and text formatting shared by the exporters. */

/** cli-table3 style: colours only on a terminal (escape codes would litter pipes and files). */
export function tableStyle(color?: boolean): { head: string[]; border: string[] } {
  return { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
}

export function formatPct(pct: number): string {
  const rounded = Math.abs(pct) < 0.05 ? 0 : pct;
  return `${rounded >= 0 ? '+' : ''}${rounded.toFixed(1)}%`;
}

/** Text safe inside HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** `2026-11-26T05:17:15.941Z` → `2026-11-26 05:17 UTC`: dates people read in tables. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** A median with its confidence interval: `8535 [7212, 9104]`, or `8535 (no CI, n=3)`. */
export function formatMedianWithCi(median: number, ci: { low: number; high: number } | null, n: number): string {
  return ci
    ? `${formatCount(median)} [${formatCount(ci.low)}, ${formatCount(ci.high)}]`
    : `${formatCount(median)} (no CI, n=${n})`;
}

/** Plain text columns, left-aligned and padded, for listings that are read and grepped. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Make text safe inside a Markdown table cell: no line breaks, pipes escaped. */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Make prose safe as a Markdown paragraph line: `<` outside code spans would
 * start an HTML tag (GitHub drops `<path>`), line breaks would end the line.
 * Code spans are left alone: they render literally.
 */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (/^`[^`]*`$/.test(part) ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;')))
    .join('');
}
