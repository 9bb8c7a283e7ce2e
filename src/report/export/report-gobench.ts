/**
 * Go benchmark format (golang.org/design/14313-benchmark-format, as read by
 * golang.org/x/perf/benchfmt), so `benchstat` can summarise and compare runs:
 *
 *   profile: quick                        file configuration (key: lower case, no spaces)
 *   Unit iops better=higher               unit metadata
 *   BenchmarkQuick/backend=virtio-blk/ioeventfd=on/scheduler=none/iodepth=4 1 12345 iops 5.05e+07 B/s …
 *
 * One result line per ok sample (a repetition is benchstat's "count"), the
 * iteration count is 1. Latencies are written in seconds with units that do
 * not contain `ns` or `MB`, which benchfmt would otherwise rescale.
 */
import type { Sample } from '../../model/sample.js';
import { metricEntries } from '../../model/metrics.js';
import type { ReportModel } from '../model.js';
import type { Exporter } from './exporter.js';
import { warningParagraph } from '../warnings.js';

interface GoMetric {
  metric: string;
  unit: string;
  scale: number;
  better: 'higher' | 'lower';
}

/** The metrics the metrics table gives a benchstat unit, in table order. */
const GOBENCH_METRICS: readonly GoMetric[] = metricEntries().flatMap(([metric, m]) =>
  m.gobench ? [{ metric, unit: m.gobench.unit, scale: m.gobench.scale, better: m.better }] : [],
);

/** `quick` → `Quick`, `seed-2011` → `Seed-2011`, `2011` → `Vblk2011`: a name benchstat shows nicely. */
export function benchmarkBaseName(profileName: string): string {
  const clean = profileName.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z]/.test(clean) ? clean[0]!.toUpperCase() + clean.slice(1) : `Vblk${clean}`;
}

/** A name-configuration value: no whitespace, no `/` (it separates sub-benchmarks). */
function nameValue(value: string | number): string {
  return String(value).replace(/[\s/]+/g, '_');
}

export function benchmarkName(profileName: string, sample: Pick<Sample, 'cell'>): string {
  const parts = Object.entries(sample.cell).map(([axis, v]) => `${axis}=${nameValue(v)}`);
  return [`Benchmark${benchmarkBaseName(profileName)}`, ...parts].join('/');
}

/** A file-configuration value: one line, trimmed. */
function configValue(v: unknown): string {
  return String(v ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function renderGoBench(model: ReportModel): string {
  const out: string[] = [];
  for (const m of GOBENCH_METRICS) out.push(`Unit ${m.unit} better=${m.better}`);
  model.runs.forEach((r, run) => {
    const env = r.environment as {
      qemu?: { version?: string };
      host?: { hostKernel?: string; cpuModel?: string };
      guest?: { kernel?: string };
    };
    const config: [string, unknown][] = [
      ['run', r.label],
      ['profile', r.manifest.profileName],
      ['accel', r.manifest.accel],
      ['qemu', env.qemu?.version],
      ['kernel', env.host?.hostKernel],
      ['cpu', env.host?.cpuModel],
      ['guest-kernel', env.guest?.kernel],
      ['vblk-bench', r.manifest.tool.version],
    ];
    out.push('');
    // An empty value would delete the key for the results below; write `unknown` instead.
    for (const [k, v] of config) out.push(`${k}: ${configValue(v) || 'unknown'}`);
    // Comment lines (benchfmt skips them): the typed warnings of this run's cells.
    for (const g of model.cellWarnings) {
      const cells = g.cells.filter((c) => c.run === run).map((c) => c.label);
      if (cells.length)
        out.push(`# ${g.severity}: ${g.kind} [${cells.join('; ')}]: ${configValue(warningParagraph(g))}`);
    }
    for (const s of r.samples) {
      if (s.status !== 'ok') {
        out.push(`# ${s.cellKey} r${s.repetition}: ${s.status}${s.reason ? `: ${configValue(s.reason)}` : ''}`);
        continue;
      }
      const values = GOBENCH_METRICS.filter((m) => Number.isFinite(s.metrics[m.metric]?.value)).map(
        (m) => `${Number((s.metrics[m.metric]!.value * m.scale).toPrecision(6))} ${m.unit}`,
      );
      if (values.length) out.push(`${benchmarkName(r.manifest.profileName, s)} 1 ${values.join(' ')}`);
    }
  });
  return `${out.join('\n')}\n`;
}

export const reportGoBench: Exporter<ReportModel> = { format: 'gobench', render: renderGoBench };
