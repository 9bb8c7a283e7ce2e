import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceStep, niceTicks, linearScale, log2Scale } from '../../../src/report/svg/scale.js';
import { renderLineChart } from '../../../src/report/svg/line-chart.js';

describe('scales', () => {
  it('nice steps are 1, 2 or 5 × 10^k', () => {
    assert.equal(niceStep(10, 5), 2);
    assert.equal(niceStep(9000, 5), 2000);
    assert.equal(niceStep(0.7, 5), 0.2);
    assert.deepEqual(niceTicks(0, 9182), [0, 2000, 4000, 6000, 8000, 10000]);
    assert.deepEqual(niceTicks(5, 5), [5, 6, 7, 8, 9, 10], 'a flat range still gets an axis');
  });
  it('linear: domain ends at the outer ticks; y axes run downwards', () => {
    const y = linearScale(0, 9182, 300, 20);
    assert.equal(y(0), 300);
    assert.equal(y(10000), 20);
  });
  it('log2: depths 1, 2, 4, 8 evenly spaced, ticks at the data', () => {
    const x = log2Scale([1, 4, 2, 8], 0, 300);
    assert.deepEqual(x.ticks, [1, 2, 4, 8]);
    assert.equal(x(1), 0);
    assert.equal(x(2), 100);
    assert.equal(x(8), 300);
  });
});

describe('line chart', () => {
  const svg = renderLineChart({
    title: 'iops <vs> iodepth',
    xLabel: 'iodepth',
    yLabel: 'iops',
    xScale: 'log2',
    lines: [
      {
        label: 'a & b',
        points: [
          { x: 1, y: 100, low: 90, high: 110 },
          { x: 4, y: 200, low: 180, high: 230 },
        ],
      },
      {
        label: 'c',
        points: [
          { x: 1, y: 150 },
          { x: 4, y: 120 },
        ],
      },
    ],
    markers: [{ x: 4, label: 'change' }],
  });
  it('a point per value with its data, a line per series, a band only where there are intervals', () => {
    assert.equal((svg.match(/class="point"/g) ?? []).length, 4);
    assert.equal((svg.match(/class="line"/g) ?? []).length, 2);
    assert.equal((svg.match(/class="band"/g) ?? []).length, 1);
    assert.match(svg, /data-x="4" data-y="200" data-low="180" data-high="230"/);
    assert.match(svg, /data-marker="change"/);
  });
  it('escapes labels and stays well-formed', () => {
    assert.ok(svg.includes('iops &lt;vs&gt; iodepth'));
    assert.ok(svg.includes('data-series="a &amp; b"'));
    const open = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const close = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    assert.equal(open, close);
  });
  it("time axis: the domain is exactly the data's (no empty days at the ends)", () => {
    const day = 86_400_000;
    const t = renderLineChart({
      title: 't',
      xLabel: 'd',
      yLabel: 'y',
      xScale: 'time',
      lines: [
        {
          label: 'l',
          points: [
            { x: 1e12, y: 1 },
            { x: 1e12 + 9 * day, y: 2 },
          ],
        },
      ],
    });
    assert.deepEqual(
      [...t.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1])),
      [76, 612],
    );
  });
  it('no data: says so instead of drawing nothing', () => {
    assert.match(
      renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', lines: [{ label: 'l', points: [] }] }),
      /no measured values/,
    );
  });
});
