/**
 * Schema of `Sample.insight` (the types and their meaning: src/model/insight.ts).
 * explain and the breakdown read it, so every field has its type checked;
 * scalar fields may be absent or null (insight version 1 grew fields over
 * time, and runs recorded before them must still read), the structures the
 * breakdown walks (roles, threads, counters, interrupt lines, checks) must
 * be there when their section says it is available.
 */
import { z } from 'zod';
import { CPU_ROLES, INSIGHT_VERSION, type CpuRole } from '../insight.js';
import { Line } from './common.js';

const finite = z.number({ error: 'expected a finite number' });
/** A figure: absent in older records, null when not measurable. */
const num = finite.nullish();
const numOrNull = num;
const int = finite.int({ error: 'expected an integer' }).nullish();
const text = Line(4096);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const Unavailable = z.looseObject({ available: z.literal(false), reason: text });
const maybe = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.discriminatedUnion('available', [Unavailable, z.looseObject({ available: z.literal(true), ...shape })], {
    error: 'expected {available: true, …} or {available: false, reason}',
  });

const Role = z.enum(CPU_ROLES as [CpuRole, ...CpuRole[]]);

const Window = maybe({
  placement: z.enum(['around-fio', 'steady-state']),
  ioStartProbe: z.enum(['qemu-blockstats', 'storage-daemon-blockstats', 'guest-diskstats']).nullish(),
  ioStartMs: num,
  startMs: num,
  endMs: num,
  hostMs: num,
  guestMs: numOrNull,
  ios: numOrNull,
  iosSource: z.enum(['host-requests', 'guest-diskstats']).nullish(),
  guestIos: numOrNull,
  fioRateIos: numOrNull,
});

const HostCpu = maybe({
  clock: z.enum(['schedstat', 'stat-ticks']),
  processes: z.array(z.looseObject({ label: text, pid: int })),
  roles: z.array(
    z.looseObject({ role: Role, threads: int, cpuUs: num, usPerIo: numOrNull, busyCores: num, runsPerIo: numOrNull }),
  ),
  totalCpuUs: num,
  totalUsPerIo: numOrNull,
  iopsPerCoreSecond: numOrNull,
  threads: z.array(
    z.looseObject({
      process: text,
      pid: int,
      tid: int,
      name: text,
      role: Role,
      cpuUs: num,
      runs: numOrNull,
      seen: z.enum(['window', 'started']),
    }),
  ),
  endedThreads: int,
});

const Exits = maybe({
  source: z.enum(['query-stats', 'debugfs']),
  counters: z.record(z.string(), num),
  perIo: z.record(z.string(), num),
  exitsPerIo: numOrNull,
});

const Guest = maybe({
  virtioDevice: text,
  interrupts: z.array(z.looseObject({ irq: text, name: text, count: num, perCpu: z.array(num) })),
  irqs: num,
  irqsPerIo: numOrNull,
  cpu: z.looseObject({
    ticks: z.looseObject({
      user: num,
      nice: num,
      system: num,
      idle: num,
      iowait: num,
      irq: num,
      softirq: num,
      steal: num,
    }),
    busyPct: num,
    usPerIo: numOrNull,
  }),
  disk: z.looseObject({ readIos: num, readMerges: num, readBytes: num }),
  scheduler: text,
  hwQueues: num,
  fio: z.looseObject({ usrCpuPct: numOrNull, sysCpuPct: numOrNull, ctxSwitches: numOrNull, ctxPerIo: numOrNull }),
});

const Blockstats = maybe({
  source: z.enum(['qemu', 'storage-daemon']),
  node: text,
  rdBytes: num,
  rdOperations: num,
  rdMerged: num,
  guestReadBytes: numOrNull,
  hostVsGuestBytes: numOrNull,
  hostBytesPerS: num,
  fioBytesPerS: numOrNull,
  hostVsFioBytes: numOrNull,
  mergeRatio: numOrNull,
  mismatch: text.nullish(),
});

const Config = maybe({
  checks: z.array(
    z.looseObject({ item: text, planned: scalar.nullish(), observed: scalar.nullish(), ok: z.boolean(), source: text }),
  ),
  facts: z.record(z.string(), scalar.nullable()),
  vcpuAffinity: z.array(z.looseObject({ cpuIndex: int, tid: int, cpusAllowed: text })),
  notification: z.looseObject({ ioSideCpuShare: numOrNull, ioSideRunsPerIo: numOrNull }),
});

export const SampleInsightSchema = z.looseObject({
  version: z.literal(INSIGHT_VERSION, { error: `expected insight version ${INSIGHT_VERSION}` }),
  window: Window,
  hostCpu: HostCpu,
  exits: Exits,
  guest: Guest,
  blockstats: Blockstats,
  config: Config,
  notes: z.array(text),
});
