/**
 * `explain --latency` on maps computed from REAL captured trace text
 * (test/fixtures/latency/: traced passes under TCG, cut to 20 requests; its
 * README says how they were made) by the trace analysis
 * (src/latency/analyze-trace-dir.ts): what the traced pass writes passes the
 * reader's schema, the ioeventfd and backend pairs form, and the table and
 * HTML are drawn from it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { latencyOfTraceDir } from '../../../src/latency/analyze-trace-dir.js';
import { buildLatencyReport } from '../../../src/latency/explain-latency.js';
import { readLatencyMaps } from '../../../src/store/latency-reader.js';
import { exporterFor } from '../../../src/report/export/registry.js';
import { PLAIN } from '../../../src/report/export/exporter.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp.js';
import { tracedRun } from '../../helpers/latency-fixture.js';

const CAPTURED = join(REPO_ROOT, 'test', 'fixtures', 'latency');
const CELLS = ['virtio-blk-ioeventfd-on', 'virtio-blk-ioeventfd-off', 'vhost-user-blk'];

describe('explain --latency on maps from captured traces', () => {
  it('the maps read back without a diagnostic; pairs across ioeventfd and backend; table and timelines drawn', async () => {
    const maps = await Promise.all(CELLS.map((c) => latencyOfTraceDir(join(CAPTURED, c))));
    await withTempDir('vblk-latency-real', async (root) => {
      const dir = await tracedRun(root, maps);
      const listing = await readLatencyMaps(dir);
      assert.deepEqual(listing.diagnostics, []);
      assert.equal(listing.cells.length, 3);
      const order = maps.map((m) => m.cellKey);
      const { report } = await buildLatencyReport([{ dir, cellOrder: order }], { by: 'ioeventfd' });
      assert.deepEqual(
        report.comparisons.map((c) => [c.a.label, c.b.label]),
        [['ioeventfd=on', 'ioeventfd=off']],
      );
      const qemuBlock = report.comparisons[0]!.rows.find((r) => r.id === 'qemu.block')!;
      assert.ok(qemuBlock.delta || qemuBlock.why, 'a difference or why there is none');
      const byBackend = await buildLatencyReport([{ dir, cellOrder: order }], { by: 'backend' });
      assert.equal(byBackend.report.comparisons.length, 1);
      const table = exporterFor('latency', 'table').render(report, PLAIN);
      assert.match(table, /^backend=virtio-blk ioeventfd=on scheduler=none iodepth=1 {2}\[run\]$/m);
      assert.match(table, /^clock resolution: .*qemu 1 µs/m);
      assert.match(table, /^check (ok|FAILED) request-counts: /m);
      const html = exporterFor('latency', 'html').render(report, PLAIN);
      const lanes = new Set([...html.matchAll(/<g class="lane" data-lane="([^"]+)"/g)].map((m) => m[1]));
      const threads = new Set(maps.flatMap((m) => m.timelines.flatMap((t) => t.events.map((e) => e.thread))));
      assert.deepEqual([...lanes].sort(), [...threads].sort());
      assert.ok(threads.size >= 3);
    });
  });
});
