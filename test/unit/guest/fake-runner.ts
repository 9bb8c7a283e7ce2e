/**
 * A scripted GuestRunner for unit tests: each call is matched by its argv and
 * answered by a handler; every call is recorded. (Not a test file itself.)
 */
import { RunStepError } from '../../../src/model/errors.js';
import type { GuestRunner } from '../../../src/guest/ssh-session.js';
import { type ExecOptions, type ExecResult } from '../../../src/guest/remote-command.js';

export type Handler = (argv: string[]) => Partial<ExecResult> | undefined;

export class FakeRunner implements GuestRunner {
  readonly calls: string[][] = [];
  constructor(private readonly handler: Handler) {}

  async exec(argv: string[], _opts: ExecOptions): Promise<ExecResult> {
    this.calls.push(argv);
    const r = this.handler(argv);
    if (r === undefined) return { stdout: '', stderr: `fake: unexpected command ${argv.join(' ')}`, code: 127 };
    return { stdout: '', stderr: '', code: 0, ...r };
  }

  async run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const r = await this.exec(argv, opts);
    if (r.code !== 0)
      throw new RunStepError(`guest command failed (exit ${r.code}): ${argv.join(' ')}`, 'guest', [r.stderr]);
    return r;
  }
}
