/**
 * End to end under TCG through the real CLI: `trace: latency` on virtio-blk
 * (ioeventfd on and off) and vhost-user-blk, run as two shards (four boots
 * in all: vhost-user-blk's traced pass has a boot of its own, with its
 * storage daemon traced into a host ftrace instance). Every required layer
 * comes out of the traced pass — daemon.block included —, nesting holds,
 * QEMU logged nothing before the traced run, the measured daemon ran without
 * --trace, no ftrace instance is left, and traced records never reach a
 * sample: the shards merge (no overlap), and report (but for its latency
 * section), compare and gate give the same output with traces/ removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, cp, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { fastProfile, removeTemp, tempDir, writeProfile } from '../helpers/faults.js';
import { loadRun } from '../../src/store/run-reader.js';
import { LATENCY_FILE, TRACES_DIR, traceDir } from '../../src/store/layout.js';
import type { CellLatency, LayerId } from '../../src/model/latency.js';
import type { TraceCaptureMeta } from '../../src/model/trace-capture.js';

const VIRTIO_BLK_LAYERS: LayerId[] = [
  'guest.total',
  'guest.block-device',
  'guest.virtio-pci',
  'qemu.virtqueue',
  'qemu.block',
  'qemu.notify',
  'cross.transport',
];
const VHOST_USER_LAYERS: LayerId[] = ['guest.total', 'guest.block-device', 'guest.virtio-pci', 'daemon.block'];

/** vhost-user-blk: the measured boot's daemon had no --trace; the traced boot's had one; its ftrace instance is gone. */
async function checkDaemonTracing(runDir: string, meta: TraceCaptureMeta): Promise<void> {
  assert.equal(meta.separateBoot, true);
  const tracedBoot = meta.tracedBootId!;
  assert.match(tracedBoot, /-trace$/);
  const argvOf = async (bootId: string) =>
    JSON.parse(await readFile(join(runDir, 'boots', bootId, 'storage-daemon.argv.json'), 'utf8')) as string[];
  const traced = await argvOf(tracedBoot);
  assert.equal(traced.filter((a) => a === '--trace').length, 1, traced.join(' '));
  assert.ok(!(await argvOf(tracedBoot.replace(/-trace$/, ''))).includes('--trace'), 'the measured daemon is untraced');
  assert.equal(meta.daemon?.clock, 'mono');
  assert.deepEqual(
    meta.daemon?.overruns?.filter((n) => n > 0),
    [],
  );
  const gone = await access(join('/sys/kernel/tracing/instances', meta.daemon!.instance!)).then(
    () => false,
    () => true,
  );
  assert.ok(gone, `host ftrace instance ${meta.daemon!.instance} removed`);
}

async function checkTrace(runDir: string, cellKey: string, backend: string): Promise<void> {
  const dir = traceDir(runDir, cellKey);
  const l = JSON.parse(await readFile(join(dir, LATENCY_FILE), 'utf8')) as CellLatency;
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as TraceCaptureMeta;
  assert.equal(l.cellKey, cellKey);
  assert.ok(l.tracedIops > 0 && l.untracedMedianIops! > 0, `${cellKey}: IOPS traced and untraced`);
  for (const id of backend === 'vhost-user-blk' ? VHOST_USER_LAYERS : VIRTIO_BLK_LAYERS) {
    const layer = l.layers.find((x) => x.id === id)!;
    assert.ok(layer.result.available, `${cellKey} ${id}: ${JSON.stringify(layer.result)}`);
  }
  for (const c of l.checks) assert.ok(c.ok, `${cellKey} ${c.kind}: ${c.detail}`);
  assert.ok(l.checks.some((c) => c.kind === 'nesting'));
  assert.deepEqual(
    l.timelines.map((t) => t.which),
    ['median', 'p99'],
  );
  assert.equal(meta.guestClock, 'mono');
  if (backend === 'virtio-blk') assert.equal(meta.qemuLogBytesBefore, 0, 'no QEMU event fired before the traced run');
  if (backend === 'vhost-user-blk') {
    await checkDaemonTracing(runDir, meta);
    assert.ok(l.checks.some((c) => c.kind === 'nesting' && c.ok && c.detail.startsWith('daemon.block')));
  } else assert.equal(l.layers.find((x) => x.id === 'daemon.block')!.result.available, false);
}

/** A CLI command's stdout with the results directories' paths replaced, so two copies compare equal. */
async function outputOf(args: string[], dirs: string[]): Promise<string> {
  const r = await runCli(args);
  assert.ok(r.exitCode === 0 || r.exitCode === 3, `${args.join(' ')}: exit ${r.exitCode}\n${r.stderr}`);
  return dirs.reduce((text, d, i) => text.split(d).join(`<dir${i}>`), r.stdout);
}

test('trace: latency — every required layer per backend, nesting holds; traced records never reach a sample', async () => {
  // Short names: the vhost-user socket path in the boot directory must stay under 108 bytes.
  const dir = await tempDir('lt');
  const out = join(dir, 'r');
  const profile = await writeProfile(
    dir,
    't',
    fastProfile('t', {
      // aio threads: the daemon's block layer has a completion event (thread_pool_complete; none for native).
      extra: 'trace: latency\ndisk: {aio: threads}',
      matrix: 'ioeventfd: [on, off]\n  backend: [virtio-blk, vhost-user-blk]\n  iodepth: [1]',
    }),
  );
  const shards: string[] = [];
  for (const shard of ['1/2', '2/2']) {
    const r = await runCli(['run', profile, '--shard', shard, '--out', out], { timeoutMs: 240_000 });
    assert.equal(r.exitCode, 0, `shard ${shard}: exit ${r.exitCode}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.match(r.stderr, /trace backend=\S+: [\d.]+K? IOPS \(traced, not a sample\)/);
    shards.push(/results: (\S+)/.exec(r.stdout)![1]!);
  }
  const cells: string[] = [];
  for (const runDir of shards) {
    const run = await loadRun(runDir);
    // One sample per planned cell: none comes from the traced run.
    assert.equal((await readdir(join(runDir, 'samples'))).length, run.samples.length);
    assert.equal((await readdir(join(runDir, 'raw'))).length, run.samples.length);
    for (const s of run.samples) {
      assert.equal(s.status, 'ok', `${s.cellKey}: ${s.reason}`);
      await checkTrace(runDir, s.cellKey, String(s.cell.backend));
      cells.push(s.cellKey);
    }
    assert.equal((await readdir(join(runDir, TRACES_DIR))).length, run.samples.length);
  }
  assert.equal(cells.length, 3);

  // Merge: the traced passes are no overlap; the merged run has exactly the planned samples.
  const merged = join(dir, 'merged');
  const m = await runCli(['merge', ...shards, '-o', merged]);
  assert.equal(m.exitCode, 0, m.stderr);
  assert.equal((await loadRun(merged)).samples.length, 3);

  // The same shards without traces/: report, compare and gate say exactly the same.
  // Same names in another parent: reports label a run by its directory's name.
  const bare = shards.map((s) => join(dir, 'bare', basename(s)));
  for (const [i, s] of shards.entries()) {
    await cp(s, bare[i]!, { recursive: true });
    await rm(join(bare[i]!, TRACES_DIR), { recursive: true });
  }
  const commands = (d: string[]) => [
    ['report', '--format', 'json', ...d],
    ['compare', d[0]!, d[1]!, '--format', 'json'],
    ['gate', d[0]!, '--baseline', d[0]!],
  ];
  const withTraces = commands(shards);
  const without = commands(bare);
  for (const [i, args] of withTraces.entries()) {
    const traced = await outputOf(args, shards);
    const plain = await outputOf(without[i]!, bare);
    if (args[0] !== 'report') {
      assert.equal(traced, plain, args.join(' '));
      continue;
    }
    // The report carries the traced cells apart, as its latency section (docs/reports.md); its statistics are the same.
    const { latency, ...statistics } = JSON.parse(traced) as { latency?: { cells: unknown[] } };
    assert.equal(latency?.cells.length, 3);
    assert.deepEqual(statistics, JSON.parse(plain), args.join(' '));
  }
  await removeTemp(dir);
});
