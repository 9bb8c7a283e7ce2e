/**
 * The benchmark scripts' options: a mistyped option must not start a long
 * benchmark with its defaults (store-bench once ran its whole 1000-run
 * default for `--help`). Parsed in process for values; through the real
 * scripts for `--help` and a bad option, which end the process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { scriptOptions } from '../../../scripts/script-options.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const SPEC = {
  runs: { kind: 'value', fallback: '100,365', help: 'tree sizes' },
  keep: { kind: 'flag', help: 'keep it' },
} as const;

describe('benchmark script options', () => {
  it('gives the values given, the defaults for the rest, and flags as booleans', () => {
    assert.deepEqual(scriptOptions('t', '', SPEC, ['--runs', '7']), { runs: '7', keep: false });
    assert.deepEqual(scriptOptions('t', '', SPEC, ['--keep']), { runs: '100,365', keep: true });
  });

  for (const script of ['store-bench', 'bench-db']) {
    const path = join(REPO_ROOT, 'dist', 'scripts', `${script}.js`);

    it(`${script} --help prints its options and starts nothing`, async () => {
      const r = await execa(process.execPath, [path, '--help'], { reject: false, timeout: 30_000 });
      assert.equal(r.exitCode, 0);
      assert.match(String(r.stdout), new RegExp(`^usage: ${script} \\[options\\]`));
      assert.match(String(r.stdout), /--runs <value> +tree sizes, comma-separated/);
    });

    it(`${script} refuses an unknown option in one line, exit 2`, async () => {
      const r = await execa(process.execPath, [path, '--runz', '5'], { reject: false, timeout: 30_000 });
      assert.equal(r.exitCode, 2);
      assert.equal(String(r.stdout), '');
      assert.match(String(r.stderr), new RegExp(`^${script}: Unknown option '--runz'.*\\(see --help\\)$`));
      assert.equal(String(r.stderr).split('\n').length, 1);
    });
  }
});
