/** A complete, valid fake built-in guest image directory (small files, real hashes) for unit tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GUEST_IMAGE_FILES } from '../../../src/guest-image/guest-image.js';
import { type GuestManifest } from '../../../src/guest-image/manifest.js';
import { sha256Of } from '../../../src/util/sha256.js';

export const FAKE_HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPmufoNXjlOG4rBiwduJ4YbK8+qQI5aabL3+O3NFfFP0';

/** Writes the image into `dir`; `extra` overrides manifest fields (e.g. inputsHash). */
export async function writeFakeImage(dir: string, extra: Partial<GuestManifest> = {}): Promise<GuestManifest> {
  await mkdir(dir, { recursive: true });
  const contents: Record<string, string> = {};
  for (const f of GUEST_IMAGE_FILES)
    contents[f] = f === 'host_key.pub' ? `${FAKE_HOST_KEY}\n` : `fake ${f}\n`.repeat(f.startsWith('vmlinu') ? 200 : 1);
  for (const [f, c] of Object.entries(contents)) {
    await writeFile(join(dir, f), c, { mode: f === 'id_ed25519' ? 0o600 : 0o644 });
  }
  const manifest: GuestManifest = {
    schemaVersion: 1,
    kernelVersion: '6.1.0-56-amd64',
    kernelPackage: { name: 'linux-image-6.1.0-56-amd64', version: '6.1.192-2' },
    busybox: { package: 'busybox-static', version: 'v1.35.0', packageVersion: '1:1.35.0-4' },
    dropbear: { package: 'dropbear-bin', version: '2022.83-1' },
    fio: { version: 'fio-3.33', sourcePackageVersion: '3.33-3', static: true, configureFlags: [] },
    modules: [],
    files: Object.fromEntries(
      Object.entries(contents).map(([f, c]) => [f, { sha256: sha256Of(c), size: Buffer.byteLength(c) }]),
    ),
    builtAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
