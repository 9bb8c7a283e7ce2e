import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { toJUnit } from '../../../src/report/export/gate-junit.js';
import { toMarkdown } from '../../../src/report/export/gate-markdown.js';
import { escapeMarkdownCell, escapeMarkdownText } from '../../../src/report/format.js';
import { escapeAttr, escapeText } from '../../../src/report/xml.js';
import { makeRunsMulti, makeSample } from './sample-factory.js';

const nasty = { backend: 'a<b&c"d\'e|f', iodepth: 1 };
const plain = { backend: 'virtio-blk', iodepth: 1 };
const failedCell = { backend: 'nvme', iodepth: 1 };
const up = [1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070, 1080, 1090];

const base = [
  ...makeRunsMulti(nasty, { iops: up }),
  ...makeRunsMulti(plain, { iops: up }),
  ...makeRunsMulti(failedCell, { iops: up }),
];
const cur = [
  ...makeRunsMulti(nasty, { iops: up.map((x) => x * 0.7) }),
  ...makeRunsMulti(plain, { iops: [...up].reverse() }),
  ...makeRunsMulti(failedCell, { iops: up }),
  makeSample(failedCell, {}, { status: 'failed', reason: 'guest <panic> & "oops"', repetition: 11 }),
];
const result = evaluateGate(base, cur, {
  metrics: [{ name: 'iops', minEffectPct: 5 }],
  envMismatch: [{ path: 'qemu.version', text: 'qemu <8.2> & "9.0"' }],
});

describe('XML escaping', () => {
  it('escapes & < > " \' and drops characters XML 1.0 forbids', () => {
    assert.equal(escapeAttr('a<b&c"d\'e>\n\u0001'), 'a&lt;b&amp;c&quot;d&apos;e&gt;&#10;');
    assert.equal(escapeText('x < y && "z"\n'), 'x &lt; y &amp;&amp; &quot;z&quot;\n');
  });
});

describe('toJUnit', () => {
  const xml = toJUnit(result);

  it('one testcase per cell × metric plus the environment; failure for the regression, skipped otherwise', () => {
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
    assert.equal((xml.match(/<failure /g) ?? []).length, 1);
    assert.equal((xml.match(/<skipped /g) ?? []).length, 2);
    assert.match(xml, /<testsuite name="vblk-bench gate" tests="4" failures="1" errors="0" skipped="2">/);
    assert.match(xml, /<property name="verdict" value="inconclusive"\/>/);
  });

  it('escapes cell keys, reasons and environment text', () => {
    assert.ok(xml.includes('name="backend=a&lt;b&amp;c&quot;d&apos;e|f,iodepth=1"'));
    assert.ok(xml.includes('guest &lt;panic&gt; &amp; &quot;oops&quot;'));
    assert.ok(xml.includes('qemu &lt;8.2&gt; &amp; &quot;9.0&quot;'));
    assert.ok(!xml.includes('a<b') && !xml.includes('<panic>') && !xml.includes('"oops"'));
  });

  it('is well nested: every opened element is closed', () => {
    const opened = (xml.match(/<(testsuites|testsuite|testcase|failure|system-out|properties)[ >]/g) ?? []).length;
    const closed = (xml.match(/<\/(testsuites|testsuite|testcase|failure|system-out|properties)>/g) ?? []).length;
    assert.equal(opened, closed);
  });
});

describe('toMarkdown', () => {
  const md = toMarkdown(result);

  it('has a verdict heading, reasons and one table row per cell × metric, worst first', () => {
    assert.match(md, /^## vblk-bench gate: INCONCLUSIVE$/m);
    assert.match(
      md,
      /^- environment differs: qemu &lt;8.2> &amp; "9.0"$/m,
      'a bare <8.2> would be taken for an HTML tag and dropped',
    );
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Status') && !l.startsWith('| ---'));
    assert.equal(rows.length, 3);
    assert.ok(rows[0]?.startsWith('| **regression** | iops |'));
    assert.ok(rows[1]?.startsWith('| failed | iops |'));
    assert.ok(rows[2]?.startsWith('| pass | iops |'));
  });

  it('escapes pipes so a cell value cannot break the table', () => {
    assert.equal(escapeMarkdownCell('a|b\nc'), 'a\\|b c');
    assert.ok(md.includes('a<b&c"d\'e\\|f'));
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      assert.equal(line.replace(/\\\|/g, '').split('|').length - 2, 11, line);
    }
  });
});

describe('escapeMarkdownText', () => {
  it('escapes < and & outside code spans only, and joins lines', () => {
    assert.equal(
      escapeMarkdownText('--subject <path> and `run <profile>` & more\nnext'),
      '--subject &lt;path> and `run <profile>` &amp; more next',
    );
    assert.equal(escapeMarkdownText('an unpaired ` <tag>'), 'an unpaired ` &lt;tag>');
  });
});
