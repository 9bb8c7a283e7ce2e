import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, quoteArg } from '../../../src/util/shell-quote.js';

const shells = ['/bin/sh', '/usr/bin/dash', '/usr/bin/bash', '/bin/busybox'].filter((s) => existsSync(s));

/** What a real shell makes of the command line: the argv it would pass on, NUL-separated. */
function argvSeenBy(shell: string, args: string[]): string[] {
  const line = commandLine(['printf', '%s\\0', ...args]);
  const argv = shell.endsWith('busybox') ? ['sh', '-c', line] : ['-c', line];
  const out = execFileSync(shell, argv, { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  '$(touch MARK1)',
  '`touch MARK2`',
  "'",
  "it's",
  "'''",
  'a\nb',
  '\n',
  ';',
  '; touch MARK3',
  '&& touch MARK4',
  '| touch MARK5',
  '> MARK6',
  '$HOME',
  '${IFS}',
  '*',
  '?',
  '[a]',
  '~',
  '~root',
  '#comment',
  '{a,b}',
  '!',
  '\\',
  '"',
  '\t',
  ' leading and trailing ',
  '',
  '-n',
  'émoji ✓',
  'x=$(touch MARK7)',
];

test('quoteArg leaves plain words bare and quotes everything else', () => {
  assert.equal(quoteArg('--name=t'), '--name=t');
  assert.equal(quoteArg('/sys/block/vda/queue/scheduler'), '/sys/block/vda/queue/scheduler');
  assert.equal(quoteArg(''), "''");
  assert.equal(quoteArg('a b'), "'a b'");
  assert.equal(quoteArg("it's"), `'it'\\''s'`);
  assert.equal(quoteArg('$(touch /tmp/x)'), "'$(touch /tmp/x)'");
  assert.equal(quoteArg('~'), "'~'");
  assert.throws(() => quoteArg('a\0b'), /NUL/);
  assert.throws(() => commandLine([]), /empty argv/);
});

test('a leading NAME=value word is quoted so it is a command, not an assignment', () => {
  assert.equal(commandLine(['A=1', 'B=2']), "'A=1' B=2");
});

for (const shell of shells) {
  test(`hostile arguments reach ${shell} as exactly one word each, and run nothing`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vblk-quote-'));
    try {
      const args = HOSTILE.map((a) => a.replace(/MARK(\d)/g, (_m, n: string) => join(dir, `mark${n}`)));
      const seen = argvSeenBy(shell, args);
      assert.deepEqual(seen, args);
      assert.deepEqual(readdirSync(dir), [], 'no command in an argument may run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the first word with "=" is run as a command by a real shell', () => {
  // If it were an assignment, `sh` would succeed silently; as a command it is not found (127).
  assert.throws(
    () => execFileSync('/bin/sh', ['-c', commandLine(['X=1', 'true'])], { stdio: 'pipe' }),
    (err: { status?: number }) => err.status === 127,
  );
});
