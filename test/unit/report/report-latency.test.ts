/**
 * The latency section of `report` on maps computed from REAL captured trace
 * text (test/fixtures/latency/, cut to 20 requests; its README says how they
 * were made), written into a copy of a recorded run: the HTML report shows
 * the layer tables, the pairs and the timelines `explain --latency` draws; a
 * run without traces has no section; a damaged map is one line of the
 * section, one warning, exit 3, and the rest of the report.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { latencyOfTraceDir } from '../../../src/latency/analyze-trace-dir.js';
import { loadRun, type StoredRun } from '../../../src/store/run-reader.js';
import { buildReportModel } from '../../../src/report/model.js';
import { withLatency } from '../../../src/report/report-latency.js';
import { exporterFor } from '../../../src/report/export/registry.js';
import { PLAIN } from '../../../src/report/export/exporter.js';
import type { CellLatency } from '../../../src/model/latency.js';
import type { CellValues } from '../../../src/model/sample.js';
import { hasStackTrace, REPO_ROOT, runCli } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp.js';
import { TRACE_BASE_RUN, tracedRun, writeLatency } from '../../helpers/latency-fixture.js';

const CAPTURED = join(REPO_ROOT, 'test', 'fixtures', 'latency');
const CELLS = ['virtio-blk-ioeventfd-on', 'virtio-blk-ioeventfd-off', 'vhost-user-blk'];
const SECTION = 'Where the time goes: per-layer latency (traced pass)';

const captured = (): Promise<CellLatency[]> => Promise.all(CELLS.map((c) => latencyOfTraceDir(join(CAPTURED, c))));

/**
 * The recorded run at `dir`, its samples standing for the captured cells in
 * the captured profile's order (ioeventfd on, off, vhost-user-blk): the order
 * a traced run's samples give its maps (the default baselines).
 */
const cellValuesOf = (m: CellLatency): CellValues =>
  Object.fromEntries(Object.entries(m.config).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]));

async function runOf(dir: string, maps: readonly CellLatency[]): Promise<StoredRun> {
  const run = await loadRun(dir);
  if (maps.length === 0) return run;
  const samples = maps.map((m, i) => ({ ...run.samples[i]!, cellKey: m.cellKey, cell: cellValuesOf(m) }));
  return { ...run, samples };
}

async function htmlOf(dir: string, maps: readonly CellLatency[] = []): Promise<{ html: string; problems: number }> {
  const run = await runOf(dir, maps);
  const { model, diagnostics } = await withLatency(buildReportModel([run]), [run]);
  return { html: exporterFor('report', 'html').render(model, PLAIN), problems: diagnostics.length };
}

describe('report --format html: the latency section of a traced run', () => {
  it('shows each traced cell’s layer table, the ioeventfd and backend pairs, the checks and the timelines', async () => {
    const maps = await captured();
    await withTempDir('vblk-report-latency', async (root) => {
      const { html, problems } = await htmlOf(await tracedRun(root, maps), maps);
      assert.equal(problems, 0);
      const section = html.slice(html.indexOf(`<h2>${SECTION}</h2>`));
      assert.ok(section.length < html.length, 'the section is there');
      const body = section.slice(0, section.indexOf('</section>'));
      for (const m of maps) assert.ok(body.includes(m.layers[0]!.label), `the guest-total row of ${m.cellKey}`);
      assert.match(
        body,
        /<tr><td>guest total \(fio lat = slat \+ clat\)<\/td><td>guest<\/td><td>request<\/td><td class="num">\d+<\/td>/,
      );
      assert.match(body, /<h3>backend=virtio-blk ioeventfd=on scheduler=none iodepth=1 — run<\/h3>/);
      assert.match(body, /<h3>ioeventfd=off vs ioeventfd=on/);
      assert.match(body, /<h3>backend=vhost-user-blk [^<]*vs backend=virtio-blk/);
      assert.match(body, /<li>Check (ok|FAILED) nesting: /);
      const timelines = body.match(/<svg[^>]*>[\s\S]*?<\/svg>/g) ?? [];
      assert.equal(
        timelines.length,
        maps.reduce((n, m) => n + m.timelines.length, 0),
      );
      assert.ok(timelines.every((svg) => svg.includes('class="lane"')));
      // The rest of the report is still there, after it.
      assert.match(html, /<h2>Runs<\/h2>/);
    });
  });

  it('a run without traces has no latency section (HTML), and no latency field (JSON)', async () => {
    const { html, problems } = await htmlOf(TRACE_BASE_RUN);
    assert.equal(problems, 0);
    assert.ok(!html.includes(SECTION));
    assert.match(html, /<h2>Findings<\/h2>/);
    const run = await loadRun(TRACE_BASE_RUN);
    const { model } = await withLatency(buildReportModel([run]), [run]);
    assert.equal('latency' in JSON.parse(exporterFor('report', 'json').render(model, PLAIN)), false);
  });

  it('json: the report document carries the same latency maps and comparisons', async () => {
    const maps = await captured();
    await withTempDir('vblk-report-latency', async (root) => {
      const run = await runOf(await tracedRun(root, maps), maps);
      const { model } = await withLatency(buildReportModel([run]), [run]);
      const doc = JSON.parse(exporterFor('report', 'json').render(model, PLAIN));
      assert.equal(doc.schema, 'vblk-bench/report');
      assert.deepEqual(
        doc.latency.cells.map((c: { latency: CellLatency }) => c.latency.cellKey),
        maps.map((m) => m.cellKey),
      );
      assert.equal(doc.latency.comparisons.length, 2);
      assert.deepEqual(doc.latency.problems, []);
    });
  });

  it('a damaged map is one line of the section naming the file; the other cells and the report still render', async () => {
    const maps = await captured();
    await withTempDir('vblk-report-latency', async (root) => {
      const dir = await tracedRun(root, maps.slice(0, 1));
      const file = await writeLatency(dir, maps[1]!.cellKey, '{"cellKey": 5');
      const { html, problems } = await htmlOf(dir);
      assert.equal(problems, 1);
      const body = html.slice(html.indexOf(`<h2>${SECTION}</h2>`));
      assert.ok(body.includes(`<p class="muted">${file}: latency map skipped: `));
      assert.ok(body.includes(maps[0]!.layers[0]!.label));
      assert.match(html, /<h2>Runs<\/h2>/);
    });
  });

  it('the CLI: a damaged map and a traces/ that is a link are one warning each naming the path, exit 3, no stack trace', async () => {
    const maps = await captured();
    await withTempDir('vblk-report-latency', async (root) => {
      const dir = await tracedRun(root, maps.slice(0, 1));
      await writeLatency(dir, maps[1]!.cellKey, '[]');
      const r = await runCli(['report', dir, '--format', 'html']);
      assert.equal(r.exitCode, 3, r.stderr);
      assert.ok(!hasStackTrace(r.stderr));
      assert.match(r.stderr, /^warning: .*\/traces\/[^/]+\/latency\.json: latency map skipped: .*$/m);
      assert.ok(r.stdout.includes(SECTION));

      const other = await tracedRun(root, [], 'other');
      await symlink(join(dir, 'traces'), join(other, 'traces'));
      const l = await runCli(['report', other, '--format', 'html']);
      assert.equal(l.exitCode, 3, l.stderr);
      assert.match(l.stderr, /^warning: .*\/other\/traces: latency map skipped: a symbolic link/m);
      assert.match(l.stdout, /<h2>Runs<\/h2>/);
    });
  });
});
