/**
 * Facts about the running guest recorded with every boot: kernel release and
 * fio version (results from different fio versions are not comparable blindly).
 */
import { RunStepError } from '../model/errors.js';
import { type GuestRunner } from './ssh-session.js';
import { lastLines } from './remote-command.js';

export interface GuestFacts {
  /** `uname -r`, e.g. `6.1.0-28-amd64`. */
  kernel: string;
  /** `fio --version`, e.g. `fio-3.33`. */
  fioVersion: string;
}

const KERNEL_RELEASE = /^[A-Za-z0-9._+~-]{1,128}$/;
const FIO_VERSION = /^fio-\d+\.\d+[A-Za-z0-9._+~-]*$/;
const TIMEOUT_MS = 15_000;

export async function readGuestFacts(session: GuestRunner): Promise<GuestFacts> {
  const uname = await session.run(['uname', '-r'], { timeoutMs: TIMEOUT_MS });
  const kernel = uname.stdout.trim();
  if (!KERNEL_RELEASE.test(kernel)) {
    throw new RunStepError(
      `guest: unexpected 'uname -r' output ${JSON.stringify(uname.stdout.slice(0, 200))}`,
      'guest',
    );
  }

  const fio = await session.exec(['fio', '--version'], { timeoutMs: TIMEOUT_MS });
  const lib = /error while loading shared libraries: ([^:\s]+)/.exec(fio.stderr);
  if (lib) {
    throw new RunStepError(
      `fio in the guest cannot start: shared library ${lib[1]} is missing`,
      'guest',
      lastLines(fio.stderr, 3),
      'FioNotFound',
    );
  }
  if (fio.code === 127) {
    throw new RunStepError('fio not found in the guest', 'guest', lastLines(fio.stderr, 3), 'FioNotFound');
  }
  if (fio.code !== 0) {
    throw new RunStepError(
      `guest: 'fio --version' failed (exit ${fio.code ?? fio.signal})`,
      'guest',
      lastLines(fio.stderr, 5),
    );
  }
  const fioVersion = fio.stdout.trim();
  if (!FIO_VERSION.test(fioVersion)) {
    throw new RunStepError(
      `guest: unexpected 'fio --version' output ${JSON.stringify(fio.stdout.slice(0, 200))}`,
      'guest',
    );
  }
  return { kernel, fioVersion };
}
