/**
 * The report-side commands through the real CLI (bin/vblk-bench), on the run
 * recorded under TCG: report in every format, list, import, history, schema,
 * init, doctor (against the real apt lists). No QEMU is started here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli, hasStackTrace, REPO_ROOT } from '../helpers/cli.js';
import { FIXTURE_RUN } from '../helpers/fixture-run.js';
import { loadRun } from '../../src/store/run-reader.js';
import { loadProfile } from '../../src/profile/load.js';
import { RunWriter } from '../../src/store/run-writer.js';
import { ensureGuestImage } from '../../src/guest-image/guest-image.js';

const ESC = /\x1b/;

describe('vblk-bench report', () => {
  for (const format of ['table', 'json', 'csv', 'markdown', 'gobench', 'html']) {
    it(`--format ${format}: exit 0, output on stdout, nothing on stderr, no escape codes through a pipe`, async () => {
      const r = await runCli(['report', FIXTURE_RUN, '--format', format]);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok(r.stdout.length > 200);
      assert.ok(!ESC.test(r.stdout));
    });
  }

  it('-o writes the file; --rows cell; two runs compare the second against the first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-report-'));
    const html = join(dir, 'report.html');
    const r = await runCli(['report', FIXTURE_RUN, '-f', 'html', '-o', html]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(await readFile(html, 'utf8'), /<svg /);
    const cells = await runCli(['report', FIXTURE_RUN, '-f', 'csv', '--rows', 'cell']);
    assert.equal(cells.stdout.trim().split('\r\n').length, 5);
    const md = await runCli(['report', FIXTURE_RUN, FIXTURE_RUN, '-f', 'markdown']);
    assert.equal(md.exitCode, 0, md.stderr);
    assert.match(md.stdout, /### iops: A = quick-20261126T051715Z, B = quick-20261126T051715Z/);
  });

  it('bad input: unknown format or missing directory → exit 2 with one line, no stack trace', async () => {
    const bad = await runCli(['report', FIXTURE_RUN, '-f', 'pdf']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--format: expected one of table, json, csv, markdown, gobench, html, got pdf/);
    const missing = await runCli(['report', '/nonexistent/run']);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /run\.json: missing/);
    assert.ok(!hasStackTrace(bad.stderr + missing.stderr));
  });
});

describe('vblk-bench list / import / history', () => {
  it('list shows the runs; import turns fio files into a run that report accepts; a bad file is named', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vblk-list-'));
    await cp(FIXTURE_RUN, join(out, 'quick-20261126T051715Z'), { recursive: true });
    const fio = join(REPO_ROOT, 'test', 'fixtures', 'fio');
    const map = join(out, 'map.yaml');
    await writeFile(
      map,
      'name: imported-2011\nfiles:\n  - match: "*qd1*"\n    labels: {ioeventfd: on}\n  - match: "*qd8*"\n    labels: {ioeventfd: off}\n',
    );
    const imp = await runCli([
      'import',
      join(fio, 'libaio-direct1-qd1.stdout'),
      join(fio, 'fio2-libaio-direct1-qd8.stdout'),
      join(fio, 'libaio-direct1-qd1-corrupt.stdout'),
      '--map',
      map,
      '--out',
      out,
    ]);
    assert.equal(imp.exitCode, 3, imp.stderr);
    assert.match(imp.stderr, /error: not imported: .*qd1-corrupt\.stdout: fio output: corrupt JSON at byte \d+/);
    const imported = /imported 2 file\(s\): (\S+)/.exec(imp.stdout)?.[1];
    assert.ok(imported, imp.stdout);
    const run = await loadRun(imported);
    assert.deepEqual(run.samples.map((s) => s.cellKey).sort(), ['ioeventfd=off,iodepth=8', 'ioeventfd=on,iodepth=1']);
    const rep = await runCli(['report', imported, '-f', 'markdown']);
    assert.equal(rep.exitCode, 0, rep.stderr);

    const list = await runCli(['list', out]);
    assert.equal(list.exitCode, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    assert.match(lines[0]!, /^date\s+profile\s+accel\s+cells\s+samples\s+status\s+directory$/);
    assert.equal(lines.length, 3);
    assert.match(list.stdout, /quick\s+tcg\s+4\s+24 ok\/24\s+complete/);
    assert.match(list.stdout, /imported-2011\s+kvm\s+2\s+2 ok\/2\s+complete/);
    const json = JSON.parse((await runCli(['list', out, '--json'])).stdout) as {
      schema: string;
      version: number;
      runs: { dir: string; cells: number }[];
    };
    assert.equal(json.schema, 'vblk-bench/runs');
    assert.deepEqual(json.runs.map((r) => r.cells).sort(), [2, 4]);
  });

  it('history of nightly runs: text summary and HTML; a profile without runs is bad input', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vblk-history-'));
    const base = await loadRun(FIXTURE_RUN);
    for (let night = 0; night < 10; night++) {
      const startedAt = new Date(Date.UTC(2026, 9, 1 + night, 2)).toISOString();
      const w = await RunWriter.create(join(out, `nightly-${night}`), {
        ...base.manifest,
        profileName: 'nightly',
        startedAt,
        plannedSamples: base.samples.length,
      });
      await w.writeProfile(base.profile);
      await w.writePlan(base.plan);
      await w.writeEnvironment(base.environment);
      for (const s of base.samples) {
        const { schemaVersion: _v, rawFioPath: _r, ...draft } = s;
        const value = s.metrics.iops!.value * (night >= 5 && s.cell.iodepth === 1 ? 0.5 : 1);
        await w.writeSample({ ...draft, startedAt, metrics: { ...s.metrics, iops: { ...s.metrics.iops!, value } } });
      }
      await w.finish({ complete: true });
    }
    const text = await runCli(['history', out, '--profile', 'nightly']);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /^10 run\(s\) from 2026-10-01 02:00 UTC to 2026-10-10 02:00 UTC/m);
    assert.ok(!ESC.test(text.stdout));
    const html = join(out, 'history.html');
    const h = await runCli([
      'history',
      out,
      '--profile',
      'nightly',
      '--format',
      'html',
      '-o',
      html,
      '--min-segment',
      '3',
    ]);
    assert.equal(h.exitCode, 0, h.stderr);
    assert.equal(((await readFile(html, 'utf8')).match(/<svg /g) ?? []).length, 4);
    const none = await runCli(['history', out, '--profile', 'weekly']);
    assert.equal(none.exitCode, 2);
    assert.match(none.stderr, /no runs of profile weekly/);
  });
});

describe('vblk-bench schema / init / doctor', () => {
  it('schema prints a JSON Schema; init writes a profile the real loader accepts and refuses to overwrite', async () => {
    const s = await runCli(['schema']);
    assert.equal(s.exitCode, 0);
    const schema = JSON.parse(s.stdout);
    assert.equal(schema.title, 'vblk-bench profile');
    assert.ok(schema.properties.matrix.properties.iodepth);
    const dir = await mkdtemp(join(tmpdir(), 'vblk-init-'));
    const file = join(dir, 'nightly.yaml');
    const init = await runCli(['init', file]);
    assert.equal(init.exitCode, 0, init.stderr);
    const profile = await loadProfile(file);
    assert.equal(profile.name, 'nightly');
    const again = await runCli(['init', file]);
    assert.equal(again.exitCode, 2);
    assert.match(again.stderr, /exists \(use --force to overwrite\)/);
    const dry = await runCli(['run', '--dry-run', file]);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.deepEqual(await readdir(dir), ['nightly.yaml']);
  });

  it('doctor: this host can run (exit 0), every check with a level, JSON too', async () => {
    const d = await runCli(['doctor']);
    assert.equal(d.exitCode, 0, d.stdout + d.stderr);
    assert.match(d.stdout, /^ok\s+QEMU\s+qemu-system-x86_64 \d+\.\d+/m);
    assert.match(d.stdout, /^(ok|warning)\s+KVM/m);
    assert.match(d.stdout, /this host can run vblk-bench/);
    const j = await runCli(['doctor', '--json']);
    const doc = JSON.parse(j.stdout) as { schema: string; version: number; checks: { name: string; level: string }[] };
    assert.equal(doc.schema, 'vblk-bench/doctor');
    const names = (stdout: string) => (JSON.parse(stdout) as typeof doc).checks.map((c) => c.name);
    assert.deepEqual(
      names((await runCli(['doctor', '--format', 'json'])).stdout),
      names(j.stdout),
      '--json is --format json',
    );
    const checks = doc.checks;
    for (const name of [
      'QEMU',
      'KVM',
      '/dev/vhost-net',
      '/dev/vhost-blk',
      '/dev/vhost-scsi',
      'qemu-storage-daemon',
      'guest image',
      'guest kernel',
      'memory',
      'CPU governor',
      'turbo',
    ]) {
      assert.ok(
        checks.some((c) => c.name === name),
        name,
      );
    }
    const noQemu = await runCli(['doctor', '--qemu', '/nonexistent/qemu']);
    assert.equal(noQemu.exitCode, 3);
    assert.match(noQemu.stdout, /^error\s+QEMU/m);
  });

  it('doctor reads the real apt lists: a cached guest older than anything Debian offers gets a warning naming both kernels', async () => {
    // A copy of this checkout's built-in guest in a cache of its own, its manifest claiming kernel package
    // version 0.1-1 — older than any linux-image-amd64 a Debian mirror has, whatever day the lists are from.
    const image = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true });
    const cache = await mkdtemp(join(tmpdir(), 'vblk-doctor-cache-'));
    const dir = join(cache, 'guest', basename(image.dir));
    await cp(image.dir, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.kernelPackage.version = '0.1-1';
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const d = await runCli(['doctor', '--json'], { env: { VBLK_BENCH_CACHE: cache } });
    const check = (
      JSON.parse(d.stdout) as { checks: { name: string; level: string; detail: string; hint?: string }[] }
    ).checks.find((c) => c.name === 'guest kernel')!;
    assert.equal(check.level, 'warning', check.detail);
    assert.match(
      check.detail,
      new RegExp(
        `^the apt lists \\(as of their last change, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\) offer linux-image-\\S+-amd64 \\S+, newer than the cached guest's ${manifest.kernelPackage.name} 0\\.1-1`,
      ),
    );
    assert.match(check.hint!, /guest import --expect-hash/);
    await rm(cache, { recursive: true, force: true });
  });
});
