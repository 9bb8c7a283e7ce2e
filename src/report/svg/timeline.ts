/**
 * Lanes chart as inline SVG: one horizontal lane per thread, the events of
 * one request as marks on it at their time, a bar from a lane's first to its
 * last mark, an x axis in µs. Every mark carries its numbers as data-*
 * attributes and a <title> tooltip, so the chart is inspectable (and
 * testable) without JavaScript. Pure: spec in, markup out.
 */
import { el, text, colorAt } from './svg.js';
import { linearScale } from './scale.js';
import { escapeHtml } from '../format.js';

export interface TimelineMark {
  atUs: number;
  label: string;
  /** Marks of one group (a clock domain) share a colour. */
  group: string;
}

export interface TimelineLane {
  label: string;
  marks: TimelineMark[];
}

export interface TimelineSpec {
  title: string;
  lanes: TimelineLane[];
  /** Colour order of the groups (so a domain keeps its colour across charts). */
  groups: readonly string[];
  width?: number;
}

const MARGIN = { top: 34, right: 24, bottom: 40, left: 130 };
const LANE = 34;

export function renderTimeline(spec: TimelineSpec): string {
  const width = spec.width ?? 760;
  const height = MARGIN.top + Math.max(1, spec.lanes.length) * LANE + MARGIN.bottom;
  const all = spec.lanes.flatMap((l) => l.marks.map((m) => m.atUs));
  const x = linearScale(Math.min(0, ...all), Math.max(1, ...all), MARGIN.left, width - MARGIN.right, 6);
  const axisY = height - MARGIN.bottom + 6;
  const parts: string[] = [text({ x: MARGIN.left, y: 20, class: 'chart-title' }, spec.title)];
  // Legend: the groups (clock domains) that occur, right-aligned on the title line.
  const used = spec.groups.filter((g) => spec.lanes.some((l) => l.marks.some((m) => m.group === g)));
  used.forEach((g, i) => {
    const lx = width - MARGIN.right - (used.length - i) * 70;
    parts.push(el('circle', { cx: lx, cy: 16, r: 4, fill: colorAt(spec.groups.indexOf(g)) }));
    parts.push(text({ x: lx + 8, y: 20, class: 'legend' }, g));
  });
  for (const t of x.ticks) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: MARGIN.top - 6, y2: axisY, class: 'grid' }));
    parts.push(text({ x: x(t), y: axisY + 14, 'text-anchor': 'middle', class: 'tick' }, String(t)));
  }
  parts.push(text({ x: (MARGIN.left + width) / 2, y: axisY + 30, 'text-anchor': 'middle', class: 'axis-label' }, 'µs'));
  spec.lanes.forEach((lane, i) => {
    const y = MARGIN.top + i * LANE + LANE / 2;
    const laneMarks = lane.marks.map((m) => m.atUs);
    const lanePart: string[] = [
      text({ x: MARGIN.left - 8, y: y + 4, 'text-anchor': 'end', class: 'legend' }, lane.label),
      el('line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y, class: 'axis' }),
    ];
    if (laneMarks.length > 1) {
      const x0 = x(Math.min(...laneMarks));
      lanePart.push(el('rect', { x: x0, y: y - 4, width: x(Math.max(...laneMarks)) - x0, height: 8, fill: '#d0d7de' }));
    }
    lane.marks.forEach((m, k) => {
      const color = colorAt(Math.max(0, spec.groups.indexOf(m.group)));
      lanePart.push(
        el(
          'circle',
          {
            cx: x(m.atUs),
            cy: y,
            r: 4,
            fill: color,
            'data-event': m.label,
            'data-at-us': m.atUs,
            'data-group': m.group,
          },
          [el('title', {}, escapeHtml(`${m.label} at ${m.atUs} µs (${m.group} clock)`))],
        ),
      );
      // Labels alternate above and below the lane so neighbours do not overwrite each other.
      lanePart.push(
        text({ x: x(m.atUs), y: k % 2 === 0 ? y - 8 : y + 16, 'text-anchor': 'middle', class: 'tick' }, m.label),
      );
    });
    parts.push(el('g', { class: 'lane', 'data-lane': lane.label }, lanePart));
  });
  return el(
    'svg',
    {
      class: 'chart timeline',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': spec.title,
    },
    parts,
  );
}
