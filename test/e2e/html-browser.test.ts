/**
 * The HTML reports in a real headless browser (Debian's chromium, driven by
 * playwright-core; nothing is downloaded): the page loads without console
 * errors or failed requests, the charts are there with their data (the
 * latency timelines of a traced run's report too), and the screenshot is not blank.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadFixtureRun } from '../helpers/fixture-run.js';
import { decodePng, pixelVariety } from '../helpers/png.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/export/report-html.js';
import { buildHistory } from '../../src/history/history.js';
import { renderHistoryHtml } from '../../src/report/export/history-html.js';
import { latencyOfTraceDir } from '../../src/latency/analyze-trace-dir.js';
import { loadRun } from '../../src/store/run-reader.js';
import { withLatency } from '../../src/report/report-latency.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tracedRun } from '../helpers/latency-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
/** Traced passes captured under TCG (test/fixtures/latency/README.md). */
const CAPTURED = join(REPO_ROOT, 'test', 'fixtures', 'latency');
let context: BrowserContext;
let dir: string;

before(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (./scripts/setup-host.sh does)`);
  });
  dir = await mkdtemp(join(tmpdir(), 'vblk-html-'));
  context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'vblk-chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await context?.close();
});

async function open(html: string, name: string) {
  const file = join(dir, `${name}.html`);
  await writeFile(file, html);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on(
    'console',
    (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`),
  );
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`network request: ${r.url()}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  const response = await page.goto(`file://${file}`, { waitUntil: 'load' });
  assert.ok(response === null || response.ok());
  const png = await page.screenshot({ fullPage: true, path: join(dir, `${name}.png`) });
  return { page, problems, png };
}

describe('HTML reports in headless chromium', () => {
  it('run report: no console errors, charts with data and bands, a non-blank screenshot', async () => {
    const run = await loadFixtureRun();
    const { page, problems, png } = await open(
      renderHtml(buildReportModel([run]), { generatedAt: new Date().toISOString() }),
      'report',
    );
    assert.deepEqual(problems, []);
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('svg.chart')].map((svg) => ({
        width: svg.getBoundingClientRect().width,
        points: [...svg.querySelectorAll('circle.point')].map((c) => Number(c.getAttribute('data-y'))),
        bands: svg.querySelectorAll('path.band').length,
        lines: svg.querySelectorAll('path.line').length,
      })),
    );
    assert.equal(charts.length, 1);
    assert.ok(charts[0]!.width > 300);
    assert.equal(charts[0]!.points.length, 4);
    for (const y of charts[0]!.points) assert.ok(y > 0);
    assert.equal(charts[0]!.bands, 2);
    assert.equal(charts[0]!.lines, 2);
    const headings = await page.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent));
    for (const h of ['Findings', 'Comparisons', 'Environment']) assert.ok(headings.includes(h), `${h} in ${headings}`);
    assert.ok(await page.isVisible('.banner'), 'TCG banner visible');
    const pixels = decodePng(png);
    const variety = pixelVariety(pixels);
    assert.ok(pixels.width === 1280 && pixels.height > 900);
    assert.ok(variety.colors > 50, `${variety.colors} colours`);
    assert.ok(variety.nonWhiteShare > 0.02, `non-white share ${variety.nonWhiteShare}`);
  });

  it('run report with a traced pass: the latency section, its tables and a timeline per request, drawn', async () => {
    const maps = await Promise.all(
      ['virtio-blk-ioeventfd-on', 'virtio-blk-ioeventfd-off'].map((c) => latencyOfTraceDir(join(CAPTURED, c))),
    );
    const traced = await tracedRun(dir, maps);
    const run = await loadRun(traced);
    const { model } = await withLatency(buildReportModel([run]), [run]);
    const { page, problems } = await open(renderHtml(model), 'report-latency');
    assert.deepEqual(problems, []);
    const headings = await page.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent));
    assert.ok(headings.includes('Where the time goes: per-layer latency (traced pass)'), `${headings}`);
    const timelines = await page.evaluate(() =>
      [...document.querySelectorAll('svg')]
        .filter((svg) => svg.querySelector('g.lane'))
        .map((svg) => ({ width: svg.getBoundingClientRect().width, lanes: svg.querySelectorAll('g.lane').length })),
    );
    assert.equal(
      timelines.length,
      maps.reduce((n, m) => n + m.timelines.length, 0),
    );
    for (const t of timelines) assert.ok(t.width > 200 && t.lanes >= 2, JSON.stringify(t));
  });

  it('history report: one trend chart per cell', async () => {
    const run = await loadFixtureRun();
    const runs = Array.from({ length: 8 }, (_, n) => ({
      ...run,
      dir: `/r/nightly-${n}`,
      manifest: { ...run.manifest, startedAt: new Date(Date.UTC(2026, 9, 1 + n)).toISOString() },
    }));
    const { page, problems, png } = await open(
      renderHistoryHtml(buildHistory(runs, { profile: 'quick', metric: 'iops' })),
      'history',
    );
    assert.deepEqual(problems, []);
    assert.equal(await page.locator('svg.chart').count(), 4);
    assert.equal(await page.locator('svg.chart circle.point').count(), 32);
    assert.ok(pixelVariety(decodePng(png)).colors > 50);
  });
});
