import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractFioJson, FioOutputError, fioSummaryToMetrics, parseFioOutput } from '../../../src/guest/fio-result.js';
import { buildFioArgs } from '../../../src/guest/fio-job.js';
import { METRIC } from '../../../src/model/metrics.js';

// Compiled to dist/test/unit/guest/: the fixtures stay in the source tree.
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'fio');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** The JSON document of a fixture, read independently of the code under test. */
const docOf = (name: string): any =>
  JSON.parse(
    fixture(name)
      .replace(/^[^{]*/s, '')
      .replace(/\}\s*\n[^{}]*$/s, '}'),
  );

const close = (actual: number, expected: number, rel = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * rel + 1e-9, `${actual} ≉ ${expected}`);

test('extractFioJson skips the psync note line and returns exactly the object', () => {
  const out = fixture('psync-qd4-note.stdout');
  assert.match(out.split('\n')[0]!, /^note: both iodepth >= 1 and synchronous I\/O engine are selected/);
  const json = extractFioJson(out);
  assert.ok(json.startsWith('{') && json.endsWith('}'));
  assert.doesNotThrow(() => JSON.parse(json));
  const parsed = parseFioOutput(out);
  assert.deepEqual(parsed.notes, [out.split('\n')[0]]);
});

test('single-job fixtures parse to the numbers fio printed', () => {
  for (const name of [
    'psync-qd4-note.stdout',
    'libaio-direct0-qd1.stdout',
    'libaio-direct0-qd8.stdout',
    'libaio-direct1-qd1.stdout',
    'libaio-direct1-qd8.stdout',
    'two-jobs-group.stdout',
  ]) {
    const job = docOf(name).jobs[0];
    const { summary, raw } = parseFioOutput(fixture(name));
    assert.equal(summary.fioVersion, 'fio-3.33', name);
    assert.equal(summary.jobCount, 1, name);
    assert.equal(summary.iops, job.read.iops, name);
    assert.equal(summary.bwBytesPerSec, job.read.bw_bytes, name);
    assert.equal(summary.totalIos, job.read.total_ios, name);
    assert.equal(summary.runtimeMs, job.read.runtime, name);
    assert.equal(summary.clatMeanNs, job.read.clat_ns.mean, name);
    assert.equal(summary.clatP50Ns, job.read.clat_ns.percentile['50.000000'], name);
    assert.equal(summary.clatP99Ns, job.read.clat_ns.percentile['99.000000'], name);
    assert.equal(summary.percentilesApproximate, false, name);
    assert.equal(summary.usrCpu, job.usr_cpu, name);
    assert.equal(summary.sysCpu, job.sys_cpu, name);
    assert.equal(summary.ctx, job.ctx, name);
    assert.equal((raw as { jobs: unknown[] }).jobs.length, 1);
  }
});

test('two jobs without group_reporting: sums, IO-weighted mean, runtime-weighted CPU, approximate percentiles', () => {
  const [a, b] = docOf('two-jobs-separate.stdout').jobs;
  const { summary, notes } = parseFioOutput(fixture('two-jobs-separate.stdout'));
  assert.equal(summary.jobCount, 2);
  close(summary.iops, a.read.iops + b.read.iops);
  close(summary.bwBytesPerSec, a.read.bw_bytes + b.read.bw_bytes);
  assert.equal(summary.totalIos, a.read.total_ios + b.read.total_ios);
  close(
    summary.clatMeanNs,
    (a.read.clat_ns.mean * a.read.total_ios + b.read.clat_ns.mean * b.read.total_ios) /
      (a.read.total_ios + b.read.total_ios),
  );
  close(summary.usrCpu, (a.usr_cpu * a.job_runtime + b.usr_cpu * b.job_runtime) / (a.job_runtime + b.job_runtime));
  assert.equal(summary.ctx, a.ctx + b.ctx);
  assert.equal(summary.percentilesApproximate, true);
  assert.match(notes.join('\n'), /approximate/);
  // The combined percentile lies between the two jobs' own values.
  const p99s = [a.read.clat_ns.percentile['99.000000'], b.read.clat_ns.percentile['99.000000']];
  assert.ok(summary.clatP99Ns! >= Math.min(...p99s) && summary.clatP99Ns! <= Math.max(...p99s));
  // And the group_reporting run of the same workload lands in the same range.
  const group = parseFioOutput(fixture('two-jobs-group.stdout')).summary;
  assert.ok(Math.abs(group.usrCpu - summary.usrCpu) < 10, 'group CPU is a per-job average too');
});

test('read and write directions are both counted', () => {
  const job = docOf('randrw-qd4.stdout').jobs[0];
  const { summary } = parseFioOutput(fixture('randrw-qd4.stdout'));
  close(summary.iops, job.read.iops + job.write.iops);
  assert.equal(summary.totalIos, job.read.total_ios + job.write.total_ios);
  close(summary.bwBytesPerSec, job.read.bw_bytes + job.write.bw_bytes);
});

test('job description lines before and the human report after the JSON are tolerated', () => {
  const { summary, notes } = parseFioOutput(fixture('normal-and-json.stdout'));
  assert.ok(summary.iops > 0);
  assert.match(notes[0]!, /^t: \(g=0\): rw=read/);
  assert.ok(notes.length <= 21, 'notes are capped');
});

test('fio 2.x output (clat in µs, no bw_bytes) is converted to ns and B/s', () => {
  const v3 = docOf('libaio-direct1-qd8.stdout').jobs[0].read;
  const v2 = docOf('fio2-libaio-direct1-qd8.stdout').jobs[0].read;
  const { summary } = parseFioOutput(fixture('fio2-libaio-direct1-qd8.stdout'));
  assert.equal(summary.fioVersion, 'fio-2.21');
  close(summary.clatMeanNs, v2.clat.mean * 1000);
  close(summary.clatMeanNs, v3.clat_ns.mean, 1e-6);
  assert.equal(summary.clatP99Ns, v2.clat.percentile['99.000000'] * 1000);
  assert.equal(summary.bwBytesPerSec, v2.bw * 1024);
  assert.equal(summary.totalIos, v2.total_ios);
});

test('percentile keys are matched numerically ("99.00" as well as "99.000000")', () => {
  const doc = docOf('libaio-direct1-qd1.stdout');
  const pct = doc.jobs[0].read.clat_ns.percentile;
  doc.jobs[0].read.clat_ns.percentile = { '50.00': pct['50.000000'], '99.00': pct['99.000000'], '0.00': 0 };
  const { summary } = parseFioOutput(JSON.stringify(doc));
  assert.equal(summary.clatP50Ns, pct['50.000000']);
  assert.equal(summary.clatP99Ns, pct['99.000000']);
});

test('truncated, corrupt, missing and failed output give one-line errors', () => {
  const oneLine = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof FioOutputError);
      assert.ok(!err.message.includes('\n'), err.message);
      assert.match(err.message, re);
      return true;
    });
  oneLine(
    () => parseFioOutput(fixture('libaio-direct1-qd1-truncated.stdout')),
    /^fio output: JSON ends early \(truncated at byte 3000\)$/,
  );
  oneLine(
    () => parseFioOutput(fixture('libaio-direct1-qd1-corrupt.stdout')),
    /^fio output: corrupt JSON at byte \d+: /,
  );
  oneLine(() => parseFioOutput(''), /no JSON object found .*output is empty/);
  oneLine(
    () => parseFioOutput('fio: engine libaio not loadable\nfio: failed to load engine\n'),
    /no JSON object found .*first: "fio: engine libaio not loadable"/,
  );
  oneLine(
    () => parseFioOutput(fixture('job-error-einval.stdout')),
    /^fio output: job 'bad' failed with error 22 \(EINVAL\)/,
  );
  oneLine(
    () => parseFioOutput('{"fio version": "fio-3.33", "jobs": [{"jobname": "t", "usr_cpu": "x"}]}'),
    /unexpected JSON shape at jobs\.0\.usr_cpu/,
  );
  oneLine(() => parseFioOutput('{"fio version": "fio-3.33", "jobs": []}'), /unexpected JSON shape at jobs/);
});

test('braces inside JSON strings do not confuse the extractor', () => {
  const doc = docOf('libaio-direct1-qd1.stdout');
  doc.jobs[0]['job options'].name = 'we}ird{"\\';
  const { summary } = parseFioOutput(`note: x\n${JSON.stringify(doc, null, 2)}\ntrailing\n`);
  assert.equal(summary.totalIos, doc.jobs[0].read.total_ios);
});

test('fioSummaryToMetrics uses the shared metric names, units and directions', () => {
  const { summary } = parseFioOutput(fixture('libaio-direct1-qd8.stdout'));
  const m = fioSummaryToMetrics(summary);
  assert.deepEqual(Object.keys(m).sort(), Object.values(METRIC).sort());
  assert.deepEqual(m[METRIC.iops], { value: summary.iops, unit: 'IO/s', better: 'higher' });
  assert.deepEqual(m[METRIC.bandwidth], { value: summary.bwBytesPerSec, unit: 'B/s', better: 'higher' });
  assert.deepEqual(m[METRIC.clatP99], { value: summary.clatP99Ns, unit: 'ns', better: 'lower' });
  assert.equal(m[METRIC.usrCpu]?.unit, '%');
  assert.equal(m[METRIC.ctx]?.unit, 'count');
  const { clatP50Ns: _a, clatP99Ns: _b, ...noPct } = summary;
  assert.ok(!(METRIC.clatP99 in fioSummaryToMetrics(noPct)));
});

const fioOnHost = ['/usr/bin/fio', '/usr/local/bin/fio'].some((p) => existsSync(p));

test(
  'live: the host fio, run with buildFioArgs, parses',
  { skip: !fioOnHost && 'fio is not installed on this host', timeout: 20_000 },
  async () => {
    const file = `/dev/shm/vblk-live-${process.pid}`;
    try {
      const argv = buildFioArgs({
        name: 'live',
        filename: file,
        rw: 'randread',
        bs: '4k',
        ioengine: 'psync',
        iodepth: 4, // psync: fio prints its "capped at 1" note before the JSON
        direct: false,
        runtimeS: 1,
        rampTimeS: 0,
        numjobs: 1,
        size: '8M',
        readonly: false,
      });
      // --readonly refuses to lay out a new file, so create it first.
      await promisify(execFile)('fio', [
        '--name=layout',
        `--filename=${file}`,
        '--size=8M',
        '--rw=write',
        '--bs=1M',
        '--output-format=terse',
      ]);
      const [cmd, ...args] = argv;
      const { stdout } = await promisify(execFile)(cmd!, args, { maxBuffer: 16 * 1024 * 1024 });
      const { summary, notes } = parseFioOutput(stdout);
      assert.match(summary.fioVersion, /^fio-\d+\.\d+/);
      assert.ok(summary.iops > 0 && summary.totalIos > 0);
      assert.ok(summary.runtimeMs >= 900 && summary.runtimeMs <= 3000, `runtime ${summary.runtimeMs}`);
      assert.ok(summary.clatP99Ns! >= summary.clatP50Ns!);
      assert.ok(
        notes.some((n) => /queue depth will be capped at 1/.test(n)),
        notes.join('\n'),
      );
    } finally {
      rmSync(file, { force: true });
    }
  },
);

test('jobs of different reporting groups (stonewall, new_group) are refused with the job list, never summed', () => {
  for (const name of ['two-groups-stonewall.stdout', 'two-groups-new-group.stdout']) {
    assert.equal(new Set(docOf(name).jobs.map((j: { groupid: number }) => j.groupid)).size, 2, name);
    assert.throws(
      () => parseFioOutput(fixture(name)),
      (e: unknown) =>
        e instanceof FioOutputError &&
        /^fio output: jobs in 2 reporting groups \(group 0: 'first'; group 1: 'second'\): they ran one after another or are reported apart/.test(
          e.message,
        ),
      name,
    );
  }
});

test('jobs of one group with different start delays did not run together: refused', () => {
  assert.equal(docOf('two-jobs-startdelay.stdout').jobs[1]['job options'].startdelay, '1');
  assert.throws(
    () => parseFioOutput(fixture('two-jobs-startdelay.stdout')),
    /did not start together \(startdelay differs\)/,
  );
});

test('read and write: the total and each direction as its own metrics', () => {
  const job = docOf('randrw-qd4.stdout').jobs[0];
  const { summary } = parseFioOutput(fixture('randrw-qd4.stdout'));
  const m = fioSummaryToMetrics(summary);
  close(m.iops!.value, job.read.iops + job.write.iops);
  close(m.read_iops!.value, job.read.iops);
  close(m.write_iops!.value, job.write.iops);
  close(m.write_bw_bytes_per_s!.value, job.write.bw_bytes);
  close(m.read_clat_mean_ns!.value, job.read.clat_ns.mean);
  assert.equal(m.write_clat_p99_ns!.value, job.write.clat_ns.percentile['99.000000']);
  assert.equal(m.read_iops!.better, 'higher');
  // One direction only: no per-direction metrics.
  assert.ok(!('read_iops' in fioSummaryToMetrics(parseFioOutput(fixture('libaio-direct1-qd1.stdout')).summary)));
});

test('unified_rw_reporting=both: mixed is the sum of read and write, not counted again', () => {
  const doc = docOf('randrw-qd4.stdout');
  const job = doc.jobs[0];
  job.mixed = {
    ...job.read,
    iops: job.read.iops + job.write.iops,
    total_ios: job.read.total_ios + job.write.total_ios,
  };
  close(parseFioOutput(JSON.stringify(doc)).summary.iops, job.read.iops + job.write.iops);
});

test('deep JSON is refused before anything walks it; an imported file is never quoted', () => {
  const text = JSON.stringify(docOf('libaio-direct1-qd1.stdout')).replace(
    '"jobs":[{',
    `"jobs":[{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)},`,
  );
  assert.throws(
    () => parseFioOutput(text),
    (e: unknown) => e instanceof FioOutputError && e.message === 'fio output: JSON nested deeper than 64 levels',
  );
  const secret = 'root:x:0:0:SECRET-LINE\n';
  assert.throws(
    () => parseFioOutput(secret, { quoteOutput: false }),
    (e: unknown) =>
      e instanceof FioOutputError &&
      /no JSON object found \(no line starts with "\{"; 1 line\(s\)\)/.test(e.message) &&
      !e.message.includes('SECRET'),
  );
  assert.throws(
    () => parseFioOutput(`{"a": "SECRET-LINE" x}`, { quoteOutput: false }),
    (e: unknown) => e instanceof FioOutputError && !e.message.includes('SECRET'),
  );
});
