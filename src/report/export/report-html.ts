/**
 * The self-contained HTML report of one or more stored runs: findings (which
 * path won, by how much, how sure), metric-vs-iodepth charts per run with the
 * median's confidence band, the median grid, the comparison tables with
 * significance markers, anomalies, the insight breakdown when samples carry
 * one, the per-layer latency of a traced pass when the run has one, the
 * cells' typed warnings (host steal included), the environment
 * fingerprint and the run warnings (the TCG banner first).
 */
import { escapeHtml, formatTimestamp } from '../format.js';
import { formatNumber, formatSignedPct, formatCount } from '../../util/number-format.js';
import type { ReportLatency, ReportModel } from '../model.js';
import { cellGrid, comparisonLegend, comparisonText, findings, gridCellText } from '../rows.js';
import { describeAnomaly } from '../cell-stats-table.js';
import { banner, htmlPage, htmlTable, section, type CellInput } from '../html-page.js';
import { renderLineChart } from '../svg/line-chart.js';
import type { ExportContext, Exporter } from './exporter.js';
import { warningParagraph } from '../warnings.js';
import { latencyHtml } from '../latency-html.js';

function charts(model: ReportModel): string {
  const figures = model.runs.map((run, i) => {
    const lines = model.series
      .filter((s) => s.run === i)
      .map((s, k) => ({
        label: s.label.replace(`${run.label}: `, ''),
        colorIndex: k,
        points: s.points.map((p) => ({ ...p, note: `n=${p.n}${p.low === null ? ', no CI: n < 6' : ''}` })),
      }));
    const svg = renderLineChart({
      title: `${model.metric} vs ${model.depthAxis} — ${run.label}`,
      xLabel: model.depthAxis,
      yLabel: `${model.metric}${model.unit ? ` (${model.unit})` : ''}, median`,
      lines,
      xScale: 'log2',
      formatY: formatCount,
    });
    const caption = `Lines: median of the ok repetitions per cell. Bands: 95 % confidence interval of the median (order statistics; needs n ≥ 6). Accel: ${run.manifest.accel}.`;
    return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  });
  return `<div class="charts">${figures.join('')}</div>`;
}

function gridTable(model: ReportModel): string {
  const grid = cellGrid(model);
  return htmlTable(
    ['configuration', ...grid.columns],
    grid.rows.map((r) => ({ cells: [r.label, ...r.cells.map((c) => ({ text: gridCellText(c), className: 'num' }))] })),
  );
}

function comparisonTables(model: ReportModel): string[] {
  return model.comparisons.map((table) => {
    const rows = table.rows.map((r) => {
      const t = comparisonText(r, [...model.labelAxes, model.depthAxis], model.alpha);
      const num = (text: string): CellInput => ({ text, className: 'num' });
      return {
        className: r.status === 'ok' && r.significant ? 'sig' : undefined,
        cells: [
          t.cell,
          num(t.a),
          num(t.b),
          num(t.delta),
          num(t.deltaCi),
          num(t.p),
          { text: t.marker, className: 'marker' },
          t.note,
        ],
      };
    });
    return [
      `<h3>${escapeHtml(table.title)}</h3>`,
      htmlTable(['cell', 'A median', 'B median', 'Δ', 'CI of Δ', 'p', '', 'note'], rows),
      `<p class="muted">${escapeHtml(comparisonLegend(table, model.alpha))}</p>`,
    ].join('\n');
  });
}

/** Each pair of the insight breakdown: where the host CPU per I/O went, exits and interrupts, with its summary. */
function breakdownTables(model: ReportModel): string[] {
  const num = (v: number | null): CellInput => ({ text: v === null ? 'n/a' : formatNumber(v), className: 'num' });
  return model.breakdowns.flatMap((b) =>
    b.axes.flatMap((axis) =>
      axis.pairs.map((pair) => {
        const runLabel = model.runs.length > 1 ? `${model.runs[b.run]!.label}: ` : '';
        const rows = pair.rows.map((r) => ({
          cells: [
            r.label,
            { text: r.unit, className: 'muted' },
            num(r.a),
            num(r.b),
            { text: formatSignedPct(r.deltaPct), className: 'num' },
            { text: r.share === null ? '' : formatSignedPct(r.share * 100, 2), className: 'num' },
            { text: r.note ?? '', className: 'muted' },
          ],
        }));
        return [
          `<h3>${escapeHtml(`${runLabel}${pair.context}: ${pair.b.label} vs ${pair.a.label}`)}</h3>`,
          `<p>${escapeHtml(pair.summary)}</p>`,
          htmlTable(
            [
              '',
              'unit',
              `A: ${pair.a.label} (n=${pair.a.n})`,
              `B: ${pair.b.label} (n=${pair.b.n})`,
              'Δ',
              'share of Δ CPU',
              'note',
            ],
            rows,
          ),
        ].join('\n');
      }),
    ),
  );
}

function environmentTable(model: ReportModel): string {
  const flat = model.runs.map((r) => new Map(Object.entries(r.fingerprint)));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))];
  return htmlTable(
    ['', ...model.runs.map((r) => r.label)],
    keys.map((k) => {
      const values = flat.map((m) => m.get(k) ?? '—');
      const differs = new Set(values).size > 1;
      return {
        className: differs ? 'sig' : undefined,
        cells: [
          { html: `<code>${escapeHtml(k)}</code>` },
          ...values.map((v) => ({ html: `<span class="mono">${escapeHtml(v)}</span>` })),
        ],
      };
    }),
  );
}

function runsTable(model: ReportModel): string {
  return htmlTable(
    ['run', 'profile', 'accel', 'started', 'finished', 'status', 'samples'],
    model.runs.map((r) => ({
      cells: [
        { html: `<code>${escapeHtml(r.label)}</code>` },
        r.manifest.profileName,
        r.manifest.accel,
        formatTimestamp(r.manifest.startedAt),
        formatTimestamp(r.manifest.finishedAt),
        r.manifest.status + (r.manifest.stopReason ? `: ${r.manifest.stopReason}` : ''),
        Object.entries(r.manifest.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || '—',
      ],
    })),
  );
}

/** The cells' typed warnings, one item per distinct explanation with the cells it applies to. */
function warningList(model: ReportModel): string {
  const where = (c: { run: number; label: string }) =>
    model.runs.length > 1 ? `${model.runs[c.run]!.label}: ${c.label}` : c.label;
  const items = model.cellWarnings.map(
    (g) =>
      `<li><strong>${escapeHtml(g.kind)}</strong> (${escapeHtml(g.cells.map(where).join('; '))}): ${escapeHtml(warningParagraph(g))}</li>`,
  );
  return `<ul class="warnings">${items.join('')}</ul>`;
}

/** The traced pass's layer tables, pairs and timelines (the renderer of `explain --latency --format html`), and what could not be read. */
function latencySection(latency: ReportLatency): string {
  const problems = latency.problems.map((p) => `<p class="muted">${escapeHtml(p)}</p>`);
  const intro = `<p class="muted">${escapeHtml(
    `One traced fio run per cell after its measured repetitions (not samples: outside every statistic above); ${latency.cells.length} traced cell(s).`,
  )}</p>`;
  return section('Where the time goes: per-layer latency (traced pass)', intro, ...problems, ...latencyHtml(latency));
}

export function renderHtml(model: ReportModel, opts: Pick<ExportContext, 'generatedAt' | 'toolVersion'> = {}): string {
  const tcg = model.runs.some((r) => r.manifest.accel === 'tcg');
  const body: string[] = [];
  if (tcg) {
    body.push(
      banner('Measured under TCG (CPU emulation), not KVM', [
        'These numbers measure an emulator. They check the pipeline; they do not rank virtio I/O paths.',
      ]),
    );
  }
  const found = findings(model);
  body.push(
    section(
      'Findings',
      found.length
        ? `<ul class="findings">${found.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
        : '<p class="muted">No comparison was possible (a single configuration, or no ok measurements).</p>',
    ),
  );
  body.push(section(`${model.metric} vs ${model.depthAxis}`, charts(model)));
  body.push(section(`${model.metric}: median [95 % CI] per cell`, gridTable(model)));
  if (model.comparisons.length) body.push(section('Comparisons', ...comparisonTables(model)));
  if (model.anomalies.length)
    body.push(
      section(
        'Anomalies',
        `<ul>${model.anomalies.map((a) => `<li>${escapeHtml(describeAnomaly(a.anomaly, (k) => k))}</li>`).join('')}</ul>`,
      ),
    );
  const breakdowns = breakdownTables(model);
  if (breakdowns.length) body.push(section('Why: insight breakdown (medians per cell)', ...breakdowns));
  if (model.latency) body.push(latencySection(model.latency));
  if (model.cellWarnings.length) body.push(section('Statistical warnings', warningList(model)));
  if (model.warnings.length)
    body.push(
      section(
        'Run warnings',
        `<ul>${model.warnings.map((w) => `<li>${escapeHtml(warningParagraph(w))}</li>`).join('')}</ul>`,
      ),
    );
  body.push(section('Runs', runsTable(model)));
  body.push(section('Environment', environmentTable(model)));
  body.push(
    `<p class="muted">Generated by vblk-bench${opts.toolVersion ? ` ${escapeHtml(opts.toolVersion)}` : ''}${opts.generatedAt ? ` at ${escapeHtml(formatTimestamp(opts.generatedAt))}` : ''} from the stored samples; α = ${model.alpha}.</p>`,
  );
  const accels = [...new Set(model.runs.map((r) => r.manifest.accel))].join(', ');
  return htmlPage({
    title: model.title,
    subtitle: `${model.runs.length} run(s), accel ${accels}, metric ${model.metric}${model.unit ? ` (${model.unit})` : ''}, better: ${model.better}`,
    body,
  });
}

export const reportHtml: Exporter<ReportModel> = { format: 'html', render: renderHtml };
