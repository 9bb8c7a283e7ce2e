/** Gate defaults, documented in docs/statistics.md; the gated metrics and their minimum effects are the metrics table's. */
import { metricEntries } from '../model/metrics.js';
import type { GateMetric } from './types.js';

export const GATE_DEFAULTS = {
  metrics: metricEntries().flatMap(([name, m]): GateMetric[] =>
    m.defaultMinEffectPct === undefined ? [] : [{ name, minEffectPct: m.defaultMinEffectPct }],
  ),
  alpha: 0.01,
  correction: 'holm',
  seed: 1,
} as const;
