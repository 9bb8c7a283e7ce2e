/** The rules of doc-references.ts on synthetic text: what counts as a path, a link, a section, a command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anchors,
  commentsOf,
  checkMarkdownLink,
  checkPathReference,
  expandBraces,
  findCommands,
  findMarkdownLinks,
  findPathReferences,
  findSectionReferences,
  globToRegExp,
  hasSection,
  listRepository,
  shellWords,
} from './doc-references.js';

test('path references: top-level folders at a word start, trailing dots dropped, braces expanded', () => {
  const text = [
    'See `src/stats/median-ci.ts`. Design: docs/insight.md.',
    'node --test dist/test/unit/ and /src/qemu/build/qemu-system-x86_64 are not repo paths',
    'units: examples/systemd/vblk-bench-nightly.{service,timer}',
    '(test/fixtures/runs/gate/README.md) and src/**/*.ts',
    'a placeholder: test/fixtures/runs/<name>/run.json, profiles/${name}.yaml',
    "config/src/x.ts and my-src/y.ts are not, .ci/run is, hyperfine's src/export/ is not",
  ].join('\n');
  assert.deepEqual(
    findPathReferences(text).map((r) => [r.path, r.kind, r.line]),
    [
      ['src/stats/median-ci.ts', 'file-or-dir', 1],
      ['docs/insight.md', 'file-or-dir', 1],
      ['examples/systemd/vblk-bench-nightly.service', 'file-or-dir', 3],
      ['examples/systemd/vblk-bench-nightly.timer', 'file-or-dir', 3],
      ['test/fixtures/runs/gate/README.md', 'file-or-dir', 4],
      ['src/**/*.ts', 'glob', 4],
      ['test/fixtures/runs/', 'dir-of-partial', 5],
      ['profiles/', 'dir-of-partial', 5],
      ['.ci/run', 'file-or-dir', 6],
    ],
  );
  assert.deepEqual(expandBraces('a/{b,c}/{d,e}'), ['a/b/d', 'a/b/e', 'a/c/d', 'a/c/e']);
});

test('a renamed file, a file named as a folder and a glob without a match are reported', () => {
  const root = mkdtempSync(join(tmpdir(), 'vblk-docs-'));
  try {
    mkdirSync(join(root, 'src', 'stats'), { recursive: true });
    writeFileSync(join(root, 'src', 'stats', 'median-ci.ts'), '');
    const files = () => listRepository(root);
    const check = (text: string) => findPathReferences(text).map((r) => checkPathReference(root, r, files));
    assert.deepEqual(check('src/stats/median-ci.ts src/stats/ src/**/*.ts'), [null, null, null]);
    assert.deepEqual(check('src/stats/median_ci.ts src/stats/median-ci.ts/ src/**/*.js'), [
      'does not exist',
      'is not a folder',
      'matches no file',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.ok(globToRegExp('src/**/*.ts').test('src/a/b/c.ts'));
  assert.ok(globToRegExp('src/**/*.ts').test('src/c.ts'));
  assert.ok(!globToRegExp('src/*.ts').test('src/a/c.ts'));
});

test('links and anchors: relative to the file, GitHub slugs, repeats numbered', () => {
  const md =
    '# Title\n## `gate` and the rest: why?\n## Repeat\n## Repeat\n```\n## not a heading\n[x](nope.md)\n```\n[a](other.md#x) [b](https://example.org) [c](#repeat-1)\n';
  assert.deepEqual([...anchors(md)], ['title', 'gate-and-the-rest-why', 'repeat', 'repeat-1']);
  assert.deepEqual(
    findMarkdownLinks(md).map((l) => l.target),
    ['other.md#x', '#repeat-1'],
  );
  const root = mkdtempSync(join(tmpdir(), 'vblk-docs-'));
  try {
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'a.md'), md);
    writeFileSync(join(root, 'docs', 'other.md'), '# X\n');
    const read = (p: string) => (p === 'docs/a.md' ? md : '# X\n');
    const check = (target: string) => checkMarkdownLink(root, 'docs/a.md', { target, line: 1 }, read);
    assert.equal(check('other.md#x'), null);
    assert.equal(check('#repeat-1'), null);
    assert.equal(check('other.md#y'), 'docs/other.md has no heading with anchor #y');
    assert.equal(check('gone.md'), 'docs/gone.md does not exist');
    assert.equal(check('../../etc/passwd'), 'points outside the repository');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('section references name a heading, which may add a code reference', () => {
  const text = 'see docs/guest-image.md, "Pinning the guest" and docs/statistics.md, *Inconclusive: the reasons*';
  assert.deepEqual(
    findSectionReferences(text).map((r) => [r.file, r.title]),
    [
      ['docs/guest-image.md', 'Pinning the guest'],
      ['docs/statistics.md', 'Inconclusive: the reasons'],
    ],
  );
  const wrapped =
    '# see docs/a.md, "Pinning the guest for\n# nightly and CI" and\n * docs/b.md, *At the\n * minimum effect*';
  assert.deepEqual(
    findSectionReferences(wrapped).map((r) => [r.file, r.title, r.line]),
    [
      ['docs/a.md', 'Pinning the guest for nightly and CI', 1],
      ['docs/b.md', 'At the minimum effect', 3],
    ],
  );
  const doc = '# Doc\n### Inconclusive: the reasons (`src/gate/headline.ts`)\n## Pinning the guest\n';
  assert.ok(hasSection(doc, 'Pinning the guest'));
  assert.ok(hasSection(doc, 'Inconclusive: the reasons'));
  assert.ok(!hasSection(doc, 'Inconclusive'));
  assert.ok(!hasSection(doc, 'Moving the pin'));
  assert.ok(hasSection('**At the minimum effect** (`x.ts`): …', 'At the minimum effect'));
});

test('commands: sh blocks split at operators, comments and assignments dropped; inline spans', () => {
  const md = [
    'Run `vblk-bench doctor --json` first; `npm test` is not one.',
    '```sh',
    './scripts/setup-host.sh && npm ci && ./bin/vblk-bench run profiles/quick.yaml   # the quick one',
    'VBLK_BENCH_CACHE=/tmp/c vblk-bench gate --baseline b.json \\',
    '  results/x --junit "gate report.xml"',
    'vblk-bench schema > vblk-bench.schema.json 2>&1',
    '```',
    '```yaml',
    'x: vblk-bench run not-a-command',
    '```',
  ].join('\n');
  assert.deepEqual(
    findCommands(md).map((c) => [c.args, c.line]),
    [
      [['doctor', '--json'], 1],
      [['run', 'profiles/quick.yaml'], 3],
      [['gate', '--baseline', 'b.json', 'results/x', '--junit', 'gate report.xml'], 4],
      [['schema'], 6],
    ],
  );
  assert.deepEqual(shellWords(`a 'b c' "d'e" f`), ['a', 'b c', "d'e", 'f']);
});

test('comments of code: strings and templates are not comments, line numbers are kept', () => {
  const ts = "const u = 'http://x/src/a.ts'; // see src/b.ts\n/* docs/c.md\n */ const t = `//${'src/d.ts'}`;\n";
  const c = commentsOf(ts, 'c');
  assert.deepEqual(
    findPathReferences(c).map((r) => [r.path, r.line]),
    [
      ['src/b.ts', 1],
      ['docs/c.md', 2],
    ],
  );
  const sh = 'echo "#x src/e.sh" # src/f.sh\nfoo#bar src/g.sh\n';
  assert.deepEqual(
    findPathReferences(commentsOf(sh, 'hash')).map((r) => r.path),
    ['src/f.sh'],
  );
});
