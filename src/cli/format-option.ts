/**
 * `-f, --format <format>` for every command that renders output: its help,
 * default and check come from the exporter registry (report/export), and the
 * parsed value is the exporter itself, so a command cannot offer a format the
 * registry does not have or forget to check one.
 */
import { Option } from 'commander';
import { exporterFor, formatsOf, type OutputKind } from '../report/export/registry.js';

/** The option, tagged with the output kind it selects from (the registry test walks every command for it). */
export type FormatOption = Option & { outputKind: OutputKind };

export function formatOption(kind: OutputKind): FormatOption {
  const formats = formatsOf(kind);
  const option = new Option('-f, --format <format>', `output format: ${formats.join(', ')}`)
    .default(exporterFor(kind, formats[0] ?? ''), formats[0])
    .argParser((value: string) => exporterFor(kind, value));
  return Object.assign(option, { outputKind: kind });
}
