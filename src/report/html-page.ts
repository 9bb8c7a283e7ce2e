/**
 * The shell of every HTML report: one self-contained file (inline CSS, inline
 * SVG, no script, no external resource), readable when printed or mailed.
 */
import { escapeHtml } from './format.js';

const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-soft: #f6f8fa; --warn-bg: #fff4e5; --warn: #9a3412; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.banner { background: var(--warn-bg); border: 1px solid #f5a524; border-left: 6px solid #d97706; color: var(--warn); padding: 10px 14px; margin: 10px 0; border-radius: 4px; }
.banner strong { display: block; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
tr.sig td { background: #eef8f0; } td.marker { text-align: center; color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
figcaption { color: var(--muted); font-size: 12px; max-width: 620px; padding: 2px 6px; }
svg.chart { display: block; font-size: 11px; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg .grid { stroke: #eaeef2; } svg .axis { stroke: #8c959f; } svg .tick, svg .legend { fill: #424a53; }
svg .axis-label { fill: var(--muted); } svg .marker { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 5 3; }
svg .empty { fill: var(--muted); }
ul.findings li { margin: 3px 0; } .muted { color: var(--muted); }
details { margin: 6px 0; } summary { cursor: pointer; }
`;

export function htmlPage(opts: { title: string; subtitle?: string; body: readonly string[] }): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(opts.title)}</h1>`,
    opts.subtitle ? `<p class="sub">${escapeHtml(opts.subtitle)}</p>` : '',
    ...opts.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface HtmlCell {
  /** Already-escaped HTML, or plain text via `text`. */
  html?: string;
  text?: string;
  className?: string;
}

export type CellInput = string | HtmlCell;

function td(tag: 'td' | 'th', c: CellInput): string {
  const cell = typeof c === 'string' ? { text: c } : c;
  const cls = cell.className ? ` class="${cell.className}"` : '';
  return `<${tag}${cls}>${cell.html ?? escapeHtml(cell.text ?? '')}</${tag}>`;
}

/** A table from plain-text (escaped here) or pre-rendered cells. */
export function htmlTable(
  head: readonly CellInput[],
  rows: readonly { cells: readonly CellInput[]; className?: string }[],
): string {
  const body = rows.map(
    (r) => `<tr${r.className ? ` class="${r.className}"` : ''}>${r.cells.map((c) => td('td', c)).join('')}</tr>`,
  );
  return `<table><thead><tr>${head.map((h) => td('th', h)).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

export function banner(title: string, lines: readonly string[]): string {
  return `<div class="banner" role="alert"><strong>${escapeHtml(title)}</strong>${lines.map((l) => `<div>${escapeHtml(l)}</div>`).join('')}</div>`;
}

export function section(title: string, ...content: string[]): string {
  return [`<section><h2>${escapeHtml(title)}</h2>`, ...content, '</section>'].join('\n');
}
