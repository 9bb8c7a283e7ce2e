/** Gate defaults, documented in docs/statistics.md. */
import { METRIC } from '../model/sample.js';
import type { GateMetric } from './types.js';

export const GATE_DEFAULTS = {
  metrics: [
    { name: METRIC.iops, minEffectPct: 5 },
    { name: METRIC.clatP99, minEffectPct: 5 },
  ] as readonly GateMetric[],
  alpha: 0.01,
  correction: 'holm',
  seed: 1,
} as const;
