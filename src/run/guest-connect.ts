/**
 * From a started QEMU to an authenticated SSH session, for any guest source:
 *
 *   - the built-in guest says on its serial console when SSH is up
 *     (`VBLK-GUEST-READY`) or why it cannot be (`VBLK-GUEST-FAILED: ...`); the
 *     console also tells which kernel modules a user's kernel lacked;
 *   - an own image says nothing we can rely on: it is ready when its SSH
 *     server shows a host key. That key is checked against the pin (the one
 *     the seed handed over), or learned and stored on first use (tofu).
 */
import { readFile } from 'node:fs/promises';
import { RunStepError } from '../model/errors.js';
import type { BootGroup } from '../plan/groups.js';
import type { GuestSource } from '../guest-image/source.js';
import { GuestSession, parsePinnedHostKey, sshKeyFingerprint } from '../guest/ssh-session.js';
import { learnHostKey } from '../guest/host-key-probe.js';
import { readPrivateKey } from '../security/private-key.js';
import { waitForSerialMarker } from '../vm/serial.js';
import { GUEST_FAILED_MARKER } from '../guest-image/console-markers.js';

/** Common prefix of the built-in guest's READY and FAILED markers. */
const MARKER_PREFIX = 'VBLK-GUEST-';

export interface ReadyWait {
  serialLog: string;
  port: number;
  exited: Promise<unknown>;
  /** Date.now() by which the guest must be up. */
  deadline: number;
  group: BootGroup;
}

export interface Ready {
  /** A host key learned while waiting (own images), else null. */
  presentedHostKey: string | null;
}

async function serialText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** Waits until the guest can take an SSH login; throws a RunStepError (step boot) saying why not. */
export async function waitUntilReady(source: GuestSource, w: ReadyWait): Promise<Ready> {
  if (source.readyMarker === null) {
    try {
      return { presentedHostKey: await learnHostKey({ port: w.port, deadline: w.deadline, exited: w.exited }) };
    } catch (err) {
      throw new RunStepError(
        `guest not reachable over SSH within ${source.bootTimeoutS}s: ${(err as Error).message}`,
        'boot',
      );
    }
  }
  try {
    await waitForSerialMarker(w.serialLog, MARKER_PREFIX, {
      timeoutMs: Math.max(1, w.deadline - Date.now()),
      exited: w.exited,
    });
    for (let i = 0; i < 20; i++) {
      const text = await serialText(w.serialLog);
      const failed = text.split(/\r?\n/).find((l) => l.startsWith(GUEST_FAILED_MARKER));
      if (failed) throw new RunStepError(`the guest's init reported: ${failed}`, 'boot');
      if (text.includes(source.readyMarker)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    const modules = source.diagnose(await serialText(w.serialLog), w.group);
    const first = (err as Error).message.split('\n')[0];
    const why =
      err instanceof RunStepError && first?.startsWith("the guest's init")
        ? first
        : `guest did not reach init's ready marker within ${source.bootTimeoutS}s (${first})`;
    throw new RunStepError(modules ? `${modules}; ${why}` : why, 'boot');
  }
  const modules = source.diagnose(await serialText(w.serialLog), w.group);
  if (modules) throw new RunStepError(modules, 'boot');
  return { presentedHostKey: null };
}

const sameKey = (a: string, b: string) => parsePinnedHostKey(a).blob.equals(parsePinnedHostKey(b).blob);

/**
 * The SSH session to a ready guest, host key pinned: the source's pin, or —
 * first boot of a tofu image — the key it just presented, which is stored.
 */
export async function connectGuest(
  source: GuestSource,
  opts: { port: number; ready: Ready; retryUntilMs: number },
): Promise<GuestSession> {
  let pin = await source.pinnedHostKey();
  const presented = opts.ready.presentedHostKey;
  if (pin === null) {
    if (presented === null) throw new RunStepError('no host key to pin and none learned', 'ssh');
    await source.rememberHostKey(presented);
    pin = presented;
  } else if (presented !== null && !sameKey(pin, presented)) {
    const shown = sshKeyFingerprint(parsePinnedHostKey(presented).blob);
    const pinned = sshKeyFingerprint(parsePinnedHostKey(pin).blob);
    const hint =
      source.record.hostKey === 'seed'
        ? 'the image did not install the host key from its cloud-init seed (ssh_keys); if it keeps a host key of its own, set guest.host_key: tofu'
        : `the image's host key changed since it was learned; if that is expected, delete ${String(source.record.hostKeyFile)}`;
    throw new RunStepError(
      `host key mismatch: the guest presented ${shown}, ${pinned} is pinned; refusing to log in (${hint})`,
      'ssh',
      [],
      'HostKeyMismatch',
    );
  }
  return GuestSession.connect({
    host: '127.0.0.1',
    port: opts.port,
    username: source.ssh.username,
    privateKey: await readPrivateKey(source.ssh.privateKeyPath),
    hostPublicKey: pin,
    timeoutMs: 10_000,
    retryUntilMs: opts.retryUntilMs,
    ...(source.ssh.commandPrefix.length > 0 ? { commandPrefix: source.ssh.commandPrefix } : {}),
  });
}
