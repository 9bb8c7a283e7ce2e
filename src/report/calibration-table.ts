/** `calibrate`'s noise-floor table: per cell and metric the spread, the A/A arms' disagreement and the repetitions a gate needs. */
import Table from 'cli-table3';
import type { CalibrationFile } from '../calibrate/file.js';
import { formatFraction, formatNumber, formatP, formatSignedPct, formatCount } from '../util/number-format.js';
import { tableStyle } from './format.js';

export function renderCalibration(cal: CalibrationFile, color: boolean): string {
  const { effectPct, alpha, power } = cal.settings;
  const table = new Table({
    head: [
      'cell',
      'metric',
      'n (A+B)',
      'median',
      'CV',
      'MAD',
      'A/A Δ',
      'A/A p',
      `reps for ${effectPct} %`,
      'power at n',
    ],
    style: tableStyle(color),
  });
  for (const c of cal.cells) {
    table.push([
      c.cellKey,
      c.metric,
      `${c.n[0]}+${c.n[1]}`,
      formatCount(c.median),
      formatFraction(c.cv),
      `${formatNumber(c.madPct, 3)} %`,
      formatSignedPct(c.aaDeltaPct),
      formatP(c.aaP),
      c.requiredRepetitions === null ? '> 100' : String(c.requiredRepetitions),
      formatFraction(c.powerAtMeasured),
    ]);
  }
  return [
    `noise floor (A/A: ${cal.arms.labels.join(' vs ')}, both ${cal.arms.axis}=${cal.arms.original}); repetitions per side to catch a ` +
      `${effectPct} % regression at α = ${alpha} with ${formatFraction(power)} power (simulated from the measured noise)`,
    table.toString(),
    `The gate tests m cells × metrics and must beat α/m: pass this file with gate --calibration to check its actual settings.`,
  ].join('\n');
}
