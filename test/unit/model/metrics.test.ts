import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRIC, METRICS } from '../../../src/model/metrics.js';
import { fioSummaryToMetrics, type FioSummary } from '../../../src/guest/fio-result.js';
import { GATE_DEFAULTS } from '../../../src/gate/defaults.js';
import { renderGoBench } from '../../../src/report/export/report-gobench.js';
import { buildReportModel } from '../../../src/report/model.js';

test('the gate tests by default exactly the metrics the table gives a minimum effect: IOPS and p99 latency, 5 % each', () => {
  assert.deepEqual(GATE_DEFAULTS.metrics, [
    { name: METRIC.iops, minEffectPct: 5 },
    { name: METRIC.clatP99, minEffectPct: 5 },
  ]);
});

test('Go benchmark output declares the table’s benchstat units and directions, in table order', () => {
  const units = renderGoBench(buildReportModel([]))
    .split('\n')
    .filter((l) => l.startsWith('Unit '));
  assert.deepEqual(units, [
    'Unit iops better=higher',
    'Unit B/s better=higher',
    'Unit clat-mean-sec better=lower',
    'Unit clat-p99-sec better=lower',
  ]);
});

test('every metric fio yields carries the table’s unit and direction', () => {
  const summary: FioSummary = {
    fioVersion: 'fio-3.33',
    jobCount: 1,
    iops: 1,
    bwBytesPerSec: 2,
    runtimeMs: 3,
    totalIos: 4,
    clatMeanNs: 5,
    clatP50Ns: 6,
    clatP99Ns: 7,
    percentilesApproximate: false,
    usrCpu: 8,
    sysCpu: 9,
    ctx: 10,
  };
  const metrics = fioSummaryToMetrics(summary);
  assert.deepEqual(Object.keys(metrics).sort(), Object.keys(METRICS).sort());
  for (const [name, m] of Object.entries(metrics)) {
    const info = METRICS[name as keyof typeof METRICS];
    assert.deepEqual({ unit: m.unit, better: m.better }, { unit: info.unit, better: info.better }, name);
  }
});
