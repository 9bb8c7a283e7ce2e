/**
 * The Go benchmark exporter against the rules of golang.org/x/perf/benchfmt
 * (reader.go): a result line is `Benchmark<name> <iters> (<value> <unit>)+`,
 * a configuration line is `key: value` with a key that starts lower case and
 * has no space or upper case, `Unit <unit> key=value...` sets unit metadata,
 * anything else is ignored. Checked on the real recorded run.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadFixtureRun } from '../../helpers/fixture-run.js';
import type { StoredRun } from '../../../src/store/run-reader.js';
import { buildReportModel } from '../../../src/report/model.js';
import { benchmarkBaseName, benchmarkName, renderGoBench } from '../../../src/report/export/report-gobench.js';

interface Parsed {
  config: Map<string, string>;
  results: { name: string; iters: number; values: { value: number; unit: string }[]; config: Record<string, string> }[];
  units: Map<string, string>;
  ignored: string[];
}

/** A reader following benchfmt's rules (a syntax error throws). */
function readBenchfmt(text: string): Parsed {
  const out: Parsed = { config: new Map(), results: [], units: new Map(), ignored: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('Benchmark')) {
      const f = line.slice('Benchmark'.length).split(/\s+/).filter(Boolean);
      const [name, iters, ...rest] = f;
      assert.ok(name && /^\d+$/.test(iters ?? ''), `iteration count: ${line}`);
      assert.ok(rest.length > 0 && rest.length % 2 === 0, `value/unit pairs: ${line}`);
      const values = [];
      for (let i = 0; i < rest.length; i += 2) {
        const value = Number(rest[i]);
        assert.ok(Number.isFinite(value) && /^[-+0-9.eE]+$/.test(rest[i]!), `measurement: ${rest[i]}`);
        values.push({ value, unit: rest[i + 1]! });
      }
      out.results.push({
        name: `Benchmark${name}`,
        iters: Number(iters),
        values,
        config: Object.fromEntries(out.config),
      });
      continue;
    }
    const unit = /^Unit\s+(\S+)((?:\s+\S+)*)\s*$/.exec(line);
    if (unit) {
      for (const kv of unit[2]!.trim().split(/\s+/)) {
        const eq = kv.indexOf('=');
        assert.ok(eq > 0, `expected key=value: ${line}`);
        out.units.set(`${unit[1]} ${kv.slice(0, eq)}`, kv.slice(eq + 1));
      }
      continue;
    }
    const kv = /^(\p{Ll}[^\s\p{Lu}:]*):(?:[ \t]+(.*))?$/u.exec(line);
    if (kv) {
      if (kv[2]) out.config.set(kv[1]!, kv[2]);
      else out.config.delete(kv[1]!);
      continue;
    }
    out.ignored.push(line);
  }
  return out;
}

let run: StoredRun;
before(async () => {
  run = await loadFixtureRun();
});

describe('Go benchmark format', () => {
  it('one result line per ok sample, name = profile + /axis=value parts, iteration count 1', () => {
    const parsed = readBenchfmt(renderGoBench(buildReportModel([run])));
    assert.equal(parsed.results.length, 24);
    for (const r of parsed.results) {
      assert.match(r.name, /^BenchmarkQuick\/backend=virtio-blk\/ioeventfd=(on|off)\/scheduler=none\/iodepth=(1|4)$/);
      assert.equal(r.iters, 1);
      assert.deepEqual(
        r.values.map((v) => v.unit),
        ['iops', 'B/s', 'clat-mean-sec', 'clat-p99-sec'],
      );
      // benchfmt rescales units containing "ns" or "MB": none of ours does.
      for (const v of r.values) assert.ok(!/ns|MB/.test(v.unit), v.unit);
      assert.equal(r.config.profile, 'quick');
      assert.equal(r.config.accel, 'tcg');
      assert.match(r.config.qemu ?? '', /^\d+\.\d+/);
    }
    const first = run.samples[0]!;
    const line = parsed.results[0]!;
    assert.equal(line.values[0]!.value, Number(first.metrics.iops!.value.toPrecision(6)));
    assert.equal(line.values[2]!.value, Number((first.metrics.clat_mean_ns!.value * 1e-9).toPrecision(6)));
  });

  it('declares which direction is better for every unit', () => {
    const parsed = readBenchfmt(renderGoBench(buildReportModel([run])));
    assert.equal(parsed.units.get('iops better'), 'higher');
    assert.equal(parsed.units.get('B/s better'), 'higher');
    assert.equal(parsed.units.get('clat-p99-sec better'), 'lower');
    // Only the cells' typed warnings, as comment lines, are left for benchfmt to skip.
    assert.deepEqual(
      parsed.ignored.filter((l) => l.trim() !== '' && !l.startsWith('# warning: ')),
      [],
    );
  });

  it('failed samples become ignored comment lines; names never contain spaces or a trailing -N', () => {
    const failed = { ...run, samples: [{ ...run.samples[0]!, status: 'failed' as const, reason: 'boot failed: x y' }] };
    const parsed = readBenchfmt(renderGoBench(buildReportModel([failed])));
    assert.equal(parsed.results.length, 0);
    assert.equal(parsed.ignored.filter((l) => l.startsWith('# ')).length, 1);
    assert.equal(
      benchmarkName('seed-2011', { cell: { backend: 'a b/c', iodepth: 3 } }),
      'BenchmarkSeed-2011/backend=a_b_c/iodepth=3',
    );
    assert.equal(benchmarkBaseName('2011x'), 'Vblk2011x');
  });

  it('several runs: each block carries its own run: configuration', () => {
    const parsed = readBenchfmt(renderGoBench(buildReportModel([run, { ...run, dir: '/x/quick-other' }])));
    assert.equal(parsed.results.length, 48);
    assert.deepEqual([...new Set(parsed.results.map((r) => r.config.run))], [run.dir.split('/').pop(), 'quick-other']);
  });
});
