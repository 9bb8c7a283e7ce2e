/**
 * Anomalies worth a second look inside one run:
 *
 * - `depth-drop`: for one configuration (cells equal except the depth axis),
 *   the metric gets significantly worse as the queue depth rises. Each deeper
 *   depth is compared with the best shallower one; flagged when the MWU p < α
 *   and the loss is more than `minDropPct` (default 10 %; stats/min-effect.ts). More outstanding I/O
 *   should never lower throughput; when it does (the 2011 qemu-devel thread
 *   saw 13K IOPS at iodepth 1 fall to 3.5K at iodepth 3) the I/O path is
 *   serializing or thrashing.
 * - `bimodal`: a cell whose repetitions fall into two separate groups
 *   (stats/bimodal.ts).
 */
import type { CellValues, Sample } from '../model/sample.js';
import { bimodality } from '../stats/bimodal.js';
import { median } from '../stats/descriptive.js';
import { mannWhitney, type MwuMethod } from '../stats/mann-whitney.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { cellKeyOf } from '../model/cell-key.js';
import { groupSamples, indexCells, metricBetter } from './group.js';

export interface DepthPoint {
  cellKey: string;
  depth: number;
  median: number;
}

export type Anomaly =
  | {
      kind: 'depth-drop';
      metric: string;
      /** The configuration: cell key without the depth axis. */
      configKey: string;
      shallow: DepthPoint;
      deep: DepthPoint;
      /** How much worse the deeper cell is, in % of the shallower median (positive). */
      dropPct: number;
      p: number;
      method: MwuMethod;
    }
  | {
      kind: 'bimodal';
      metric: string;
      cellKey: string;
      cell: CellValues;
      lowerCount: number;
      upperCount: number;
      lowerMax: number;
      upperMin: number;
    };

export interface AnomalyOptions {
  alpha: number;
  /** Default 'iops'. */
  metric?: string;
  /** Default 'iodepth'. */
  depthAxis?: string;
  /** Default 10 (%). */
  minDropPct?: number;
}

interface Point extends DepthPoint {
  values: number[];
}

/** Loss of `deep` relative to `shallow` in %, positive when deep is worse. */
function lossPct(shallow: number, deep: number, better: 'higher' | 'lower'): number {
  return ((better === 'higher' ? shallow - deep : deep - shallow) / Math.abs(shallow)) * 100;
}

function strip({ cellKey, depth, median: m }: Point): DepthPoint {
  return { cellKey, depth, median: m };
}

function depthDrops(
  points: readonly Point[],
  configKey: string,
  metric: string,
  better: 'higher' | 'lower',
  opts: AnomalyOptions,
): Anomaly[] {
  const sortedPoints = [...points].sort((x, y) => x.depth - y.depth);
  const found: Anomaly[] = [];
  let best: Point | undefined;
  for (const point of sortedPoints) {
    if (best && best.depth < point.depth) {
      const dropPct = lossPct(best.median, point.median, better);
      const mw = mannWhitney(best.values, point.values);
      if (mw.p < opts.alpha && exceedsMinEffect(dropPct, opts.minDropPct ?? 10)) {
        const shallow = strip(best);
        found.push({
          kind: 'depth-drop',
          metric,
          configKey,
          shallow,
          deep: strip(point),
          dropPct,
          p: mw.p,
          method: mw.method,
        });
      }
    }
    if (!best || lossPct(best.median, point.median, better) < 0) best = point;
  }
  return found;
}

export function findAnomalies(samples: readonly Sample[], opts: AnomalyOptions): Anomaly[] {
  const metric = opts.metric ?? 'iops';
  const axis = opts.depthAxis ?? 'iodepth';
  const better = metricBetter(samples, metric) ?? 'higher';
  const values = groupSamples(samples, metric);
  const configs = new Map<string, Point[]>();
  const anomalies: Anomaly[] = [];
  for (const info of indexCells(samples).values()) {
    const v = values.get(info.cellKey);
    if (!v) continue;
    const bi = bimodality(v);
    if (bi.bimodal && bi.split)
      anomalies.push({ kind: 'bimodal', metric, cellKey: info.cellKey, cell: info.cell, ...bi.split });
    const depth = Number(info.cell[axis]);
    if (info.cell[axis] === undefined || !Number.isFinite(depth)) continue;
    const configKey = cellKeyOf(info.cell, axis);
    const list = configs.get(configKey) ?? [];
    list.push({ cellKey: info.cellKey, depth, median: median(v), values: v });
    configs.set(configKey, list);
  }
  for (const [configKey, points] of configs) anomalies.push(...depthDrops(points, configKey, metric, better, opts));
  return anomalies;
}
