import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import ssh2 from 'ssh2';
import { buildMetaData, buildUserData, seedIsoArgv, type SeedInput } from '../../../src/guest-image/byo/seed.js';
import {
  encodeOpensshEd25519,
  ed25519PublicLine,
  generateEd25519KeyPair,
} from '../../../src/guest-image/byo/ssh-keys.js';

const client = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvh9qmgYPd4/F3mxn3qUWUvcgwx8tZcaMqmHupnk852 vblk-bench-client';
const hostKey = generateEd25519KeyPair('vblk-bench-host');
const base: SeedInput = {
  user: 'root',
  authorizedKey: client,
  instanceId: 'vblk-0123456789abcdef',
  hostname: 'vblk-guest',
};

test('meta-data names the instance and the host name', () => {
  assert.equal(buildMetaData(base), 'instance-id: vblk-0123456789abcdef\nlocal-hostname: vblk-guest\n');
});

test('user-data for root: #cloud-config, key at top level, root login enabled, no passwords', () => {
  const text = buildUserData(base);
  assert.ok(text.startsWith('#cloud-config\n'), text);
  const doc = parse(text) as Record<string, unknown>;
  assert.deepEqual(doc, {
    ssh_pwauth: false,
    manage_etc_hosts: true,
    disable_root: false,
    ssh_authorized_keys: [client],
  });
});

test('user-data for another user: a users entry with the key and passwordless sudo, the default user kept', () => {
  const doc = parse(buildUserData({ ...base, user: 'bench' })) as { users: unknown[] };
  assert.deepEqual(doc.users, [
    'default',
    { name: 'bench', lock_passwd: true, sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: [client] },
  ]);
  assert.equal((doc as Record<string, unknown>).ssh_authorized_keys, undefined);
});

test('user-data with a host key: ssh_keys carries the exact private key, no other key types are generated', () => {
  const doc = parse(buildUserData({ ...base, hostKey })) as Record<string, unknown>;
  assert.deepEqual(doc.ssh_keys, { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey });
  assert.deepEqual(doc.ssh_genkeytypes, []);
  assert.equal(doc.ssh_deletekeys, true);
});

test('seed builders refuse values that could break the YAML or the guest', () => {
  assert.throws(() => buildUserData({ ...base, user: 'root\nruncmd: [x]' }), /not a plain user name/);
  assert.throws(() => buildUserData({ ...base, authorizedKey: 'ssh-rsa AAAA\n- evil' }), /public key line/);
  assert.throws(() => buildMetaData({ ...base, instanceId: 'a b' }), /instanceId/);
  assert.throws(() => buildUserData({ ...base, hostKey: { ...hostKey, privateKey: 'x' } }), /OpenSSH private key/);
});

test('the ISO is volume cidata with Rock Ridge and Joliet names, as an argv for genisoimage or xorriso', () => {
  const files = { userData: '/c/seed/user-data', metaData: '/c/seed/meta-data' };
  assert.deepEqual(seedIsoArgv('genisoimage', '/c/seed.iso', files), [
    'genisoimage',
    '-output',
    '/c/seed.iso',
    '-volid',
    'cidata',
    '-joliet',
    '-rock',
    '-input-charset',
    'utf-8',
    '-quiet',
    '/c/seed/user-data',
    '/c/seed/meta-data',
  ]);
  assert.deepEqual(seedIsoArgv('xorriso', '/c/seed.iso', files).slice(0, 5), [
    'xorriso',
    '-as',
    'mkisofs',
    '-output',
    '/c/seed.iso',
  ]);
});

test('generated ed25519 keys: OpenSSH private key ssh2 parses and signs with, matching public line', () => {
  const pair = generateEd25519KeyPair('vblk-bench-client');
  const priv = ssh2.utils.parseKey(pair.privateKey);
  assert.ok(!(priv instanceof Error), String(priv));
  const key = (Array.isArray(priv) ? priv[0] : priv) as ssh2.ParsedKey;
  assert.equal(key.type, 'ssh-ed25519');
  assert.ok(key.isPrivateKey());
  assert.equal(key.comment, 'vblk-bench-client');
  assert.match(pair.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* vblk-bench-client$/);
  assert.equal(`ssh-ed25519 ${key.getPublicSSH().toString('base64')} vblk-bench-client`, pair.publicKey);
  const data = Buffer.from('vblk');
  const pub = ssh2.utils.parseKey(pair.publicKey) as ssh2.ParsedKey;
  assert.ok(pub.verify(data, key.sign(data)));
});

test('the OpenSSH container is deterministic given the check value, and padded to 8 bytes', () => {
  const seed = Buffer.alloc(32, 1);
  const pub = Buffer.alloc(32, 2);
  const a = encodeOpensshEd25519(seed, pub, 'c', 0x01020304);
  assert.equal(a, encodeOpensshEd25519(seed, pub, 'c', 0x01020304));
  const body = Buffer.from(a.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  assert.equal(body.subarray(0, 15).toString('latin1'), 'openssh-key-v1\0');
  // magic, then string cipher, string kdf, string kdfoptions, uint32 nkeys, string pubkey, string private section
  let at = 15;
  const str = () => {
    const len = body.readUInt32BE(at);
    const out = body.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return out;
  };
  assert.equal(str().toString(), 'none');
  assert.equal(str().toString(), 'none');
  assert.equal(str().length, 0);
  assert.equal(body.readUInt32BE(at), 1);
  at += 4;
  str();
  const priv = str();
  assert.equal(at, body.length);
  assert.equal(priv.length % 8, 0);
  assert.equal(priv.readUInt32BE(0), 0x01020304);
  assert.equal(priv.readUInt32BE(4), 0x01020304);
  assert.equal(
    ed25519PublicLine(pub),
    `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), pub]).toString('base64')}`,
  );
  assert.throws(() => encodeOpensshEd25519(Buffer.alloc(31), pub, 'c', 1), /32 bytes/);
});
