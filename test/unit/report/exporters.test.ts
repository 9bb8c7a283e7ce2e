/** Every exporter on the real run recorded under TCG (test/fixtures/runs). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadFixtureRun, FIXTURE_RUN_NAME } from '../../helpers/fixture-run.js';
import type { StoredRun } from '../../../src/store/run-reader.js';
import { buildReportModel, type ReportModel } from '../../../src/report/model.js';
import { PLAIN } from '../../../src/report/export/exporter.js';
import { exporterFor } from '../../../src/report/export/registry.js';
import { renderCellCsv, renderSampleCsv } from '../../../src/report/export/report-csv.js';
import { renderMarkdown } from '../../../src/report/export/report-markdown.js';
import { renderHtml } from '../../../src/report/export/report-html.js';
import { cellGrid } from '../../../src/report/rows.js';

let run: StoredRun;
let model: ReportModel;
before(async () => {
  run = await loadFixtureRun();
  model = buildReportModel([run]);
});

/** Splits RFC 4180 CSV text into records of fields (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(field), rows.push(row), (row = []), (field = ''), i++);
    else field += c;
  }
  return rows;
}

describe('report model on the recorded run', () => {
  it('one cell per matrix cell with the median CI (n = 6 reaches 95 %)', () => {
    assert.equal(model.cells.length, 4);
    for (const c of model.cells) {
      assert.equal(c.stats?.n, 6, c.cellKey);
      assert.ok(c.stats!.ci && c.stats!.ci.low <= c.stats!.median && c.stats!.median <= c.stats!.ci.high);
    }
    assert.deepEqual(model.labelAxes, ['ioeventfd']);
    assert.equal(model.unit, 'IO/s');
  });

  it('chart series: one per configuration, points in iodepth order with their bands', () => {
    assert.deepEqual(
      model.series.map((s) => s.label),
      ['ioeventfd=on', 'ioeventfd=off'],
    );
    for (const s of model.series) {
      assert.deepEqual(
        s.points.map((p) => p.x),
        [1, 4],
      );
      for (const p of s.points) assert.ok(p.low !== null && p.high !== null && p.low <= p.y && p.y <= p.high);
    }
  });

  it('within one run: ioeventfd off compared against on, per iodepth, with ~ markers', () => {
    assert.equal(model.comparisons.length, 1);
    const table = model.comparisons[0]!;
    assert.equal(table.baseline, 'ioeventfd=on');
    assert.equal(table.rows.length, 2);
    for (const r of table.rows) {
      assert.equal(r.status, 'ok');
      if (r.status === 'ok') assert.equal(r.marker, r.p < 0.05 ? '' : '~');
    }
  });

  it('two runs: the second is compared against the first, cell by cell', () => {
    const two = buildReportModel([run, { ...run, dir: `${run.dir}-copy` }]);
    assert.equal(two.comparisons.length, 1);
    assert.equal(two.comparisons[0]!.rows.length, 4);
    for (const r of two.comparisons[0]!.rows) if (r.status === 'ok') assert.equal(r.deltaPct, 0);
    assert.equal(cellGrid(two).rows.length, 4, 'a grid row per run × configuration');
  });

  it('the TCG warnings of the run are carried', () => {
    assert.ok(
      model.warnings.some((w) => w.kind === 'RecordedText' && /emulator/.test(w.text)),
      'a text warning of an older run reads as RecordedText',
    );
  });
});

describe('JSON exporter', () => {
  it('parses back, in its envelope, with cells, comparisons and the matrix; no NaN, no samples', () => {
    const text = exporterFor('report', 'json').render(model, PLAIN);
    assert.ok(!/NaN/.test(text));
    const doc = JSON.parse(text);
    assert.deepEqual(Object.keys(doc).slice(0, 2), ['schema', 'version']);
    assert.equal(doc.schema, 'vblk-bench/report');
    assert.equal(doc.version, 3);
    assert.equal(doc.runs[0].label, FIXTURE_RUN_NAME);
    assert.equal(doc.runs[0].samples, undefined, 'the samples stay in the results directory');
    assert.equal(doc.cells.length, 4);
    assert.equal(doc.matrices[0].rows.length, 2);
    assert.equal(doc.comparisons[0].rows.length, 2);
  });
});

describe('CSV exporter', () => {
  it('one row per sample, every metric a column, RFC 4180', () => {
    const rows = parseCsv(renderSampleCsv(model));
    assert.equal(rows.length, 25);
    const head = rows[0]!;
    assert.deepEqual(head.slice(0, 6), ['run', 'cell_key', 'backend', 'ioeventfd', 'scheduler', 'iodepth']);
    for (const m of ['iops', 'bw_bytes_per_s', 'clat_p99_ns']) assert.ok(head.includes(m), m);
    const iops = head.indexOf('iops');
    for (const r of rows.slice(1)) {
      assert.equal(r.length, head.length);
      assert.ok(Number(r[iops]) > 0);
    }
    // The cell key contains commas: it must come back whole.
    assert.equal(rows[1]![1], run.samples[0]!.cellKey);
  });

  it('one row per cell with median and CI', () => {
    const rows = parseCsv(renderCellCsv(model));
    assert.equal(rows.length, 5);
    const head = rows[0]!;
    const at = (r: string[], k: string) => Number(r[head.indexOf(k)]);
    for (const r of rows.slice(1)) {
      assert.equal(at(r, 'n'), 6);
      assert.ok(at(r, 'ci_low') <= at(r, 'median') && at(r, 'median') <= at(r, 'ci_high'));
    }
  });

  it('quotes fields with commas, quotes and line breaks', () => {
    const nasty = { ...run, samples: [{ ...run.samples[0]!, status: 'failed' as const, reason: 'a "b", c\nd' }] };
    const rows = parseCsv(renderSampleCsv(buildReportModel([nasty])));
    assert.equal(rows[1]![rows[0]!.indexOf('reason')], 'a "b", c\nd');
  });
});

describe('Markdown exporter', () => {
  const md = () => renderMarkdown(model);
  it('warnings, the median grid with CIs, the comparison with markers and its legend', () => {
    const text = md();
    assert.match(text, /^## vblk-bench: quick/m);
    assert.match(text, /> \*\*warning:\*\* .*emulator/);
    assert.match(text, /\| configuration \| iodepth=1 \| iodepth=4 \|/);
    assert.match(text, /\| ioeventfd=on \| \d[\d.K]* \[[\d.K]+, [\d.K]+\] n=6 \|/);
    assert.match(text, /### iops: A = ioeventfd=on, B = ioeventfd=off/);
    assert.match(text, /\| iodepth=4 \| .* \| ~ \| /);
    assert.match(text, /~ = not significant \(two-sided Mann-Whitney U, p ≥ α = 0\.05/);
  });
  it("every table row has the header's column count", () => {
    const lines = md().split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\| ---/.test(lines[i]!)) continue;
      const cols = (lines[i - 1]!.match(/(?<!\\)\|/g) ?? []).length;
      for (let j = i + 1; j < lines.length && lines[j]!.startsWith('|'); j++)
        assert.equal((lines[j]!.match(/(?<!\\)\|/g) ?? []).length, cols, lines[j]);
    }
  });
});

describe('HTML exporter', () => {
  it('one self-contained file: inline SVG charts, no script, no external resource', () => {
    const html = renderHtml(model, { generatedAt: '2026-11-26T06:00:00Z', toolVersion: '0.1.0' });
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(!/<script/i.test(html));
    assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no network resources');
    assert.ok(!/@import|url\(/i.test(html));
    assert.equal((html.match(/<svg /g) ?? []).length, 1);
    assert.equal((html.match(/class="point"/g) ?? []).length, 4);
    assert.equal((html.match(/class="band"/g) ?? []).length, 2);
    assert.match(html, /Measured under TCG/);
    assert.match(html, /ioeventfd: off vs on/);
    assert.match(html, /guest\.imageHash/);
  });
  it('escapes text from the results', () => {
    const evil = { ...run, manifest: { ...run.manifest, warnings: ['<img src=x onerror=alert(1)>'] } };
    const html = renderHtml(buildReportModel([evil]));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });
});

describe('insight breakdown (a recorded run whose samples carry insight)', () => {
  it('HTML and Markdown show each pair: summary, host CPU per I/O by role, exits', async () => {
    const { loadRun } = await import('../../../src/store/run-reader.js');
    const { REPO_ROOT } = await import('../../helpers/cli.js');
    const withInsight = await loadRun(`${REPO_ROOT}/test/fixtures/runs/gate/small`);
    const m = buildReportModel([withInsight]);
    assert.equal(m.breakdowns.length, 1);
    const pair = m.breakdowns[0]!.axes[0]!.pairs[0]!;
    const html = renderHtml(m);
    assert.match(html, /<h2>Why: insight breakdown/);
    assert.ok(
      html.includes(
        pair.summary
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;'),
      ),
    );
    assert.match(html, /main-loop CPU/);
    assert.match(renderMarkdown(m), /### Why \(insight breakdown\)\n\n- /);
    assert.equal(model.breakdowns.length, 0, 'the older fixture has no insight: no section');
    assert.ok(!renderHtml(model).includes('insight breakdown'));
  });
});
