/**
 * KVM exit counters. Under TCG (this machine) QEMU 7.2 really answers
 * query-stats with [] — captured. The KVM shapes cannot be captured here: they
 * are written from QEMU's QAPI schema (qapi/stats.json, QEMU 7.1: StatsResult
 * = {provider, qom-path?, stats: [{name, value}]}, StatsValue = uint64 or
 * [uint64]) and the example in the commit that added query-stats
 * (QEMU 7.1, "qmp: Support for querying stats"), with x86 exit counter names
 * from Linux (arch/x86/kvm/x86.c, kvm_vcpu_stats_desc); the debugfs layout
 * from Linux virt/kvm/kvm_main.c (kvm_create_vm_debugfs: one directory
 * "<pid>-<fd>", one file per statistic, vCPU statistics summed over vCPUs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cumulativeStatNames,
  diffCounters,
  noExitsReason,
  parseDebugfsCounters,
  parseQueryStats,
  sumProviderCounters,
  vmDebugfsDirs,
} from '../../../src/insight/kvm-stats.js';
import { fixtureJson } from './fixtures.js';

/** query-stats {target: vcpu} under KVM, shape from QEMU's QAPI schema docs and the query-stats commit example. */
const QAPI_DOC_QUERY_STATS_VCPU = (exits: [number, number]) => [
  {
    provider: 'kvm',
    'qom-path': '/machine/unattached/device[0]',
    stats: [
      { name: 'guest_mode', value: 0 },
      { name: 'directed_yield_successful', value: 0 },
      { name: 'directed_yield_attempted', value: 106 },
      { name: 'exits', value: exits[0] },
      { name: 'io_exits', value: 4000 },
      { name: 'mmio_exits', value: 100 },
      { name: 'halt_exits', value: 50 },
      { name: 'halt_poll_success_hist', value: [0, 3, 9, 1] },
    ],
  },
  {
    provider: 'kvm',
    'qom-path': '/machine/unattached/device[1]',
    stats: [
      { name: 'guest_mode', value: 1 },
      { name: 'exits', value: exits[1] },
      { name: 'io_exits', value: 10 },
      { name: 'mmio_exits', value: 0 },
      { name: 'halt_exits', value: 5 },
    ],
  },
];

/** query-stats-schemas {provider: kvm}, shape from qapi/stats.json (StatsSchema / StatsSchemaValue). */
const QAPI_DOC_QUERY_STATS_SCHEMAS = [
  {
    provider: 'kvm',
    target: 'vcpu',
    stats: [
      { name: 'guest_mode', type: 'instant', exponent: 0 },
      { name: 'exits', type: 'cumulative', exponent: 0 },
      { name: 'io_exits', type: 'cumulative', exponent: 0 },
      { name: 'mmio_exits', type: 'cumulative', exponent: 0 },
      { name: 'halt_exits', type: 'cumulative', exponent: 0 },
      { name: 'directed_yield_attempted', type: 'cumulative', exponent: 0 },
      { name: 'halt_poll_success_hist', type: 'log2-histogram', unit: 'seconds', base: 10, exponent: -9 },
    ],
  },
  { provider: 'kvm', target: 'vm', stats: [{ name: 'max_mmu_page_hash_collisions', type: 'peak', exponent: 0 }] },
];

test('QEMU 7.2 under TCG (captured): query-stats and query-stats-schemas return [] — no kvm provider', () => {
  for (const file of ['qmp-query-stats-vcpu-tcg.json', 'qmp-query-stats-vm-tcg.json']) {
    const results = parseQueryStats(fixtureJson(file));
    assert.deepEqual(results, []);
    assert.equal(sumProviderCounters(results, 'kvm'), null);
  }
  assert.equal(cumulativeStatNames(fixtureJson('qmp-query-stats-schemas-tcg.json'), 'kvm', 'vcpu').size, 0);
  assert.deepEqual(fixtureJson('qmp-query-kvm-tcg.json'), { enabled: false, present: true });
});

test('the "not available" reason under TCG says why, in words, and what each source said', () => {
  const reason = noExitsReason('tcg', 'QEMU returned no kvm statistics', '/sys/kernel/debug/kvm does not exist');
  assert.match(reason, /^not available under TCG: QEMU emulates the CPU, so there are no KVM exits to count/);
  assert.match(
    reason,
    /query-stats: QEMU returned no kvm statistics; debugfs: \/sys\/kernel\/debug\/kvm does not exist/,
  );
  assert.match(noExitsReason('kvm', 'x', 'y'), /^not available: neither source gave KVM counters/);
});

test('query-stats with KVM counters (shape from QEMU QAPI docs qapi/stats.json): summed over vCPUs, histograms left out', () => {
  const results = parseQueryStats(QAPI_DOC_QUERY_STATS_VCPU([5000, 300]));
  assert.equal(results.length, 2);
  assert.equal(results[0]!.qomPath, '/machine/unattached/device[0]');
  assert.equal(results[0]!.values.halt_poll_success_hist, undefined, 'lists are histograms');
  const all = sumProviderCounters(results, 'kvm')!;
  assert.equal(all.exits, 5300);
  assert.equal(all.io_exits, 4010);
  const cumulative = cumulativeStatNames(QAPI_DOC_QUERY_STATS_SCHEMAS, 'kvm', 'vcpu');
  assert.deepEqual([...cumulative].sort(), [
    'directed_yield_attempted',
    'exits',
    'halt_exits',
    'io_exits',
    'mmio_exits',
  ]);
  const only = sumProviderCounters(results, 'kvm', cumulative)!;
  assert.equal(only.guest_mode, undefined, 'instant values do not subtract');
  assert.equal(sumProviderCounters(results, 'xyz'), null);
  assert.throws(() => parseQueryStats({ return: [] }), /unexpected shape/);
  assert.throws(() => parseQueryStats([{ stats: [] }]), /unexpected shape/);
});

test('exit deltas between two query-stats replies (QAPI doc shape): moved counters and the key ones', () => {
  const a = sumProviderCounters(parseQueryStats(QAPI_DOC_QUERY_STATS_VCPU([5000, 300])), 'kvm')!;
  const b = sumProviderCounters(parseQueryStats(QAPI_DOC_QUERY_STATS_VCPU([9000, 700])), 'kvm')!;
  const d = diffCounters(a, b);
  assert.equal(d.exits, 4400);
  assert.equal(d.io_exits, 0, 'key counters stay even when they did not move');
  assert.equal(d.directed_yield_attempted, undefined, 'other counters only when they moved');
});

test('debugfs per-VM directory (layout from Linux kvm_main.c kvm_create_vm_debugfs): <pid>-<fd>, decimal files', () => {
  assert.deepEqual(vmDebugfsDirs(['1234-11', '12345-11', '1234-x', 'exits', '99-3'], 1234), ['1234-11']);
  const counters = parseDebugfsCounters({
    exits: '5300\n',
    io_exits: '4010\n',
    halt_poll_ns: 'abc\n',
    mmu_recycled: '0\n',
  });
  assert.deepEqual(counters, { exits: 5300, io_exits: 4010, mmu_recycled: 0 });
});
