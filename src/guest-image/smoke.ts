/**
 * Smoke check of a built guest image: boots it under QEMU (TCG), waits for the
 * `VBLK-GUEST-READY` marker, logs in over SSH with the image's client key while
 * pinning its host key, runs one command, and reports boot-to-ready and
 * boot-to-SSH times. Used by the e2e test and to measure boot times by hand:
 *
 *   node dist/src/guest-image/smoke.js IMAGE_DIR [--kernel vmlinux|vmlinuz] [--runs N]
 *
 * This is not the benchmark runner (src/vm, src/run): one fixed VM shape only.
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import ssh2 from 'ssh2';
import { loadGuestImage, type GuestImage } from './guest-image.js';

export const GUEST_READY_MARKER = 'VBLK-GUEST-READY';
export const GUEST_FAILED_MARKER = 'VBLK-GUEST-FAILED';

export interface GuestSmokeOptions {
  /** Which kernel file to boot: the uncompressed ELF (PVH entry, default) or the bzImage. */
  kernel?: 'vmlinux' | 'vmlinuz';
  qemuBinary?: string;
  /** Raw test disk; default: a fresh 64 MiB sparse file in a temp dir. */
  diskPath?: string;
  /** Command run over SSH once logged in. Default: `uname -r`. */
  command?: string;
  /** Whole-check timeout (boot + SSH + command). Default 120 s. */
  timeoutMs?: number;
  memoryMb?: number;
  cpus?: number;
}

export interface GuestSmokeResult {
  kernel: 'vmlinux' | 'vmlinuz';
  /** QEMU start to the ready marker on the serial console. */
  readyMs: number;
  /** QEMU start to an authenticated SSH session. */
  sshMs: number;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  serial: string;
}

export async function freeLocalPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The exact qemu-system-x86_64 argument list used by the smoke check. */
export function smokeQemuArgs(p: {
  kernelPath: string;
  initrdPath: string;
  serialPath: string;
  diskPath: string;
  sshPort: number;
  memoryMb: number;
  cpus: number;
}): string[] {
  return [
    '-name', 'vblk-smoke,debug-threads=on',
    '-accel', 'tcg',
    '-cpu', 'max',
    '-machine', 'q35',
    '-m', `${p.memoryMb}M`,
    '-smp', String(p.cpus),
    '-nodefaults', '-no-user-config',
    '-display', 'none',
    '-no-reboot',
    '-kernel', p.kernelPath,
    '-initrd', p.initrdPath,
    '-append', 'console=ttyS0 panic=-1 quiet loglevel=4',
    '-serial', `file:${p.serialPath}`,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${p.sshPort}-:22`,
    '-device', 'virtio-net-pci,netdev=n0,romfile=',
    '-drive', `file=${p.diskPath},if=none,id=d0,format=raw,cache=none,aio=native`,
    '-device', 'virtio-blk-pci,drive=d0,serial=vblk-test',
  ];
}

/** Public-key blob of an OpenSSH one-line key (`ssh-ed25519 AAAA...`). */
function publicBlob(line: string): Buffer {
  const key = ssh2.utils.parseKey(line);
  if (key instanceof Error) throw new Error(`cannot parse host key: ${key.message}`);
  const k = Array.isArray(key) ? (key[0] as ssh2.ParsedKey) : key;
  return k.getPublicSSH();
}

interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** One SSH connection attempt; resolves with the ready client. */
function sshConnect(port: number, privateKey: Buffer, hostBlob: Buffer, timeoutMs: number): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    c.once('error', (e) => {
      c.end();
      reject(e);
    });
    c.connect({
      host: '127.0.0.1',
      port,
      username: 'root',
      privateKey,
      hostVerifier: (key: Buffer) => Buffer.compare(key, hostBlob) === 0,
      readyTimeout: timeoutMs,
    });
  });
}

function sshExec(c: ssh2.Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      stream.once('close', (code: number | null) => resolve({ stdout, stderr, exitCode: code ?? null }));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots the image once and runs `command` over SSH. Always kills the QEMU it started. */
export async function smokeBootGuest(image: GuestImage, opts: GuestSmokeOptions = {}): Promise<GuestSmokeResult> {
  const kernel = opts.kernel ?? 'vmlinux';
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const work = await mkdtemp(join(tmpdir(), 'vblk-smoke-'));
  const serialPath = join(work, 'serial.log');
  let diskPath = opts.diskPath;
  if (!diskPath) {
    diskPath = join(work, 'disk.raw');
    const fh = await open(diskPath, 'w');
    await fh.truncate(64 * 1024 * 1024);
    await fh.close();
  }
  const sshPort = await freeLocalPort();
  const args = smokeQemuArgs({
    kernelPath: kernel === 'vmlinux' ? image.vmlinux : image.vmlinuz,
    initrdPath: image.initramfs,
    serialPath,
    diskPath,
    sshPort,
    memoryMb: opts.memoryMb ?? 512,
    cpus: opts.cpus ?? 2,
  });
  const privateKey = await readFile(image.clientKeyPath);
  const hostBlob = publicBlob(image.hostPublicKey);

  const t0 = performance.now();
  const qemu = execa(opts.qemuBinary ?? 'qemu-system-x86_64', args, { stdin: 'ignore', reject: false, buffer: true });
  let exited = false;
  void qemu.then(() => {
    exited = true;
  });
  const deadline = t0 + timeoutMs;
  const serial = async () => (await readFile(serialPath, 'utf8').catch(() => '')).replace(/\r/g, '');
  let client: ssh2.Client | undefined;
  try {
    // 1. ready marker
    let readyMs = -1;
    for (;;) {
      const text = await serial();
      if (text.split('\n').some((l) => l === GUEST_READY_MARKER)) {
        readyMs = performance.now() - t0;
        break;
      }
      const failed = text.split('\n').find((l) => l.startsWith(GUEST_FAILED_MARKER));
      if (failed) throw new Error(`guest reported: ${failed}\n${text}`);
      if (exited) {
        const r = await qemu;
        throw new Error(`QEMU exited (${r.exitCode ?? r.signal}) before the guest was ready: ${String(r.stderr).trim()}\n${text}`);
      }
      if (performance.now() > deadline) throw new Error(`no ${GUEST_READY_MARKER} within ${timeoutMs} ms; serial:\n${text}`);
      await sleep(25);
    }
    // 2. SSH (the marker comes once dropbear listens; retry anyway)
    let lastErr: unknown;
    for (;;) {
      try {
        client = await sshConnect(sshPort, privateKey, hostBlob, Math.max(1000, deadline - performance.now()));
        break;
      } catch (e) {
        lastErr = e;
        if (performance.now() > deadline || exited) {
          throw new Error(`SSH to the guest failed: ${(lastErr as Error).message}`);
        }
        await sleep(100);
      }
    }
    const sshMs = performance.now() - t0;
    const r = await sshExec(client, opts.command ?? 'uname -r');
    return { kernel, readyMs, sshMs, ...r, serial: await serial() };
  } finally {
    client?.end();
    qemu.kill('SIGTERM');
    const killer = setTimeout(() => qemu.kill('SIGKILL'), 5000);
    await qemu.catch(() => undefined);
    clearTimeout(killer);
    await rm(work, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let kernel: 'vmlinux' | 'vmlinuz' = 'vmlinux';
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--kernel') {
      const v = argv[++i];
      if (v !== 'vmlinux' && v !== 'vmlinuz') throw new Error('--kernel vmlinux|vmlinuz');
      kernel = v;
    } else if (a === '--runs') runs = Number(argv[++i]);
    else dir = a;
  }
  if (!dir) {
    process.stderr.write('usage: smoke.js IMAGE_DIR [--kernel vmlinux|vmlinuz] [--runs N]\n');
    return 2;
  }
  const image = await loadGuestImage(dir);
  for (let i = 0; i < runs; i++) {
    const r = await smokeBootGuest(image, {
      kernel,
      command: 'cat /sys/block/vda/serial; echo; cat /sys/block/vda/queue/scheduler; fio --version',
    });
    process.stdout.write(
      `${kernel} run ${i + 1}: ready ${(r.readyMs / 1000).toFixed(2)} s, ssh ${(r.sshMs / 1000).toFixed(2)} s; ` +
        `${r.stdout.trim().split('\n').join(' | ')}\n`,
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
