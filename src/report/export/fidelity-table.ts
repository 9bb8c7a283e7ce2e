/** Terminal exporter of `calibrate --fidelity`: one row per cell, the verdicts, and how to read them. */
import Table from 'cli-table3';
import type { FidelityReport } from '../fidelity-report.js';
import { verdictText } from '../fidelity-report.js';
import { tableStyle } from '../format.js';
import { formatCount, formatFraction, formatNumber, formatP } from '../../util/number-format.js';
import type { Exporter } from './exporter.js';

const ratioText = (r: number | null) => (r === null ? '—' : formatNumber(r, 4));
const ciText = (ci: { low: number; high: number } | null) =>
  ci ? `${formatNumber(1 + ci.low / 100, 4)} … ${formatNumber(1 + ci.high / 100, 4)}` : '—';

/** Cell labels of the axes that differ between the rows (all of the key for one row); the full keys are in the JSON. */
function shortLabels(keys: readonly string[]): string[] {
  const parts = keys.map((k) => k.split(','));
  const varies = (part: string) => parts.some((p) => !p.includes(part));
  return parts.map((p, i) => (keys.length < 2 ? keys[i]! : p.filter(varies).join(' ') || keys[i]!));
}

const commonAxes = (keys: readonly string[]): string =>
  (keys[0] ?? '')
    .split(',')
    .filter((part) => keys.every((k) => k.split(',').includes(part)))
    .join(',');

function renderFidelityTable(m: FidelityReport, color: boolean): string {
  const { cvPct, halfWidthPct } = m.projection;
  const table = new Table({
    head: [
      'cell',
      'n',
      `median normal / free`,
      'ratio',
      `${formatNumber((1 - m.alpha) * 100, 3)} % CI`,
      'p',
      'CI width',
      'CV',
      'verdict',
      `n for ±${halfWidthPct} % at CV ${cvPct} %*`,
    ],
    style: tableStyle(color),
  });
  const labels = shortLabels(m.cells.map((c) => c.cellKey));
  for (const [i, c] of m.cells.entries()) {
    table.push([
      labels[i]!,
      `${c.n.normal}+${c.n.harnessFree}`,
      c.median ? `${formatCount(c.median.normal)} / ${formatCount(c.median.harnessFree)}` : '—',
      ratioText(c.ratio),
      ciText(c.ci),
      formatP(c.p),
      c.ciWidthPct === null ? '—' : `${formatNumber(c.ciWidthPct, 3)} pp`,
      formatFraction(c.cv),
      verdictText(c),
      c.projectedN === null ? '—' : `${c.projectedN} per side`,
    ]);
  }
  return [
    `fidelity of ${m.profileName} (${m.metric}): normal run / harness-free run (the guest runs the same fio argv ` +
      `from its own init: no SSH, no QMP, no polling); ${m.pairs.done} of ${m.pairs.planned} interleaved round(s)`,
    ...(m.cells.length > 1 && labels[0] !== m.cells[0]!.cellKey
      ? [`cells: ${commonAxes(m.cells.map((c) => c.cellKey))}, and`]
      : []),
    table.toString(),
    `equivalent: the ${formatNumber((1 - 2 * m.alpha) * 100, 3)} % CI inside ±${formatNumber(m.marginPct, 3)} % (TOST, α = ${m.alpha}); ` +
      `effect: p < ${m.alpha} and the ${formatNumber((1 - m.alpha) * 100, 3)} % CI excludes 1; undecided otherwise, with ` +
      `the minimum detectable effect (MDE: found 80 % of the time at this n and noise). n: normal + harness-free samples.`,
    ...(m.cells.length > 1
      ? [
          `${m.cells.length} cells, each tested at α = ${m.alpha}: with no effect anywhere, some cell shows a false ` +
            `"effect" with probability up to ${formatNumber((1 - (1 - m.alpha) ** m.cells.length) * 100, 3)} %.`,
        ]
      : []),
    `* a projection, not a measurement: n per side for a 95 % CI of ±${halfWidthPct} % on a host with ` +
      `CV ${cvPct} % (KVM-like), scaled from this cell's own CI width and CV.`,
    ...m.notCounted.map(
      (n) => `not counted: round ${n.round} ${n.path} ${n.cellKey}: ${n.reason.split('\n')[0] ?? ''}`,
    ),
    ...(m.accel === 'tcg'
      ? [
          '(accel tcg: QEMU emulates the CPU. Both paths run under the same emulator, so the ratio is meaningful; ' +
            "the noise is TCG's, far above a KVM host's.)",
        ]
      : []),
    `fidelity results: ${m.dir}`,
  ].join('\n');
}

export const fidelityTable: Exporter<FidelityReport> = {
  format: 'table',
  render: (m, ctx) => `${renderFidelityTable(m, ctx.color)}\n`,
};
