/** Text exporter of `doctor`: one line per check with its fix, then the verdict. */
import { alignColumns } from '../format.js';
import type { DoctorReport } from '../doctor-report.js';
import type { Exporter } from './exporter.js';

export function renderDoctor({ checks }: DoctorReport): string {
  const rows = checks.flatMap((c) => [[c.level, c.name, c.detail], ...(c.fix && c.level !== 'ok' ? [['', '', `fix: ${c.fix}`]] : [])]);
  const fails = checks.filter((c) => c.level === 'fail').length;
  const verdict = fails ? `this host cannot run vblk-bench yet: ${fails} problem(s) marked fail` : 'this host can run vblk-bench';
  return `${alignColumns(rows)}\n\n${verdict}\n`;
}

export const doctorText: Exporter<DoctorReport> = { format: 'text', render: renderDoctor };
