/**
 * JUnit XML for CI systems: one testcase per cell × metric; a regression is a
 * <failure>, anything that keeps the gate from judging (inconclusive, missing,
 * failed, unsupported) is <skipped> with its reason, and an environment
 * mismatch (or incomplete data) adds a skipped `environment` (`completeness`)
 * testcase with the hint. The headline — verdict, first reason, the hint —
 * is in the suite's properties (`reason`, `hint`) and its <system-out>.
 */
import { describeInconclusive, inconclusiveHint, type InconclusiveKind } from '../../compare/inconclusive.js';
import type { GateCell, GateResult } from '../../gate/types.js';
import { cellDetails } from '../gate-cells.js';
import { gateHeadline, headlineLines } from '../gate-headline.js';
import type { GateReport } from '../gate-report.js';
import { escapeAttr, escapeText } from '../xml.js';
import type { Exporter } from './exporter.js';

const SKIPPED = new Set<GateCell['status']>(['inconclusive', 'missing', 'failed', 'unsupported']);

/** Reasons about the whole run (not one cell), as testcase names. */
const RUN_LEVEL: Partial<Record<InconclusiveKind, string>> = { environment: 'environment', incomplete: 'completeness' };

function testcase(c: GateCell): string {
  const open = `    <testcase classname="${escapeAttr(`gate.${c.metric}`)}" name="${escapeAttr(c.cellKey)}">`;
  const details = escapeText(cellDetails(c));
  if (c.status === 'regression') {
    const failure = `<failure type="regression" message="${escapeAttr(c.reason)}">${details}</failure>`;
    return `${open}\n      ${failure}\n    </testcase>`;
  }
  if (SKIPPED.has(c.status)) {
    const skipped = `<skipped message="${escapeAttr(`${c.status}: ${c.reason}`)}"/>`;
    return `${open}\n      ${skipped}\n      <system-out>${details}</system-out>\n    </testcase>`;
  }
  return `${open}\n      <system-out>${details}</system-out>\n    </testcase>`;
}

export function toJUnit(result: GateResult, opts: { suiteName?: string } = {}): string {
  const name = escapeAttr(opts.suiteName ?? 'vblk-bench gate');
  const cases = result.cells.map(testcase);
  let skipped = result.cells.filter((c) => SKIPPED.has(c.status)).length;
  const failures = result.cells.filter((c) => c.status === 'regression').length;
  // Run-level reasons that keep the gate from judging get a skipped testcase of their own, with the hint.
  for (const reason of result.inconclusive) {
    const name = RUN_LEVEL[reason.kind];
    if (!name) continue;
    skipped++;
    const message = `${describeInconclusive(reason)}. Hint: ${inconclusiveHint(reason)}`;
    cases.push(
      `    <testcase classname="gate" name="${name}">\n      <skipped message="${escapeAttr(message)}"/>\n    </testcase>`,
    );
  }
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  const h = gateHeadline(result);
  const props = [
    ['verdict', result.verdict],
    ['reason', h.why],
    ...(h.hint ? [['hint', h.hint]] : []),
    ['alpha', String(result.alpha)],
    ['correction', result.correction],
    ['tests', String(result.tests)],
    ['minSamplesNeeded', String(result.minSamplesNeeded)],
  ]
    .map(([k, v]) => `      <property name="${escapeAttr(k ?? '')}" value="${escapeAttr(v ?? '')}"/>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" ${counts}>`,
    `  <testsuite name="${name}" ${counts}>`,
    `    <properties>\n${props}\n    </properties>`,
    ...cases,
    `    <system-out>${escapeText(headlineLines(h).join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const gateJUnit: Exporter<GateReport> = {
  format: 'junit',
  render: (g) => toJUnit(g.result, { suiteName: g.title }),
};
