/**
 * Private keys are read only when nobody else can read them (like OpenSSH:
 * mode 0600 or stricter, owned by us). The check uses the opened file's own
 * fstat, so the file that is checked is the file that is read.
 */
import { open } from 'node:fs/promises';
import { HostError } from '../model/errors.js';

export async function readPrivateKey(path: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new HostError(
      `private key ${path}: cannot open (${err.code ?? err.message})`,
      'rebuild the guest image with `vblk-bench guest build --force`',
    );
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new HostError(`private key ${path} is not a regular file`);
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new HostError(
        `private key ${path} has mode ${mode.toString(8).padStart(4, '0')}: others can read it; refusing to use it`,
        `chmod 600 ${path}`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new HostError(
        `private key ${path} belongs to uid ${st.uid}, not to us (uid ${uid}); refusing to use it`,
        `chown ${uid} ${path}`,
      );
    }
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
