/** Text exporter of `doctor`: one line per check with its hint, then the verdict. */
import { alignColumns } from '../format.js';
import type { DoctorReport } from '../doctor-report.js';
import type { Exporter } from './exporter.js';

export function renderDoctor({ checks }: DoctorReport): string {
  const rows = checks.flatMap((c) => [
    [c.level, c.name, c.detail],
    ...(c.hint && c.level !== 'ok' ? [['', '', `hint: ${c.hint}`]] : []),
  ]);
  const errors = checks.filter((c) => c.level === 'error').length;
  const verdict = errors
    ? `this host cannot run vblk-bench yet: ${errors} problem(s) marked error`
    : 'this host can run vblk-bench';
  return `${alignColumns(rows)}\n\n${verdict}\n`;
}

export const doctorText: Exporter<DoctorReport> = { format: 'text', render: renderDoctor };
