/** `vblk-bench guest build|info`: the built-in guest (kernel + initramfs from Debian packages). */
import type { Command } from 'commander';
import { ensureGuestImage } from '../../guest-image/guest-image.js';
import { repoRoot } from '../../util/paths.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';

export function registerGuestCommand(program: Command, setExit: (code: number) => void): void {
  const guest = program.command('guest').description('the built-in guest image');
  guest
    .command('build')
    .description('build (or rebuild with --force) the built-in guest from Debian packages into the cache')
    .option('--force', 'rebuild even if a valid image for the current inputs exists')
    .action(async (options: { force?: boolean }) => {
      try {
        const image = await ensureGuestImage({ repoRoot: repoRoot(), build: true, force: options.force, log: (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(`guest image: ${image.dir}\ncontent hash: ${image.contentHash}\nkernel: ${image.manifest.kernelVersion}\n`);
        setExit(ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
  guest
    .command('info')
    .description('show the cached built-in guest for the current inputs, without building')
    .action(async () => {
      try {
        const image = await ensureGuestImage({ repoRoot: repoRoot(), build: false });
        process.stdout.write(JSON.stringify({ dir: image.dir, contentHash: image.contentHash, manifest: image.manifest }, null, 2) + '\n');
        setExit(ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
