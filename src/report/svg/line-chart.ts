/**
 * Line chart as inline SVG: one line per series with its points, an optional
 * confidence band (low/high per point), axes with ticks, a legend. Every point
 * carries its numbers as data-* attributes and a <title> tooltip, so the chart
 * is inspectable (and testable) without JavaScript. Pure: spec in, markup out.
 */
import { el, text, polyline, colorAt, num } from './svg.js';
import { linearScale, log2Scale } from './scale.js';
import { escapeHtml } from '../format.js';

export interface ChartPoint {
  x: number;
  y: number;
  low?: number | null;
  high?: number | null;
  /** Shown in the tooltip, e.g. `n=6`. */
  note?: string;
}

export interface ChartLine {
  label: string;
  points: ChartPoint[];
  /** A series with a known index keeps its colour across charts. */
  colorIndex?: number;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  lines: ChartLine[];
  /** `log2` for queue depths, `linear` otherwise; `time` = linear with date ticks (x in ms since the epoch). */
  xScale?: 'log2' | 'linear' | 'time';
  width?: number;
  height?: number;
  formatY?: (v: number) => string;
  formatX?: (v: number) => string;
  /** Vertical markers (e.g. change points) at these x values. */
  markers?: { x: number; label: string }[];
  /** Start the y axis at zero (honest for throughput), default true. */
  yFromZero?: boolean;
}

const MARGIN = { top: 34, right: 16, bottom: 46, left: 64 };
const LEGEND_ROW = 18;

function yExtent(lines: readonly ChartLine[], fromZero: boolean): [number, number] {
  const ys = lines.flatMap((l) => l.points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y])).filter(Number.isFinite);
  if (ys.length === 0) return [0, 1];
  return [fromZero ? Math.min(0, ...ys) : Math.min(...ys), Math.max(...ys)];
}

function band(points: readonly ChartPoint[], x: (v: number) => number, y: (v: number) => number): string | null {
  const withCi = points.filter(
    (p) => p.low != null && p.high != null && Number.isFinite(p.low) && Number.isFinite(p.high),
  );
  if (withCi.length === 0) return null;
  const upper = withCi.map((p) => [x(p.x), y(p.high!)] as const);
  const lower = withCi.map((p) => [x(p.x), y(p.low!)] as const).reverse();
  // A single point gets a short vertical bar's worth of band.
  if (withCi.length === 1) {
    const [px] = upper[0]!;
    return `${polyline([
      [px - 4, upper[0]![1]],
      [px + 4, upper[0]![1]],
      [px + 4, lower[0]![1]],
      [px - 4, lower[0]![1]],
    ])} Z`;
  }
  return `${polyline([...upper, ...lower])} Z`;
}

/** The plot's geometry and scales, shared by the axes and every series. */
interface Frame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  yTop: number;
  yBottom: number;
  x: (v: number) => number;
  y: (v: number) => number;
  xTicks: number[];
  yTicks: number[];
  fmtX: (v: number) => string;
  fmtY: (v: number) => string;
}

function frameOf(spec: LineChartSpec): Frame {
  const width = spec.width ?? 640;
  const legendHeight = LEGEND_ROW * spec.lines.length + 8;
  const plotHeight = (spec.height ?? 340) - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const x1 = width - MARGIN.right;
  const yTop = MARGIN.top;
  const yBottom = MARGIN.top + plotHeight;
  const xs = spec.lines.flatMap((l) => l.points.map((p) => p.x));
  const pad = 12;
  const x =
    spec.xScale === 'log2'
      ? log2Scale(xs, x0 + pad, x1 - pad)
      : linearScale(
          xs.length ? Math.min(...xs) : 0,
          xs.length ? Math.max(...xs) : 1,
          x0 + pad,
          x1 - pad,
          6,
          spec.xScale !== 'time',
        );
  const xTicks =
    spec.xScale === 'time'
      ? [...new Set(xs)].sort((a, b) => a - b).filter((_, i, all) => i % Math.ceil(all.length / 6) === 0)
      : x.ticks;
  const [lo, hi] = yExtent(spec.lines, spec.yFromZero ?? true);
  const y = linearScale(lo, hi, yBottom, yTop);
  return {
    width,
    height: MARGIN.top + plotHeight + MARGIN.bottom + legendHeight,
    x0,
    x1,
    yTop,
    yBottom,
    x,
    y,
    xTicks,
    yTicks: y.ticks,
    fmtX: spec.formatX ?? ((v: number) => num(v)),
    fmtY: spec.formatY ?? ((v: number) => num(v)),
  };
}

/** Title, grid, ticks, axes, their labels and the markers. */
function axesOf(spec: LineChartSpec, f: Frame): string[] {
  const { x0, x1, yTop, yBottom, x, y } = f;
  const parts: string[] = [];
  parts.push(text({ x: f.width / 2, y: 20, 'text-anchor': 'middle', class: 'chart-title' }, spec.title));
  for (const t of f.yTicks) {
    parts.push(el('line', { x1: x0, x2: x1, y1: y(t), y2: y(t), class: 'grid' }));
    parts.push(text({ x: x0 - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, f.fmtY(t)));
  }
  for (const t of f.xTicks) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: yBottom, y2: yBottom + 5, class: 'axis' }));
    parts.push(text({ x: x(t), y: yBottom + 18, 'text-anchor': 'middle', class: 'tick' }, f.fmtX(t)));
  }
  parts.push(el('line', { x1: x0, x2: x1, y1: yBottom, y2: yBottom, class: 'axis' }));
  parts.push(el('line', { x1: x0, x2: x0, y1: yTop, y2: yBottom, class: 'axis' }));
  parts.push(text({ x: (x0 + x1) / 2, y: yBottom + 36, 'text-anchor': 'middle', class: 'axis-label' }, spec.xLabel));
  const mid = (yTop + yBottom) / 2;
  parts.push(
    text(
      { x: 14, y: mid, 'text-anchor': 'middle', transform: `rotate(-90 14 ${num(mid)})`, class: 'axis-label' },
      spec.yLabel,
    ),
  );
  for (const m of spec.markers ?? []) {
    parts.push(
      el(
        'line',
        { x1: x(m.x), x2: x(m.x), y1: yTop, y2: yBottom, class: 'marker', 'data-marker': m.label },
        el('title', {}, escapeHtml(m.label)),
      ),
    );
  }
  return parts;
}

/** One point: its circle with the numbers as data-* attributes and a tooltip. */
function pointOf(spec: LineChartSpec, f: Frame, line: ChartLine, color: string, p: ChartPoint): string {
  const ci = p.low != null && p.high != null ? `, CI ${f.fmtY(p.low)}–${f.fmtY(p.high)}` : '';
  const tip = `${line.label}: ${spec.xLabel} ${f.fmtX(p.x)}: ${f.fmtY(p.y)}${ci}${p.note ? ` (${p.note})` : ''}`;
  return el(
    'circle',
    {
      cx: f.x(p.x),
      cy: f.y(p.y),
      r: 3.5,
      fill: color,
      class: 'point',
      'data-x': p.x,
      'data-y': p.y,
      'data-low': p.low ?? undefined,
      'data-high': p.high ?? undefined,
    },
    el('title', {}, escapeHtml(tip)),
  );
}

/** One series: its band, line, points and legend entry. */
function seriesOf(spec: LineChartSpec, f: Frame, line: ChartLine, i: number): string {
  const color = colorAt(line.colorIndex ?? i);
  const pts = [...line.points].sort((a, b) => a.x - b.x);
  const bandPath = band(pts, f.x, f.y);
  const g: string[] = [];
  if (bandPath) g.push(el('path', { d: bandPath, fill: color, 'fill-opacity': 0.16, stroke: 'none', class: 'band' }));
  if (pts.length > 1)
    g.push(
      el('path', {
        d: polyline(pts.map((p) => [f.x(p.x), f.y(p.y)])),
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
        class: 'line',
      }),
    );
  for (const p of pts) g.push(pointOf(spec, f, line, color, p));
  const ly = f.yBottom + MARGIN.bottom + 4 + i * LEGEND_ROW;
  g.push(el('rect', { x: f.x0, y: ly - 9, width: 14, height: 10, fill: color }));
  g.push(text({ x: f.x0 + 20, y: ly, class: 'legend' }, line.label));
  return el('g', { class: 'series', 'data-series': line.label }, g);
}

export function renderLineChart(spec: LineChartSpec): string {
  const f = frameOf(spec);
  const parts = axesOf(spec, f);
  spec.lines.forEach((line, i) => parts.push(seriesOf(spec, f, line, i)));
  if (spec.lines.every((l) => l.points.length === 0)) {
    parts.push(
      text(
        { x: f.width / 2, y: (f.yTop + f.yBottom) / 2, 'text-anchor': 'middle', class: 'empty' },
        'no measured values',
      ),
    );
  }
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${f.width} ${num(f.height)}`,
      width: f.width,
      height: f.height,
      role: 'img',
      'aria-label': spec.title,
      class: 'chart',
    },
    parts,
  );
}
