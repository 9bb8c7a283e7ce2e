/**
 * The measurement environment a run records in environment.json: accel, host
 * facts, QEMU version, host fio, the guest (image hash, kernel, the packages
 * it was built from) and the tool version. `run` writes it; `--resume`
 * compares it; the fingerprint (src/fingerprint/environment.ts) reads it.
 */
import type { Accel } from '../model/sample.js';
import { collectHostEnvironment, hostFioVersion, qemuVersionOf, type HostEnvironment } from '../host/environment.js';

export interface RunEnvironmentParts {
  accel: Accel;
  host: HostEnvironment;
  qemu: { binary: string; version: string; banner: string };
  hostFio: string | null;
  /** The guest source's record (src/guest-image/source.ts). */
  guest: Record<string, unknown>;
  tool: string;
}

/** environment.json's content. Pure. */
function runEnvironment(p: RunEnvironmentParts): Record<string, unknown> {
  return { accel: p.accel, host: p.host, qemu: p.qemu, hostFio: p.hostFio, guest: p.guest, tool: p.tool };
}

export interface CollectEnvironmentInput {
  accel: Accel;
  qemuBinary: string;
  /** `<binary> --version`, when the caller has already read it. */
  qemu?: { version: string; banner: string };
  guest: Record<string, unknown>;
  tool: string;
}

/** Reads this host's facts (and QEMU's version if not given) and composes environment.json. */
export async function collectRunEnvironment(input: CollectEnvironmentInput): Promise<Record<string, unknown>> {
  const qemu = input.qemu ?? (await qemuVersionOf(input.qemuBinary));
  return runEnvironment({
    accel: input.accel,
    host: await collectHostEnvironment(),
    qemu: { binary: input.qemuBinary, version: qemu.version, banner: qemu.banner },
    hostFio: await hostFioVersion(),
    guest: input.guest,
    tool: input.tool,
  });
}
