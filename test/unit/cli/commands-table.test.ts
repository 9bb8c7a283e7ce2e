/**
 * The CLI loads only the command it runs (src/cli/commands-table.ts); the
 * whole program (src/cli/program.ts) serves the help. The two must name the
 * same commands in the same order, and each loader must register its own
 * command with the options the whole program gives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { COMMAND_LOADERS, configureProgram } from '../../../src/cli/commands-table.js';
import { buildProgram } from '../../../src/cli/program.js';

test('every command of the program loads alone, as the program registers it', async () => {
  const whole = buildProgram(() => {});
  assert.deepEqual(
    whole.commands.map((c) => c.name()),
    Object.keys(COMMAND_LOADERS),
  );
  for (const [name, load] of Object.entries(COMMAND_LOADERS)) {
    const alone = configureProgram(new Command('vblk-bench'));
    (await load())(alone, () => {});
    assert.deepEqual(
      alone.commands.map((c) => c.name()),
      [name],
    );
    assert.equal(
      alone.commands[0]!.helpInformation(),
      whole.commands.find((c) => c.name() === name)!.helpInformation(),
    );
  }
});
