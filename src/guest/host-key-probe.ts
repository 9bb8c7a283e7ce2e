/**
 * Trust on first use: learn the host key a guest presents, without logging
 * in. The SSH handshake is aborted right after the server shows its key (our
 * host verifier records it and answers "no"), so nothing is authenticated to
 * an unverified server. The caller stores the key and pins it from then on.
 */
import ssh2 from 'ssh2';
import { RunStepError } from '../model/errors.js';

const { Client } = ssh2;

/** `<type> <base64 blob>` for a raw public key blob (the type is the blob's first SSH string). */
export function publicKeyLineOf(blob: Buffer): string {
  if (blob.length < 4) throw new TypeError('host key blob too short');
  const len = blob.readUInt32BE(0);
  const type = blob.toString('latin1', 4, 4 + len);
  if (!/^[a-z0-9@.-]{3,64}$/.test(type)) throw new TypeError('host key blob has no key type');
  return `${type} ${blob.toString('base64')}`;
}

/** One handshake up to the host key; resolves with it, or rejects with whether a retry may help. */
function probeOnce(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen: Buffer | undefined;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      client.end();
      if (seen) resolve(publicKeyLineOf(seen));
      else reject(err ?? new Error('connection closed before the server showed a host key'));
    };
    client.on('error', (err) => finish(err));
    client.on('close', () => finish());
    client.on('ready', () => finish(new Error('unexpected: authenticated during a host key probe')));
    client.connect({
      host: '127.0.0.1',
      port,
      username: 'probe',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = Buffer.from(key);
        return false;
      },
    });
  });
}

/**
 * Retries until the guest's sshd answers (or `deadline`, a Date.now() value,
 * passes, or `exited` settles) and returns its host key line.
 */
export async function learnHostKey(opts: {
  port: number;
  deadline: number;
  exited?: Promise<unknown>;
}): Promise<string> {
  let gone = false;
  opts.exited?.then(
    () => (gone = true),
    () => (gone = true),
  );
  let last = '';
  let delay = 200;
  while (!gone && Date.now() < opts.deadline) {
    try {
      return await probeOnce(opts.port, Math.max(1000, Math.min(10_000, opts.deadline - Date.now())));
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
  }
  throw new RunStepError(
    gone
      ? `QEMU exited before the guest's SSH server answered (last: ${last})`
      : `the guest's SSH server did not answer before the boot timeout (last: ${last})`,
    'ssh',
  );
}
