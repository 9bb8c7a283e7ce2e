/**
 * Schema of `traces/<cell>/latency.json` (the types and their meaning:
 * src/model/latency.ts). The renderers draw every field, so every field has
 * its type and bound checked. Unlike the other stored schemas these are
 * plain (not loose) objects: a field a newer vblk-bench adds is dropped, not
 * refused, and the schema's output is exactly `CellLatency` — checked both
 * ways at compile time below, so the type and the schema cannot drift apart.
 */
import { z } from 'zod';
import type {
  CellLatency,
  ClockDomain,
  LatencyCheck,
  LatencyLayer,
  LayerGranularity,
  LayerId,
  RequestTimeline,
} from '../latency.js';
import { Count, Line } from './common.js';

/** Durations in µs: finite, not negative, at most an hour (a traced run lasts seconds). */
const Micros = z
  .number({ error: 'expected a finite number' })
  .nonnegative({ error: 'expected a non-negative number' })
  .max(3.6e9, { error: 'more than an hour' });
/** A timeline offset may be negative: an event of another clock domain can precede the request's first event. */
const Offset = z
  .number({ error: 'expected a finite number' })
  .min(-3.6e9, { error: 'more than an hour' })
  .max(3.6e9, { error: 'more than an hour' });
const Iops = z
  .number({ error: 'expected a finite number' })
  .nonnegative({ error: 'expected a non-negative number' })
  .max(1e9, { error: 'more than 10⁹ IOPS' });
const text = Line(4096);

const DOMAINS = ['guest', 'qemu', 'daemon', 'host', 'cross'] as const satisfies readonly ClockDomain[];
const GRANULARITIES = ['request', 'batch', 'mean-difference'] as const satisfies readonly LayerGranularity[];
/** Every layer id, outermost first (the order tables list them in). */
export const LAYER_IDS = [
  'guest.total',
  'guest.block-queue',
  'guest.block-device',
  'guest.virtio-pci',
  'host.kvm',
  'qemu.virtqueue',
  'qemu.block',
  'qemu.notify',
  'daemon.block',
  'host.block',
  'cross.transport',
] as const satisfies readonly LayerId[];

const Domain = z.enum(DOMAINS, { error: `expected one of ${DOMAINS.join(', ')}` });
const Layer = z.enum(LAYER_IDS, { error: 'expected a layer id' });

const LayerStatsSchema = z.object({
  count: Count,
  meanUs: Micros,
  p50Us: Micros.optional(),
  p99Us: Micros.optional(),
});

const LayerResultSchema = z.discriminatedUnion(
  'available',
  [
    z.object({
      available: z.literal(true),
      stats: LayerStatsSchema,
      shareOfTotal: z.number().min(0, { error: 'expected a share ≥ 0' }).max(1e3).optional(),
    }),
    z.object({ available: z.literal(false), reason: text }),
  ],
  { error: 'expected {available: true, stats} or {available: false, reason}' },
);

const LatencyLayerSchema = z.object({
  id: Layer,
  label: text,
  domain: Domain,
  parent: Layer.optional(),
  granularity: z.enum(GRANULARITIES, { error: `expected one of ${GRANULARITIES.join(', ')}` }),
  resolutionUs: z.number().positive({ error: 'expected a positive number' }).max(1e6),
  result: LayerResultSchema,
});

const LatencyCheckSchema = z.object({
  kind: z.enum(['nesting', 'request-counts', 'overruns'], { error: 'expected nesting, request-counts or overruns' }),
  ok: z.boolean({ error: 'expected true or false' }),
  detail: text,
});

const TimelineEventSchema = z.object({
  atUs: Offset,
  domain: Domain,
  thread: Line(128),
  event: Line(256),
});

const RequestTimelineSchema = z.object({
  which: z.enum(['median', 'p99'], { error: 'expected median or p99' }),
  totalUs: Micros,
  events: z.array(TimelineEventSchema).max(10_000, { error: 'more than 10 000 events' }),
});

export const CellLatencySchema = z.object({
  cellKey: Line(4096),
  config: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()]), {
    error: 'expected a mapping of axis values',
  }),
  tracedIops: Iops,
  untracedMedianIops: Iops.optional(),
  layers: z.array(LatencyLayerSchema).max(64, { error: 'more than 64 layers' }),
  unexplainedUs: z.number().min(-3.6e9).max(3.6e9).optional(),
  checks: z.array(LatencyCheckSchema).max(64, { error: 'more than 64 checks' }),
  timelines: z.array(RequestTimelineSchema).max(8, { error: 'more than 8 timelines' }),
  notes: z.array(text).max(256, { error: 'more than 256 notes' }),
});

/** `traces/<cell>/failed.json`: a traced pass that failed during the run, and why (the run's one log line). */
export const TracedPassFailureSchema = z.object({
  schemaVersion: z.literal(1, { error: 'expected 1' }),
  cellKey: Line(4096),
  failedAt: Line(64),
  reason: Line(1000),
});
export type TracedPassFailure = z.output<typeof TracedPassFailureSchema>;

/** Both ways: the schema's output is a CellLatency and a CellLatency passes the schema's type. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameType = <T extends true>(_: T) => {};
sameType<Exactly<z.output<typeof CellLatencySchema>, CellLatency>>(true);
sameType<Exactly<z.output<typeof LatencyLayerSchema>, LatencyLayer>>(true);
sameType<Exactly<z.output<typeof LatencyCheckSchema>, LatencyCheck>>(true);
sameType<Exactly<z.output<typeof RequestTimelineSchema>, RequestTimeline>>(true);
