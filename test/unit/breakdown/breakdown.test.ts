import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpuRole, SampleInsight } from '../../../src/model/insight.js';
import type { CellValues, Sample } from '../../../src/model/sample.js';
import {
  breakdownByAxis,
  breakdownPair,
  defaultBreakdowns,
  figuresOf,
  pairsAcrossRuns,
  pairsByAxis,
  sideLabels,
} from '../../../src/breakdown/breakdown.js';
import {
  renderAxisOverview,
  renderBreakdowns,
  renderPairBreakdown,
  renderRunBreakdown,
} from '../../../src/report/breakdown-table.js';

const TCG =
  'not available under TCG: QEMU emulates the CPU, so there are no KVM exits to count (query-stats: QEMU returned no kvm statistics; debugfs: none)';

/** A sample whose insight carries exactly these per-I/O figures (1000 I/Os in a 1 s window). */
function sample(
  cell: CellValues,
  o: {
    iops: number;
    cpu: Partial<Record<CpuRole, number>>;
    irqs: number;
    exits?: number;
    rep?: number;
    status?: Sample['status'];
  },
): Sample {
  const ios = 1000;
  const roles = Object.entries(o.cpu).map(([role, us]) => ({
    role: role as CpuRole,
    threads: 1,
    cpuUs: us * ios,
    usPerIo: us,
    busyCores: (us * ios) / 1e6,
    runsPerIo: role === 'main-loop' ? 1.25 : 1,
  }));
  const total = roles.reduce((s, r) => s + r.cpuUs, 0);
  const insight: SampleInsight = {
    version: 1,
    window: {
      available: true,
      placement: 'steady-state',
      ioStartProbe: 'qemu-blockstats',
      ioStartMs: 300,
      startMs: 1400,
      endMs: 2400,
      hostMs: 1000,
      guestMs: 1000,
      ios,
      iosSource: 'host-requests',
      guestIos: ios,
      fioRateIos: ios,
    },
    hostCpu: {
      available: true,
      clock: 'schedstat',
      processes: [{ label: 'qemu', pid: 1 }],
      roles,
      totalCpuUs: total,
      totalUsPerIo: total / ios,
      iopsPerCoreSecond: ios / (total / 1e6),
      threads: [],
      endedThreads: 0,
    },
    exits:
      o.exits === undefined
        ? { available: false, reason: TCG }
        : {
            available: true,
            source: 'query-stats',
            counters: { exits: o.exits * ios },
            perIo: { exits: o.exits },
            exitsPerIo: o.exits,
          },
    guest: {
      available: true,
      virtioDevice: 'virtio1',
      interrupts: [],
      irqs: o.irqs * ios,
      irqsPerIo: o.irqs,
      cpu: {
        ticks: { user: 0, nice: 0, system: 10, idle: 90, iowait: 0, irq: 0, softirq: 0, steal: 0 },
        busyPct: 10,
        usPerIo: 100,
      },
      disk: { readIos: ios, readMerges: 0, readBytes: ios * 4096 },
      scheduler: 'none',
      hwQueues: 2,
      fio: { usrCpuPct: 5, sysCpuPct: 40, ctxSwitches: 900, ctxPerIo: 0.9 },
    },
    blockstats: { available: false, reason: 'no QMP monitor holds block counters of this disk' },
    config: { available: false, reason: 'not read in this test' },
    notes: [],
  };
  const key = Object.entries(cell)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    schemaVersion: 1,
    cellKey: key,
    cell,
    requested: cell,
    groupId: 'g',
    bootId: 'b',
    repetition: o.rep ?? 0,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:05Z',
    status: o.status ?? 'ok',
    accel: 'tcg',
    metrics: { iops: { value: o.iops, unit: 'IO/s', better: 'higher' } },
    observed: {},
    notices: [],
    insight,
  };
}

const cell = (ioeventfd: string, iodepth: number, backend = 'virtio-blk'): CellValues => ({
  backend,
  ioeventfd,
  scheduler: 'none',
  iodepth,
});

const run: Sample[] = [
  sample(cell('on', 1), { iops: 4000, cpu: { vcpu: 180, 'main-loop': 50, other: 0.01 }, irqs: 1 }),
  sample(cell('on', 1), { iops: 4400, cpu: { vcpu: 176, 'main-loop': 48, other: 0.01 }, irqs: 1, rep: 1 }),
  sample(cell('off', 1), { iops: 6000, cpu: { vcpu: 130, 'main-loop': 15, other: 0.01 }, irqs: 1 }),
  sample(cell('off', 1), { iops: 6000, cpu: { vcpu: 128, 'main-loop': 15, other: 0.01 }, irqs: 1, rep: 1 }),
  sample(cell('on', 4), { iops: 6000, cpu: { vcpu: 127, 'main-loop': 33 }, irqs: 0.68 }),
  sample(cell('off', 4), { iops: 6400, cpu: { vcpu: 117, 'main-loop': 13 }, irqs: 1 }),
  sample(cell('off', 8), { iops: 0, cpu: {}, irqs: 0, status: 'failed' }),
];

test('pairs across an axis: equal on every other axis, baseline = the axis’s first value', () => {
  const pairs = pairsByAxis(run, 'ioeventfd');
  assert.deepEqual(
    pairs.map((p) => [p.a[0]!.cellKey, p.b[0]!.cellKey]),
    [
      [
        'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1',
        'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=1',
      ],
      [
        'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4',
        'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4',
      ],
    ],
  );
  assert.equal(pairs[0]!.a.length, 2, 'both repetitions');
  assert.deepEqual(
    pairsByAxis(run, 'ioeventfd', 'off').map((p) => p.b[0]!.cell.ioeventfd),
    ['on', 'on'],
  );
  assert.deepEqual(pairsByAxis(run, 'backend'), [], 'one backend only');
  assert.deepEqual(sideLabels(cell('on', 1), cell('off', 1)), {
    a: 'ioeventfd=on',
    b: 'ioeventfd=off',
    context: 'backend=virtio-blk scheduler=none iodepth=1',
  });
});

test('vhost backends (ioeventfd n/a) pair with the baseline backend in its default ioeventfd', () => {
  const withVhost = [
    ...run,
    sample(cell('n/a', 1, 'vhost-user-blk'), {
      iops: 7000,
      cpu: { vcpu: 120, 'main-loop': 5, 'storage-daemon': 20 },
      irqs: 1,
    }),
  ];
  const pairs = pairsByAxis(withVhost, 'backend');
  assert.deepEqual(
    pairs.map((p) => [p.a[0]!.cellKey, p.b[0]!.cellKey]),
    [
      [
        'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1',
        'backend=vhost-user-blk,ioeventfd=n/a,scheduler=none,iodepth=1',
      ],
    ],
  );
  assert.equal(breakdownByAxis(withVhost, 'backend')!.pairs.length, 1);
});

test('the breakdown: IOPS first, CPU roles by contribution with their share, medians over repetitions', () => {
  const p = breakdownPair(pairsByAxis(run, 'ioeventfd')[0]!)!;
  assert.equal(p.a.n, 2);
  assert.deepEqual(
    p.rows.map((r) => r.key),
    [
      'iops',
      'cpu:vcpu',
      'cpu:main-loop',
      'cpu:total',
      'iops-per-core',
      'irqs',
      'runs:vcpu',
      'runs:main-loop',
      'exits',
      'guest-cpu',
      'merge',
    ],
  );
  const get = (k: string) => p.rows.find((r) => r.key === k)!;
  assert.equal(get('iops').a, 4200, 'median of 4000 and 4400');
  assert.equal(get('iops').deltaPct, (6000 / 4200 - 1) * 100);
  assert.equal(get('cpu:vcpu').delta, 129 - 178);
  assert.equal(get('cpu:main-loop').delta, 15 - 49);
  const moved = Math.abs(129 - 178) + Math.abs(15 - 49) + 0;
  assert.ok(Math.abs(get('cpu:main-loop').share! - (15 - 49) / moved) < 1e-9);
  assert.equal(get('exits').a, null);
  assert.equal(get('exits').note, TCG);
  assert.equal(
    p.rows.find((r) => r.key === 'cpu:other'),
    undefined,
    'a role under 1 % of the CPU gets no row',
  );
  assert.equal(
    p.summary,
    'ioeventfd=off vs ioeventfd=on (backend=virtio-blk scheduler=none iodepth=1): IOPS +43 %; −28 % vCPU CPU per I/O, −69 % main-loop CPU per I/O; +0.00 IRQs per I/O; exits per I/O not available under TCG',
  );
});

test('with KVM exits the summary names them next to the CPU roles', () => {
  const kvm = [
    sample(cell('on', 1), { iops: 13000, cpu: { vcpu: 20, 'main-loop': 10 }, irqs: 1, exits: 1.1 }),
    sample(cell('off', 1), { iops: 9000, cpu: { vcpu: 35, 'main-loop': 6 }, irqs: 1, exits: 2.0 }),
  ];
  const p = breakdownPair(pairsByAxis(kvm, 'ioeventfd')[0]!)!;
  assert.equal(
    p.summary,
    'ioeventfd=off vs ioeventfd=on (backend=virtio-blk scheduler=none iodepth=1): IOPS −31 %; +75 % vCPU CPU per I/O, −40 % main-loop CPU per I/O; +0.90 exits per I/O, +0.00 IRQs per I/O',
  );
  assert.equal(p.rows.find((r) => r.key === 'exits')!.delta?.toFixed(2), '0.90');
  // A change that rounds to zero reads +0.00, never −0.00.
  const tiny = [
    sample(cell('on', 1), { iops: 100, cpu: { vcpu: 1 }, irqs: 1 }),
    sample(cell('off', 1), { iops: 100, cpu: { vcpu: 1 }, irqs: 0.999 }),
  ];
  const q = breakdownPair(pairsByAxis(tiny, 'ioeventfd')[0]!)!;
  assert.match(q.summary, /IOPS \+0\.0 %; \+0\.00 IRQs per I\/O/);
  assert.match(renderPairBreakdown(q), /IRQs \(\/I\/O\)\s*│ 1\.00\s*│ 1\.00\s*│ \+0\.00/);
});

test('pairs across two runs, failed and insight-less samples left out', () => {
  const other = run.map((s) => ({ ...s, metrics: { iops: { ...s.metrics.iops!, value: s.metrics.iops!.value * 2 } } }));
  const pairs = pairsAcrossRuns(run, other, { a: 'run-a', b: 'run-b' });
  assert.equal(pairs.length, 5, 'every cell present in both');
  const explained = pairs.map(breakdownPair);
  assert.equal(explained.filter((p) => p === null).length, 1, 'the failed cell has nothing to explain');
  assert.equal(explained[0]!.a.label, 'run-a');
  assert.match(
    explained[0]!.summary,
    /^run-b vs run-a \(backend=virtio-blk ioeventfd=on scheduler=none iodepth=1\): IOPS \+100 %/,
  );
  const noInsight = { ...run[0]!, insight: undefined };
  assert.equal(figuresOf(noInsight), null, 'samples from before insight existed');
});

test('terminal rendering: a table per pair for a few pairs, an overview per axis for many', () => {
  const axes = defaultBreakdowns(run);
  assert.deepEqual(
    axes.map((a) => [a.axis, a.baseline, a.pairs.length]),
    [['ioeventfd', 'on', 2]],
  );
  const detailed = renderBreakdowns(axes);
  assert.match(
    detailed,
    /^ioeventfd=off vs ioeventfd=on — backend=virtio-blk scheduler=none iodepth=1 \(medians of n=2 \/ 2\)/,
  );
  assert.match(detailed, /main-loop CPU \(µs\/I\/O\)\s*│ 49\.0\s*│ 15\.0\s*│ -34\.0\s*│ -69\.4%/);
  assert.match(detailed, /n\/a KVM exits: not available under TCG/);
  assert.match(
    detailed,
    /→ ioeventfd=off vs ioeventfd=on \(backend=virtio-blk scheduler=none iodepth=4\): IOPS \+6\.7 %/,
  );
  const overview = renderBreakdowns(axes, { maxDetailed: 1 });
  assert.equal(overview, renderAxisOverview(axes[0]!));
  assert.match(overview, /^why: ioeventfd \(baseline ioeventfd=on\), change B − A per I\/O/);
  assert.match(overview, /Δ main-loop µs\/I\/O/);
  assert.equal(
    renderPairBreakdown(breakdownByAxis(run, 'ioeventfd')!.pairs[1]!).split('\n')[0],
    'ioeventfd=off vs ioeventfd=on — backend=virtio-blk scheduler=none iodepth=4',
  );
  assert.equal(renderRunBreakdown(defaultBreakdowns(run.slice(0, 1)), '/r'), '', 'no pair, nothing printed');
  assert.match(renderRunBreakdown(axes, '/r'), /\(per-pair tables and JSON: vblk-bench explain \/r --by ioeventfd\)/);
});
