/**
 * ed25519 key pairs in OpenSSH formats, generated with node:crypto (no
 * ssh-keygen on the host needed): the client key vblk-bench logs in with,
 * and the host key it hands a guest through its cloud-init seed (`ssh_keys`).
 *
 * Private keys use the unencrypted `openssh-key-v1` container
 * (PROTOCOL.key in OpenSSH), which OpenSSH's sshd, ssh2's parseKey and
 * dropbearconvert all read; public keys are one `ssh-ed25519 AAAA... comment` line.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface SshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` … (ends with a newline). */
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment` (no newline). */
  publicKey: string;
}

/** SSH wire `string`: uint32 length + bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The public key blob (`string "ssh-ed25519" || string pub32`). */
function ed25519PublicBlob(publicKey32: Buffer): Buffer {
  if (publicKey32.length !== 32) throw new TypeError(`ed25519 public key must be 32 bytes, got ${publicKey32.length}`);
  return Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey32)]);
}

/** `ssh-ed25519 <base64 blob>[ comment]`. */
export function ed25519PublicLine(publicKey32: Buffer, comment = ''): string {
  const line = `ssh-ed25519 ${ed25519PublicBlob(publicKey32).toString('base64')}`;
  return comment === '' ? line : `${line} ${comment}`;
}

/**
 * The unencrypted OpenSSH private key file for an ed25519 key. Pure given
 * `checkInt` (a random 32-bit value OpenSSH writes twice to detect a wrong
 * passphrase; any value is valid for an unencrypted key).
 */
export function encodeOpensshEd25519(seed32: Buffer, publicKey32: Buffer, comment: string, checkInt: number): string {
  if (seed32.length !== 32) throw new TypeError(`ed25519 seed must be 32 bytes, got ${seed32.length}`);
  const pubBlob = ed25519PublicBlob(publicKey32);
  let priv = Buffer.concat([
    uint32(checkInt),
    uint32(checkInt),
    sshString('ssh-ed25519'),
    sshString(publicKey32),
    sshString(Buffer.concat([seed32, publicKey32])),
    sshString(comment),
  ]);
  // Pad to the cipher block size (8 for "none") with 1, 2, 3, ...
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(Buffer.alloc(0)),
    uint32(1),
    sshString(pubBlob),
    sshString(priv),
  ]);
  const b64 = body
    .toString('base64')
    .replace(/(.{70})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A fresh ed25519 key pair in OpenSSH formats. */
export function generateEd25519KeyPair(comment: string): SshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string')
    throw new Error('node:crypto returned an ed25519 JWK without d/x');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  return {
    privateKey: encodeOpensshEd25519(seed, pub, comment, randomBytes(4).readUInt32BE(0)),
    publicKey: ed25519PublicLine(pub, comment),
  };
}
