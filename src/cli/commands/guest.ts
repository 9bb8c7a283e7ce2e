/**
 * `vblk-bench guest build|info|export|import|test-image`: the built-in guest
 * (kernel + initramfs from Debian packages), moving it between hosts, and the
 * test image that stands in for a user's own guest image.
 */
import type { Command } from 'commander';
import { ensureGuestImage, guestInputsHash } from '../../guest-image/guest-image.js';
import { cachedGuestImageByHash, exportGuestImage, importGuestImage } from '../../guest-image/export.js';
import { ensureTestImage } from '../../guest-image/test-image.js';
import { repoRoot } from '../../util/paths.js';
import { ExitCode } from '../../model/exit-codes.js';
import { exporterFor } from '../../report/export/registry.js';
import { reportError } from '../errors.js';
import { defaultGuestCacheRoot } from '../../util/cache-root.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs a subcommand's body: success sets exit 0, any error is reported with its exit code. */
type Guard = <A extends unknown[]>(body: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;

function registerBuild(guest: Command, guarded: Guard): void {
  guest
    .command('build')
    .description('build (or rebuild with --force) the built-in guest from Debian packages into the cache')
    .option('--force', 'rebuild even if a valid image for the current inputs exists')
    .action(
      guarded(async (options: { force?: boolean }) => {
        const image = await ensureGuestImage({ repoRoot: repoRoot(), build: true, force: options.force, log });
        process.stdout.write(
          `guest image: ${image.dir}\ncontent hash: ${image.contentHash}\nkernel: ${image.manifest.kernelVersion}\n`,
        );
      }),
    );
}

function registerInfo(guest: Command, guarded: Guard): void {
  guest
    .command('info')
    .description('show the cached built-in guest for the current inputs, without building')
    .action(
      guarded(async () => {
        const image = await ensureGuestImage({ repoRoot: repoRoot(), build: false });
        process.stdout.write(
          exporterFor('guest-image', 'json').render(
            { dir: image.dir, contentHash: image.contentHash, manifest: image.manifest },
            { color: false },
          ),
        );
      }),
    );
}

function registerExport(guest: Command, guarded: Guard): void {
  guest
    .command('export')
    .description(
      'write the built guest (files, manifest, content hash) to one tar file, for `guest import` on another host',
    )
    .argument('<file.tar>', 'archive to write')
    .option(
      '--image-hash <hex>',
      'export the cached image with this content hash (prefix) instead of the one for the current inputs',
    )
    .action(
      guarded(async (file: string, options: { imageHash?: string }) => {
        const image = options.imageHash
          ? await cachedGuestImageByHash(defaultGuestCacheRoot(), options.imageHash)
          : await ensureGuestImage({ repoRoot: repoRoot(), build: false });
        const record = await exportGuestImage(image, file);
        process.stdout.write(
          `exported ${image.dir} to ${file}\ncontent hash: ${record.contentHash}\nkernel: ${record.kernelVersion}\n`,
        );
      }),
    );
}

function registerImport(guest: Command, guarded: Guard): void {
  guest
    .command('import')
    .description(
      'check a `guest export` archive (every file against the manifest, the content hash) and put it into the cache',
    )
    .argument('<file.tar>', 'archive written by `guest export`')
    .option(
      '--expect-hash <hex>',
      'refuse unless the content hash starts with this (from the exporting host or a results environment.json)',
    )
    .option('--force', 'replace a different image already cached for the same build inputs')
    .action(
      guarded(async (file: string, options: { expectHash?: string; force?: boolean }) => {
        const { image, installed } = await importGuestImage(file, {
          cacheRoot: defaultGuestCacheRoot(),
          expectHash: options.expectHash,
          force: options.force,
        });
        process.stdout.write(
          `${installed ? 'imported' : 'already present'}: ${image.dir}\ncontent hash: ${image.contentHash}\nkernel: ${image.manifest.kernelVersion}\n`,
        );
        const current = await guestInputsHash(repoRoot()).catch(() => undefined);
        if (current !== image.manifest.inputsHash) {
          process.stdout.write(
            `info: built from other scripts/guest/ than this checkout's; select it with guest: {kind: builtin, image_hash: ${image.contentHash.slice(0, 16)}}\n`,
          );
        }
      }),
    );
}

function registerTestImage(guest: Command, guarded: Guard): void {
  guest
    .command('test-image')
    .description(
      'build (cached) the small qcow2 test image that stands in for your own guest image, and print its path',
    )
    .option('--force', 'rebuild it')
    .action(
      guarded(async (options: { force?: boolean }) => {
        const guestImage = await ensureGuestImage({ repoRoot: repoRoot(), build: true, log });
        const image = await ensureTestImage({
          repoRoot: repoRoot(),
          cacheRoot: defaultGuestCacheRoot(),
          guest: guestImage,
          force: options.force,
          log,
        });
        process.stdout.write(`${image.path}\n`);
      }),
    );
}

export function registerGuestCommand(program: Command, setExit: (code: number) => void): void {
  const guarded: Guard =
    <A extends unknown[]>(body: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await body(...args);
        setExit(ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    };
  const guest = program.command('guest').description('the built-in guest image, its export/import, and the test image');
  for (const register of [registerBuild, registerInfo, registerExport, registerImport, registerTestImage])
    register(guest, guarded);
}
