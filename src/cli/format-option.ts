/**
 * `-f, --format <format>` for every command that renders output: its help,
 * default and check come from the exporter registry (report/export), and the
 * parsed value is the exporter itself, so a command cannot offer a format the
 * registry does not have or forget to check one.
 *
 * A command with a second mode of another output kind (`explain --latency`)
 * names it as `alternate`: a format of either kind parses, and the command
 * picks the exporter of its mode with `exporterOfMode` (a format the mode
 * lacks is refused there, with the mode's formats).
 */
import { Option } from 'commander';
import { InputError } from '../model/errors.js';
import { exporterFor, formatsOf, type OutputKind, type OutputModels } from '../report/export/registry.js';
import type { Exporter } from '../report/export/exporter.js';

/** A second mode of a command: the flag that selects it and its output kind. */
export interface AlternateKind {
  flag: string;
  kind: OutputKind;
}

/** The option, tagged with the output kind it selects from (the registry test walks every command for it). */
export type FormatOption = Option & { outputKind: OutputKind; alternate?: AlternateKind };

/** `output format: table, json` (and `; with --latency: table, json, html`). */
export function formatDescription(kind: OutputKind, alternate?: AlternateKind): string {
  const main = `output format: ${formatsOf(kind).join(', ')}`;
  return alternate ? `${main}; with ${alternate.flag}: ${formatsOf(alternate.kind).join(', ')}` : main;
}

export function formatOption(kind: OutputKind, alternate?: AlternateKind): FormatOption {
  const formats = formatsOf(kind);
  const parse = (value: string) => {
    if (!alternate || formats.includes(value)) return exporterFor(kind, value);
    if (formatsOf(alternate.kind).includes(value)) return exporterFor(alternate.kind, value);
    throw new InputError(
      `--format: expected one of ${formats.join(', ')} (with ${alternate.flag}: ${formatsOf(alternate.kind).join(', ')}), got ${value}`,
    );
  };
  const option = new Option('-f, --format <format>', formatDescription(kind, alternate))
    .default(exporterFor(kind, formats[0] ?? ''), formats[0])
    .argParser(parse);
  return Object.assign(option, { outputKind: kind, ...(alternate ? { alternate } : {}) });
}

/** The exporter of `kind` for the format the option parsed (by its name): bad input when this mode lacks it. */
export function exporterOfMode<K extends OutputKind>(kind: K, parsed: { format: string }): Exporter<OutputModels[K]> {
  return exporterFor(kind, parsed.format);
}
