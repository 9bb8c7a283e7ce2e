/** A fidelity file made in memory: per cell, the IOPS of each round on both paths. */
import type { FidelityFile } from '../../../src/calibrate/fidelity-file.js';

export function fidelityFile(cells: Record<string, { normal: number[]; harnessFree: number[] }>): FidelityFile {
  const keys = Object.keys(cells);
  const rounds = Math.max(...keys.flatMap((k) => [cells[k]!.normal.length, cells[k]!.harnessFree.length]));
  const samples: FidelityFile['samples'] = keys.flatMap((cellKey) =>
    (['normal', 'harness-free'] as const).flatMap((path) =>
      cells[cellKey]![path === 'normal' ? 'normal' : 'harnessFree'].map((iops, i) => ({
        round: i + 1,
        path,
        cellKey,
        bootId: `r${i + 1}`,
        status: 'ok' as const,
        metrics: { iops },
      })),
    ),
  );
  return {
    kind: 'vblk-bench-fidelity',
    schemaVersion: 1,
    createdAt: '2026-12-03T07:00:00.000Z',
    profileName: 'quick',
    accel: 'tcg',
    pairs: rounds,
    cells: keys,
    settings: { metric: 'iops', alpha: 0.05, marginPct: 5 },
    rounds: Array.from({ length: rounds }, (_, i) => ({
      round: i + 1,
      first: i % 2 === 0 ? ('normal' as const) : ('harness-free' as const),
      normalRun: `quick-2026120${i + 1}T070000Z`,
      normalExitCode: 0,
    })),
    samples,
  };
}
