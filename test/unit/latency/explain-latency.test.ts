/**
 * `explain --latency` on HAND-BUILT latency maps (test/helpers/latency-fixture.ts,
 * not measurements) in a copy of a recorded run: the validated reader and its
 * refusals, the per-layer differences of a pair, the layer table, the JSON
 * envelope, and the real CLI on a run without traces.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CellLatencySchema } from '../../../src/model/schemas/latency.js';
import { readLatencyMaps } from '../../../src/store/latency-reader.js';
import { LATENCY_FILE, TRACE_FAILURE_FILE, cellSlug, traceDir } from '../../../src/store/layout.js';
import { recordTracedPassFailure } from '../../../src/store/trace-failure.js';
import { buildLatencyReport } from '../../../src/latency/explain-latency.js';
import { compareLayers, layerDifference } from '../../../src/latency/compare-layers.js';
import { renderLatencyReport } from '../../../src/report/latency-table.js';
import { exporterFor } from '../../../src/report/export/registry.js';
import { PLAIN } from '../../../src/report/export/exporter.js';
import type { LatencyLayer } from '../../../src/model/latency.js';
import { withTempDir } from '../../helpers/temp.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import {
  CELL_OFF,
  CELL_ON,
  CELL_VHOST,
  TRACE_BASE_RUN,
  fixtureLatency,
  tracedRun,
  writeLatency,
} from '../../helpers/latency-fixture.js';

const BY_IOEVENTFD = { by: 'ioeventfd' };

describe('the latency map reader', () => {
  it('reads every traces/<cell>/latency.json that passes the schema; a run without traces/ has none', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON), fixtureLatency(CELL_OFF, 120)]);
      const listing = await readLatencyMaps(dir);
      assert.deepEqual(listing.diagnostics, []);
      assert.deepEqual(listing.cells.map((c) => c.latency.cellKey).sort(), [CELL_OFF, CELL_ON].sort());
      assert.deepEqual(await readLatencyMaps(TRACE_BASE_RUN), { cells: [], diagnostics: [] });
    });
  });

  it('refuses a damaged map with one line naming the file and the field, and reads the others', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON)]);
      const bad = fixtureLatency(CELL_OFF) as unknown as { layers: { result: { stats: { meanUs: unknown } } }[] };
      bad.layers[0]!.result.stats.meanUs = -3;
      const file = await writeLatency(dir, CELL_OFF, bad);
      const { cells, diagnostics } = await readLatencyMaps(dir);
      assert.deepEqual(
        cells.map((c) => c.latency.cellKey),
        [CELL_ON],
      );
      assert.equal(diagnostics.length, 1);
      const d = diagnostics[0]!;
      assert.ok(d.kind === 'StoredFileSkipped' && d.what === 'latency map' && d.file === file);
      assert.match(d.problem, /^layers\[0\]\.result\.stats\.meanUs: /);
      assert.ok(!d.problem.includes('\n'));
    });
  });

  it('refuses not JSON, a link, a map of another cell, a trace directory without its map', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, []);
      await writeLatency(dir, CELL_ON, '{"cellKey": ');
      await writeLatency(dir, CELL_OFF, fixtureLatency(CELL_ON));
      await mkdir(traceDir(dir, CELL_VHOST), { recursive: true });
      const outside = join(root, 'outside.json');
      await writeFile(outside, JSON.stringify(fixtureLatency(CELL_ON)));
      await mkdir(join(dir, 'traces', 'linked'));
      await symlink(outside, join(dir, 'traces', 'linked', LATENCY_FILE));
      const { cells, diagnostics } = await readLatencyMaps(dir);
      assert.deepEqual(cells, []);
      const problems = Object.fromEntries(
        diagnostics.map((d) => [d.kind === 'StoredFileSkipped' ? d.file.split('/').at(-2) : '', d]),
      );
      assert.equal(diagnostics.length, 4);
      const problem = (slug: string) => {
        const d = problems[slug];
        return d?.kind === 'StoredFileSkipped' ? d.problem : '';
      };
      assert.match(problem('backend-virtio-blk_ioeventfd-on_scheduler-none_iodepth-4'), /JSON/);
      assert.match(
        problem('backend-virtio-blk_ioeventfd-off_scheduler-none_iodepth-4'),
        /^cellKey: names another cell/,
      );
      assert.equal(problem('backend-vhost-user-blk_ioeventfd-na_scheduler-none_iodepth-4'), 'missing');
      assert.match(problem('linked'), /symbolic link/);
    });
  });

  it('says why a map is missing when the run recorded its traced pass failing (failed.json), else just missing', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, []);
      // The reason as run-plan.ts records it: the error's first line (here a real one, from this machine's run under load).
      const reason =
        "guest command timed out after 30000 ms (kill not confirmed: it may still run in the guest): sh -c 'T=/sys/kernel/tracing";
      await recordTracedPassFailure(dir, CELL_ON, `${reason}\nsecond line`);
      const record = JSON.parse(await readFile(join(traceDir(dir, CELL_ON), TRACE_FAILURE_FILE), 'utf8'));
      assert.equal(record.cellKey, CELL_ON);
      assert.equal(record.reason, `${reason} second line`, 'one line');
      // A damaged record is no reason: the map is just missing.
      await mkdir(traceDir(dir, CELL_OFF), { recursive: true });
      await writeFile(join(traceDir(dir, CELL_OFF), TRACE_FAILURE_FILE), '{"schemaVersion": 1, "reason": 7}');
      const { diagnostics } = await readLatencyMaps(dir);
      const problems = diagnostics.map((d) => (d.kind === 'StoredFileSkipped' ? d.problem : ''));
      assert.deepEqual(problems.sort(), [
        'missing',
        `missing: the traced pass failed during the run (traces/${cellSlug(CELL_ON)}/failed.json): ${reason} second line`,
      ]);
      // With its map there, an old failure record is not looked at.
      await writeLatency(dir, CELL_ON, fixtureLatency(CELL_ON));
      const again = await readLatencyMaps(dir);
      assert.deepEqual(
        again.cells.map((c) => c.latency.cellKey),
        [CELL_ON],
      );
    });
  });

  it('the schema refuses an unknown layer id, domain and check kind', () => {
    const m = fixtureLatency(CELL_ON);
    assert.ok(CellLatencySchema.safeParse(m).success);
    for (const damage of [
      { layers: [{ ...m.layers[0]!, id: 'guest.magic' }] },
      { layers: [{ ...m.layers[0]!, domain: 'tsc' }] },
      { checks: [{ kind: 'vibes', ok: true, detail: '' }] },
      { tracedIops: Number.NaN },
    ])
      assert.equal(CellLatencySchema.safeParse({ ...m, ...damage }).success, false, JSON.stringify(damage));
  });
});

describe('per-layer differences of a pair', () => {
  const on = fixtureLatency(CELL_ON);
  const off = fixtureLatency(CELL_OFF, 120);
  const sides = { context: '', a: { label: 'on', cellKey: CELL_ON }, b: { label: 'off', cellKey: CELL_OFF } };

  it('B − A of mean, p50 and p99 where both sides measured the layer per request or batch in one clock', () => {
    const c = compareLayers(on, off, sides);
    const virtqueue = c.rows.find((r) => r.id === 'qemu.virtqueue')!;
    assert.deepEqual(virtqueue.delta, { meanUs: 120, p50Us: 108, p99Us: 300 });
    assert.deepEqual(c.rows.find((r) => r.id === 'qemu.block')!.delta, { meanUs: 0, p50Us: 0, p99Us: 0 });
    assert.equal(c.unexplainedDeltaUs, 0);
  });

  it('none for an n/a layer, a cross-domain layer, another clock or granularity, a layer one side lacks — each said', () => {
    const c = compareLayers(on, fixtureLatency(CELL_VHOST), sides);
    const row = (id: string) => c.rows.find((r) => r.id === id)!;
    assert.equal(row('host.kvm').delta, undefined);
    assert.match(row('host.kvm').why!, /^n\/a on A: TCG/);
    assert.match(row('cross.transport').why!, /difference of means/);
    assert.match(row('qemu.virtqueue').why!, /^n\/a on B: qemu-storage-daemon/);
    assert.equal(row('daemon.block').why, 'not listed on A');
    const layer = on.layers.find((l) => l.id === 'qemu.block')!;
    const other: LatencyLayer = { ...layer, domain: 'daemon' };
    assert.match(layerDifference('qemu.block', layer, other).why!, /qemu clock on A, the daemon clock on B/);
    const perRequest: LatencyLayer = { ...layer, granularity: 'request' };
    assert.equal(layerDifference('qemu.block', layer, perRequest).why, 'per batch on A, per request on B');
  });

  it('pairs traced cells across ioeventfd (baseline: the run order) and across backend', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [
        fixtureLatency(CELL_OFF, 120),
        fixtureLatency(CELL_ON),
        fixtureLatency(CELL_VHOST),
      ]);
      const byIoeventfd = await buildLatencyReport([{ dir, cellOrder: [CELL_ON, CELL_OFF] }], BY_IOEVENTFD);
      assert.deepEqual(
        byIoeventfd.report.cells.map((c) => c.latency.cellKey),
        [CELL_ON, CELL_OFF, CELL_VHOST],
      );
      assert.equal(byIoeventfd.report.pairing, 'ioeventfd (baseline ioeventfd=on)');
      assert.deepEqual(
        byIoeventfd.report.comparisons.map((c) => [c.a.cellKey, c.b.cellKey]),
        [[CELL_ON, CELL_OFF]],
      );
      const byBackend = await buildLatencyReport([{ dir, cellOrder: [CELL_ON, CELL_OFF] }], { by: 'backend' });
      assert.deepEqual(
        byBackend.report.comparisons.map((c) => [c.a.cellKey, c.b.cellKey]),
        [[CELL_ON, CELL_VHOST]],
      );
      const one = await tracedRun(root, [fixtureLatency(CELL_ON)], 'one');
      const single = await buildLatencyReport([{ dir: one }], BY_IOEVENTFD);
      assert.deepEqual(single.report.comparisons, []);
      assert.equal(single.report.pairing, 'no pair across ioeventfd: the traced cells have only ioeventfd=on');
      const runs = await buildLatencyReport([{ dir: one }, { dir }], BY_IOEVENTFD);
      assert.deepEqual(
        runs.report.comparisons.map((c) => [c.a.label, c.b.label]),
        [['one', 'run']],
      );
    });
  });
});

describe('the layer table and the JSON document', () => {
  it('prints each layer with domain, granularity, µs and share, the n/a reasons, remainder, resolution, cost, checks', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON), fixtureLatency(CELL_OFF, 120)]);
      const { report } = await buildLatencyReport([{ dir, cellOrder: [CELL_ON, CELL_OFF] }], BY_IOEVENTFD);
      const text = renderLatencyReport(report);
      const lines = text.split('\n');
      const row = (start: string) => lines.find((l) => l.startsWith(`│ ${start}`)) ?? '';
      assert.match(
        row('guest total (fio lat)'),
        /│ guest\s+│ batch\s+│ 1000 │ 400\.0\s+│ 360\.0\s+│ 1000\.0\s+│ 100 %/,
      );
      assert.match(row('      QEMU virtio'), /│ qemu\s+│ batch\s+│ 1000 │ 250\.0 .*│ 62\.5 %/);
      assert.match(row('      host KVM'), /│ n\/a /);
      assert.match(row('      transport'), /│ cross\s+│ mean diff │ 1000 │ 70\.0\s+│\s+│\s+│ 17\.5 %/);
      assert.ok(
        lines.includes('  n/a host KVM (notify exit → interrupt injected): TCG: no kvm:* tracepoints without KVM'),
      );
      assert.ok(lines.includes('unexplained remainder: 50.0 µs (12.5 % of the guest total; on means)'));
      assert.ok(lines.includes('clock resolution: guest 0.001 µs, qemu 1 µs'));
      assert.ok(lines.includes('traced 800 IOPS vs untraced median 1000 IOPS: tracing cost 20 %'));
      assert.ok(lines.includes('check ok overruns: guest ftrace overruns: 0 on every CPU'));
      assert.ok(lines.includes('side by side: ioeventfd (baseline ioeventfd=on)'));
      assert.match(row('QEMU virtio'), /│ 250\.0\s+│ 370\.0\s+│ \+120\.0\s+│ \+108\.0\s+│ \+300\.0/);
      assert.ok(
        lines.includes(
          '  no difference for transport + notification (guest virtio-pci − QEMU virtio): cross-domain layer (a difference of means): no difference of differences is given',
        ),
      );
    });
  });

  it('a failed check is printed as FAILED with its detail', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const m = fixtureLatency(CELL_ON);
      m.checks[2] = { kind: 'overruns', ok: false, detail: 'cpu1 lost 12 events' };
      const dir = await tracedRun(root, [m]);
      const { report } = await buildLatencyReport([{ dir }], BY_IOEVENTFD);
      assert.ok(renderLatencyReport(report).split('\n').includes('check FAILED overruns: cpu1 lost 12 events'));
    });
  });

  it('json: the vblk-bench/latency envelope, then runs, cells (the maps as stored), pairing, comparisons', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON), fixtureLatency(CELL_OFF, 120)]);
      const { report } = await buildLatencyReport([{ dir }], BY_IOEVENTFD);
      const doc = JSON.parse(exporterFor('latency', 'json').render(report, PLAIN)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc), ['schema', 'version', 'runs', 'cells', 'pairing', 'comparisons']);
      assert.equal(doc.schema, 'vblk-bench/latency');
      assert.equal(doc.version, 1);
      const cells = doc.cells as { latency: unknown; tracingCost: number }[];
      assert.deepEqual(cells[0]!.latency, fixtureLatency(CELL_OFF, 120));
      assert.equal(Math.round(cells[0]!.tracingCost * 100), -20);
    });
  });
});

describe('the HTML of the latency maps', () => {
  it('a layer table per cell and a timeline per stored request, one lane per thread of its events, in lane order', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const vhost = fixtureLatency(CELL_VHOST);
      vhost.timelines[1]!.events.push({ atUs: 5, domain: 'qemu', thread: 'vcpu0', event: 'kick' });
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON), vhost]);
      const { report } = await buildLatencyReport([{ dir }], BY_IOEVENTFD);
      const html = exporterFor('latency', 'html').render(report, PLAIN);
      assert.match(html, /^<!DOCTYPE html>/);
      assert.equal(html.match(/<svg class="chart timeline"/g)?.length, 4);
      const lanes = [...html.matchAll(/<g class="lane" data-lane="([^"]+)"/g)].map((m) => m[1]);
      // Without a cell order the maps come in directory-name order: vhost-user-blk first.
      assert.deepEqual(lanes, [
        ...['guest-cpu0', 'guest-cpu1', 'storage-daemon'],
        ...['guest-cpu0', 'guest-cpu1', 'vcpu0', 'storage-daemon'],
        ...['guest-cpu0', 'guest-cpu1', 'main-loop', 'aio-worker'],
        ...['guest-cpu0', 'guest-cpu1', 'main-loop', 'aio-worker'],
      ]);
      assert.ok(html.includes('data-event="kick" data-at-us="5" data-group="qemu"'));
      assert.ok(html.includes('request nearest the p99: 1000.0 µs'));
      assert.ok(html.includes('<td class="muted">qemu-storage-daemon has no virtqueue trace events</td>'));
      assert.ok(!html.includes('<script'));
    });
  });
});

describe('explain --latency through the real CLI', () => {
  it('a run without traces says so (NoLatencyTraces), exit 3', async () => {
    const r = await runCli(['explain', '--latency', TRACE_BASE_RUN]);
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^warning: .*: no traced cell \(no traces\/<cell>\/latency\.json\)/m);
    assert.match(r.stderr, /^hint: add `trace: latency` to the profile/m);
  });

  it('a damaged map: the others are shown, one warning line names the file and field, exit 3, no stack trace', async () => {
    await withTempDir('vblk-latency', async (root) => {
      const dir = await tracedRun(root, [fixtureLatency(CELL_ON)]);
      const file = await writeLatency(dir, CELL_OFF, { ...fixtureLatency(CELL_OFF), timelines: 'soon' });
      const r = await runCli(['explain', '--latency', dir]);
      assert.equal(r.exitCode, 3);
      assert.ok(!hasStackTrace(r.stderr));
      assert.match(r.stdout, /^backend=virtio-blk ioeventfd=on /);
      assert.ok(
        r.stderr
          .split('\n')
          .includes(`warning: ${file}: latency map skipped: timelines: expected array, received string`),
      );
      await rm(file);
    });
  });

  it('--format html is a format of --latency only, refused before anything is read', async () => {
    const r = await runCli(['explain', '/nonexistent/run', '--format', 'html']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /^error: --format: expected one of table, json, got html$/m);
    const l = await runCli(['explain', '--latency', '/nonexistent/run', '--format', 'pdf']);
    assert.equal(l.exitCode, 2);
    assert.match(
      l.stderr,
      /^error: --format: expected one of table, json \(with --latency: table, json, html\), got pdf$/m,
    );
  });
});
