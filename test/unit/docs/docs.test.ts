/**
 * The README is a front door and the guides in docs/ are the reference: the
 * README stays small, its two quick-start commands are the ones CI runs,
 * every `vblk-bench …` command it shows is one the CLI accepts, and every repo
 * path, link and named section in the docs, the examples and the sources
 * (comments and strings alike) exists — so a renamed or moved file breaks
 * this test, not a reader. The rules are in doc-references.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import {
  checkMarkdownLink,
  checkPathReference,
  commentsOf,
  findCommands,
  findMarkdownLinks,
  findPathReferences,
  findSectionReferences,
  hasSection,
  listRepository,
} from './doc-references.js';
import { cliRejection, synopsisProblem } from './cli-accepts.js';
import { JSON_SCHEMAS } from '../../../src/report/export/json.js';

const README_MAX_BYTES = 12 * 1024;

let repoFiles: string[] | undefined;
const files = (): string[] => (repoFiles ??= listRepository(REPO_ROOT));
const read = (rel: string): string => readFileSync(join(REPO_ROOT, rel), 'utf8');

/**
 * The files whose references are checked: all Markdown; the comments of the
 * sources, tests, scripts, examples, profiles and CI. Left out: this test's
 * own folder (its examples name missing files on purpose).
 */
function scannedFiles(): string[] {
  return files().filter(
    (f) => !f.endsWith('/') && !f.startsWith('test/unit/docs/') && (f.endsWith('.md') || commentStyle(f) !== null),
  );
}

function commentStyle(file: string): 'c' | 'hash' | null {
  if (/\.(ts|mjs)$/.test(file) || file === 'bin/vblk-bench') return 'c';
  if (/\.(sh|ya?ml|service|timer)$/.test(file)) return 'hash';
  if (/^(\.ci\/run|scripts\/guest\/init|examples\/cron\/|test\/fixtures\/runs\/gate\/qemu-)/.test(file)) return 'hash';
  return null;
}

/** Where paths are named: a Markdown text whole, a code file's comments. */
function prose(file: string): string {
  const style = commentStyle(file);
  return file.endsWith('.md') || style === null ? read(file) : commentsOf(read(file), style);
}

test('README.md is at most 12 KB', () => {
  const size = statSync(join(REPO_ROOT, 'README.md')).size;
  assert.ok(
    size <= README_MAX_BYTES,
    `README.md is ${size} bytes, more than ${README_MAX_BYTES}: move reference material to docs/`,
  );
});

test('every repo path named in docs, examples and sources exists', () => {
  const scanned = scannedFiles();
  assert.ok(
    scanned.includes('README.md') &&
      scanned.some((f) => f.startsWith('src/')) &&
      scanned.some((f) => f.startsWith('docs/')),
  );
  const problems: string[] = [];
  let checked = 0;
  for (const file of scanned) {
    for (const ref of findPathReferences(prose(file))) {
      checked++;
      const why = checkPathReference(REPO_ROOT, ref, files);
      if (why) problems.push(`${file}:${ref.line}: ${ref.written}: ${why}`);
    }
  }
  assert.ok(checked > 100, `only ${checked} path references found: the scan is broken`);
  assert.deepEqual(problems, []);
});

test('every Markdown link and anchor resolves', () => {
  const problems: string[] = [];
  for (const file of scannedFiles().filter((f) => f.endsWith('.md'))) {
    for (const link of findMarkdownLinks(read(file))) {
      const why = checkMarkdownLink(REPO_ROOT, file, link, read);
      if (why) problems.push(`${file}:${link.line}: (${link.target}): ${why}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every named section of a guide ("docs/x.md, \\"Title\\"") exists', () => {
  const problems: string[] = [];
  for (const file of scannedFiles()) {
    for (const ref of findSectionReferences(read(file))) {
      let doc: string;
      try {
        doc = read(ref.file);
      } catch {
        problems.push(`${file}:${ref.line}: ${ref.file} does not exist`);
        continue;
      }
      if (!hasSection(doc, ref.title)) problems.push(`${file}:${ref.line}: ${ref.file} has no section "${ref.title}"`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every vblk-bench command in the README is accepted by the CLI', async () => {
  const commands = findCommands(read('README.md'));
  assert.ok(commands.length >= 6, `only ${commands.length} commands found in the README`);
  const problems: string[] = [];
  for (const c of commands) {
    const why = await cliRejection(c.args);
    if (why) problems.push(`README.md:${c.line}: ${c.written}: ${why}`);
  }
  assert.deepEqual(problems, []);
});

test('every vblk-bench command or usage line in the guides names a real command and its real options', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of scannedFiles().filter((f) => f.startsWith('docs/'))) {
    for (const c of findCommands(read(file))) {
      checked++;
      const why = synopsisProblem(c.args);
      if (why) problems.push(`${file}:${c.line}: ${c.written}: ${why}`);
    }
  }
  assert.ok(checked > 40, `only ${checked} commands found in docs/`);
  assert.deepEqual(problems, []);
});

test('docs/reports.md lists every JSON document kind with its current version', () => {
  const listed = new Map(
    [...read('docs/reports.md').matchAll(/^\| `vblk-bench\/([\w-]+)` \| (\d+) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
  assert.deepEqual(Object.fromEntries(listed), { ...JSON_SCHEMAS });
});

test('every npm dependency is justified in the README', () => {
  const pkg = JSON.parse(read('package.json')) as { dependencies?: object; devDependencies?: object };
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Dependencies and why'));
  assert.ok(section.length < readme.length, 'README.md has no "Dependencies and why" section');
  const named = new Set(
    [...section.matchAll(/^\| `([^`]+)`(?:, `([^`]+)`)*/gm)].flatMap((m) => m.slice(1).filter(Boolean)),
  );
  const justified = (name: string) => named.has(name) || (name.startsWith('@types/') && named.has('@types/*'));
  const missing = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => !justified(n));
  assert.deepEqual(missing, [], 'add a row saying why to "Dependencies and why"');
});

test("the README's quick start: the setup script chained with a run, and .ci/run's test command verbatim", () => {
  const readme = read('README.md');
  const ciLines = read('.ci/run')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^(set|cd|export) /.test(l));
  // One command and nothing else: an install step only CI performs would leave the README's command red.
  assert.equal(ciLines.length, 1, `.ci/run runs more than the README's test command: ${ciLines.join(' | ')}`);
  const ciLine = ciLines[0]!;
  assert.match(ciLine, /npm test$/);
  const shLines = readme.split('\n').map((l) => l.trim());
  assert.ok(shLines.includes(ciLine), `README.md lacks the line .ci/run runs: ${ciLine}`);
  const run = shLines.find((l) =>
    /^\.\/scripts\/setup-host\.sh && npm ci && \.\/bin\/vblk-bench run profiles\/[\w.-]+\.yaml$/.test(l),
  );
  assert.ok(run, 'README.md lacks "./scripts/setup-host.sh && npm ci && ./bin/vblk-bench run profiles/<name>.yaml"');
});

test('the command check rejects what the CLI rejects', async () => {
  assert.equal(await cliRejection(['run', 'profiles/quick.yaml']), null);
  assert.equal(await cliRejection(['guest', 'import', 'g.tar', '--expect-hash', 'abc']), null);
  assert.match((await cliRejection(['frobnicate']))!, /unknown command/);
  assert.match((await cliRejection(['run', '--no-such-option', 'p.yaml']))!, /unknown option/);
  assert.match((await cliRejection(['compare', 'a', 'b', 'c']))!, /too many arguments/);
  assert.match((await cliRejection(['gate', '--baseline', 'b.json']))!, /missing required argument/);
  assert.match((await cliRejection(['gate', 'current', '--baseline-run']))!, /argument missing/);
  assert.match((await cliRejection(['report', 'r', '--format']))!, /argument missing/);
  assert.match((await cliRejection(['guest', 'export']))!, /missing required argument/);
  assert.equal(synopsisProblem(['gate', '--baseline', '<x>', '[--bisect]', '[--format', 'table|json]']), null);
  assert.equal(synopsisProblem(['gate', '--baseline', 'b', '[--bissect]']), 'gate has no option --bissect');
  assert.equal(synopsisProblem(['guest', 'import', 'x.tar', '--expect-hash', 'H']), null);
  assert.match(synopsisProblem(['guest'])!, /needs a subcommand/);
});
