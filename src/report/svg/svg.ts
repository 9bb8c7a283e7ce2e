/** A tiny SVG writer: elements as strings with escaped attributes; numbers rounded for small output. */
import { escapeHtml } from '../format.js';

export type Attrs = Record<string, string | number | undefined>;

/** Coordinates to two decimals: enough for a screen, short in the file. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeHtml(typeof v === 'number' ? num(v) : v)}"`)
    .join('');
}

export function el(name: string, a: Attrs, children: string | readonly string[] = ''): string {
  const inner = typeof children === 'string' ? children : children.join('');
  return inner === '' ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${inner}</${name}>`;
}

export function text(a: Attrs, content: string): string {
  return el('text', a, escapeHtml(content));
}

/** `M x y L x y …` through the points. */
export function polyline(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x)} ${num(y)}`).join(' ');
}

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'] as const;

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
