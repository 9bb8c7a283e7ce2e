/**
 * A TCP port that was free a moment ago on 127.0.0.1. Another process can take
 * it before QEMU binds it; QEMU then fails with "Could not set up host
 * forwarding rule" and the caller may retry.
 * Race-free alternative: sshHostPort 0 lets QEMU (slirp) bind an ephemeral
 * port; readHostForwards() in readback.ts reads which one.
 */
import { createServer } from 'node:net';

export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close((err) => (err ? reject(err) : port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
