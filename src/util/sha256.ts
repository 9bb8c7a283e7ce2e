/** sha256 as lower-case hex: of bytes in memory, or of a file read as a stream (images are gigabytes). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Of(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
