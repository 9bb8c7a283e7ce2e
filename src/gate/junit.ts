/**
 * JUnit XML for CI systems: one testcase per cell × metric; a regression is a
 * <failure>, anything that keeps the gate from judging (inconclusive, missing,
 * failed, unsupported) is <skipped> with its reason, and an environment
 * mismatch (or incomplete data) adds a skipped `environment` (`completeness`) testcase.
 */
import { cellDetails } from './describe-cell.js';
import type { GateCell, GateResult } from './types.js';
import { escapeAttr, escapeText } from './xml.js';

const SKIPPED = new Set<GateCell['status']>(['inconclusive', 'missing', 'failed', 'unsupported']);

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
  // Run-level reasons that keep the gate from judging get a skipped testcase of their own.
  for (const [name, prefix] of [['environment', 'environment differs: '], ['completeness', 'incomplete: ']] as const) {
    const lines = result.reasons.filter((r) => r.startsWith(prefix));
    if (lines.length === 0) continue;
    skipped++;
    cases.push(
      `    <testcase classname="gate" name="${name}">\n      <skipped message="${escapeAttr(lines.join('; '))}"/>\n    </testcase>`,
    );
  }
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  const props = [
    ['verdict', result.verdict],
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
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
