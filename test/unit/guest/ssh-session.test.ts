/**
 * GuestSession against a REAL SSH server: dropbear on a free 127.0.0.1 port,
 * with a throw-away host key and an authorized key for root.
 *
 * Nothing on the machine is changed: dropbear runs in a private mount
 * namespace (`unshare --mount`) where a temporary directory is bind-mounted
 * over /root, so its ~/.ssh/authorized_keys exists only there. dropbear runs in
 * the foreground (-F -E) in its own process group, which after() kills.
 * Skipped (with the reason) where dropbear or unshare is not usable.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519KeyPair } from '../../../src/guest-image/byo/ssh-keys.js';
import {
  sshKeyFingerprint,
  GuestSession,
  parsePinnedHostKey,
  SshConnectError,
  type ConnectOptions,
} from '../../../src/guest/ssh-session.js';
import { RunStepError } from '../../../src/model/errors.js';
import { processesMatching } from '../../helpers/processes.js';
import { GuestTimeoutError } from '../../../src/guest/remote-command.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function whyUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (dropbear logs in as root in a private mount namespace)';
  for (const bin of ['/usr/sbin/dropbear', '/usr/bin/dropbearkey', '/usr/bin/unshare']) {
    if (!existsSync(bin)) return `${bin} not installed (apt-get install dropbear-bin util-linux)`;
  }
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'pipe' });
  } catch {
    return 'unshare --mount is not permitted here';
  }
  return undefined;
}

const skip = whyUnavailable();

interface Server {
  dir: string;
  port: number;
  hostPublicKey: string;
  hostFingerprint: string;
  clientKey: string;
  proc: ChildProcess;
  log: string[];
}
let server: Server | undefined;

before(async () => {
  if (skip) return;
  const dir = mkdtempSync(join(tmpdir(), 'vblk-ssh-test-'));
  const hostKeyPath = join(dir, 'host_ed25519');
  const keygen = execFileSync('dropbearkey', ['-t', 'ed25519', '-f', hostKeyPath], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hostPublicKey = keygen.split('\n').find((l) => l.startsWith('ssh-ed25519 '));
  const hostFingerprint = /Fingerprint: (SHA256:\S+)/.exec(keygen)?.[1];
  assert.ok(hostPublicKey && hostFingerprint, `dropbearkey printed no public key: ${keygen}`);
  // Not ssh2.utils.generateKeyPairSync: about 1 key in 300 comes out with a 31-byte public key its own parser refuses.
  const client = generateEd25519KeyPair('vblk-test-client');
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  writeFileSync(join(home, '.ssh', 'authorized_keys'), `${client.publicKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const log: string[] = [];
  const proc = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$1" /root && exec dropbear -F -E -s -p "127.0.0.1:$2" -r "$3" -P "$4"',
      'sh',
      home,
      String(port),
      hostKeyPath,
      join(dir, 'dropbear.pid'),
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', (b: Buffer) => log.push(...b.toString().split('\n').filter(Boolean)));
  server = { dir, port, hostPublicKey, hostFingerprint, clientKey: client.privateKey, proc, log };
  const deadline = Date.now() + 5000;
  while (!(await tcpOpen(port))) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      throw new Error(`dropbear did not start: ${log.join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (!server) return;
  const { proc, dir } = server;
  if (proc.exitCode === null && proc.pid !== undefined) {
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      process.kill(-proc.pid, 'SIGTERM'); // the process group we created (detached)
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }
  rmSync(dir, { recursive: true, force: true });
});

function opts(patch: Partial<ConnectOptions> = {}): ConnectOptions {
  assert.ok(server);
  return {
    host: '127.0.0.1',
    port: server.port,
    username: 'root',
    privateKey: server.clientKey,
    hostPublicKey: server.hostPublicKey,
    timeoutMs: 5000,
    ...patch,
  };
}

const T = { skip, timeout: 10_000 };

test('fingerprints match OpenSSH/dropbear formatting', T, () => {
  assert.ok(server);
  assert.equal(parsePinnedHostKey(server.hostPublicKey).fingerprint, server.hostFingerprint);
  assert.throws(() => parsePinnedHostKey('ssh-ed25519 notbase64'), /not an OpenSSH public key line/);
  assert.match(sshKeyFingerprint(Buffer.from('x')), /^SHA256:[A-Za-z0-9+/]+$/);
});

test('connect, exec echo, count bytes and commands', T, async () => {
  const s = await GuestSession.connect(opts());
  try {
    const r = await s.exec(['echo', 'hello'], { timeoutMs: 5000 });
    assert.deepEqual(r, { stdout: 'hello\n', stderr: '', code: 0 });
    const st = s.stats();
    assert.equal(st.commands, 1);
    assert.equal(st.connectAttempts, 1);
    assert.ok(st.bytesSent > 0 && st.bytesReceived > 0);
    assert.match(s.summary(), /1 command\(s\) \(0 failed\), [\d.]+ (B|KiB) sent, [\d.]+ (B|KiB) received/);
  } finally {
    await s.close();
  }
});

test('exit codes and stderr come back; run() throws with stderr last lines', T, async () => {
  const s = await GuestSession.connect(opts());
  try {
    const r = await s.exec(['sh', '-c', 'echo out; echo err1 >&2; echo err2 >&2; exit 3'], { timeoutMs: 5000 });
    assert.deepEqual(r, { stdout: 'out\n', stderr: 'err1\nerr2\n', code: 3 });
    await assert.rejects(s.run(['sh', '-c', 'echo boom >&2; exit 7'], { timeoutMs: 5000 }), (err: unknown) => {
      assert.ok(err instanceof RunStepError);
      assert.equal(err.step, 'guest');
      assert.match(err.message, /exit 7/);
      assert.deepEqual(err.details, ['boom']);
      return true;
    });
    const ok = await s.run(['true'], { timeoutMs: 5000 });
    assert.equal(ok.code, 0);
    assert.equal(s.stats().failedCommands, 2);
  } finally {
    await s.close();
  }
});

test('a command that overruns its timeout is killed, rejected, and the session stays usable', T, async () => {
  const s = await GuestSession.connect(opts());
  try {
    // The command would run far longer than the test's own timeout (T): only the kill ends it.
    await assert.rejects(s.exec(['sleep', '731'], { timeoutMs: 400 }), (err: unknown) => {
      assert.ok(err instanceof GuestTimeoutError);
      assert.equal(err.stopped, true);
      assert.match(err.message, /timed out after 400 ms \(killed\): sleep 731/);
      return true;
    });
    assert.deepEqual(processesMatching('sleep 731'), [], 'the command is gone, not orphaned');
    // The very next command works (dropbear refuses an exec that races the reaping of a killed one).
    assert.equal((await s.exec(['echo', 'still'], { timeoutMs: 5000 })).stdout, 'still\n');
  } finally {
    await s.close();
  }
});

test('a command that ignores SIGTERM gets SIGKILL', T, async () => {
  const s = await GuestSession.connect(opts());
  const marker = `vblk-ignore-term-${process.pid}`;
  try {
    // Causal, not timed: the command traps TERM, so only the KILL that follows can end it.
    await assert.rejects(
      s.exec(['bash', '-c', `: ${marker}; trap '' TERM; while :; do sleep 0.1; done`], { timeoutMs: 300 }),
      (err: unknown) => err instanceof GuestTimeoutError && err.stopped,
    );
    assert.deepEqual(processesMatching(marker), []);
    assert.equal((await s.exec(['echo', 'ok'], { timeoutMs: 5000 })).stdout, 'ok\n');
  } finally {
    await s.close();
  }
});

test('hostile arguments are passed literally and run nothing', T, async () => {
  assert.ok(server);
  const marks = join(server.dir, 'marks');
  mkdirSync(marks);
  const args = [
    `$(touch ${marks}/a)`,
    `\`touch ${marks}/b\``,
    "'",
    `'; touch ${marks}/c; '`,
    'line1\nline2',
    ';',
    `; touch ${marks}/d`,
    `&& touch ${marks}/e`,
    `> ${marks}/f`,
    '*',
    '$HOME',
    '',
  ];
  const s = await GuestSession.connect(opts());
  try {
    const r = await s.exec(['printf', '[%s]\\n', ...args], { timeoutMs: 5000 });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, args.map((a) => `[${a}]\n`).join(''));
    assert.deepEqual(readdirSync(marks), []);
  } finally {
    await s.close();
  }
});

test('a host key mismatch fails at once, without retrying, and says which keys', T, async () => {
  const other = generateEd25519KeyPair('other').publicKey;
  await assert.rejects(
    GuestSession.connect(opts({ hostPublicKey: other, retryUntilMs: Date.now() + 8000 })),
    (err: unknown) => {
      assert.ok(err instanceof SshConnectError, String(err));
      assert.equal(err.kind, 'host-key-mismatch');
      assert.equal(err.attempts, 1);
      assert.equal(err.step, 'ssh');
      assert.ok(server);
      assert.ok(err.message.includes(server.hostFingerprint), err.message);
      assert.ok(err.message.includes(parsePinnedHostKey(other).fingerprint), err.message);
      assert.match(err.message, /host key mismatch/);
      return true;
    },
  );
});

test('refused authentication fails at once, without retrying', T, async () => {
  const stranger = generateEd25519KeyPair('stranger').privateKey;
  await assert.rejects(
    GuestSession.connect(opts({ privateKey: stranger, retryUntilMs: Date.now() + 8000 })),
    (err: unknown) => {
      assert.ok(err instanceof SshConnectError, String(err));
      assert.equal(err.kind, 'auth-refused');
      assert.equal(err.attempts, 1);
      assert.match(err.message, /authentication refused for user 'root'/);
      return true;
    },
  );
});

test('connection refused is retried until the deadline, then a clear error', T, async () => {
  const port = await freePort(); // nothing listens there
  const lines: string[] = [];
  await assert.rejects(
    GuestSession.connect(opts({ port, retryUntilMs: Date.now() + 1500, log: (l) => lines.push(l) })),
    (err: unknown) => {
      assert.ok(err instanceof SshConnectError, String(err));
      assert.equal(err.kind, 'unreachable');
      assert.ok(err.attempts >= 3, `attempts ${err.attempts}`);
      assert.match(
        err.message,
        /not reachable after \d+ attempts in [\d.]+ s \(last error: TCP connect: ECONNREFUSED\)/,
      );
      return true;
    },
  );
  assert.ok(lines.length >= 2);
  // Without a deadline: one attempt.
  await assert.rejects(
    GuestSession.connect(opts({ port })),
    (err: unknown) => err instanceof SshConnectError && err.attempts === 1,
  );
});

test('a port that accepts and drops (QEMU user-net before sshd listens) is retried until sshd answers', T, async () => {
  assert.ok(server);
  const target = server.port;
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    if (++accepted <= 2) {
      c.destroy(); // first: accepted then closed; like slirp with nothing listening in the guest
      return;
    }
    const up = net.connect({ host: '127.0.0.1', port: target });
    sockets.add(up);
    c.pipe(up).pipe(c);
    up.on('error', () => c.destroy());
    c.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const addr = proxy.address();
  assert.ok(addr && typeof addr === 'object');
  try {
    const s = await GuestSession.connect(opts({ port: addr.port, retryUntilMs: Date.now() + 8000 }));
    try {
      assert.equal(s.stats().connectAttempts, 3);
      assert.equal((await s.exec(['echo', 'via-proxy'], { timeoutMs: 5000 })).stdout, 'via-proxy\n');
    } finally {
      await s.close();
    }
  } finally {
    for (const so of sockets) so.destroy();
    await new Promise((r) => proxy.close(r));
  }
});

test('close() is idempotent and exec after close is refused', T, async () => {
  const s = await GuestSession.connect(opts());
  await Promise.all([s.close(), s.close()]);
  await s.close();
  assert.equal(s.isClosed, true);
  await assert.rejects(s.exec(['true'], { timeoutMs: 1000 }), /is closed/);
});

test('a duration passed as retryUntilMs is refused', () => {
  return assert.rejects(
    GuestSession.connect({
      host: '127.0.0.1',
      port: 1,
      username: 'root',
      privateKey: 'x',
      hostPublicKey: 'x',
      timeoutMs: 1000,
      retryUntilMs: 30_000,
    }),
    /absolute Date\.now\(\) deadline; 30000 looks like a duration/,
  );
});
