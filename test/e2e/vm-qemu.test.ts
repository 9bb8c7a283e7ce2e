/**
 * The real qemu-system-x86_64 (TCG), started with argv from buildQemuArgs.
 * Guests are created stopped (`-S`) with a stub kernel (test/helpers/stub-kernel.ts):
 * QEMU validates -kernel while building the machine, so a real kernel image is
 * not needed to check devices, QMP readback and process handling. KVM argv is
 * only unit-tested: this host has no working KVM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { RunStepError } from '../../src/model/errors.js';
import { killAllChildren, liveChildren } from '../../src/vm/children.js';
import { findFreePort } from '../../src/vm/free-port.js';
import type { QemuLaunchSpec } from '../../src/vm/launch-spec.js';
import { startQemu, type QemuProcess } from '../../src/vm/process.js';
import { buildQemuArgs } from '../../src/vm/qemu-args.js';
import { QmpClient, QmpError } from '../../src/vm/qmp.js';
import {
  queryBlockDevice,
  readDeviceIoeventfd,
  readHostForwards,
  readHostThreadNames,
  readThreads,
  readVirtioBlkConfig,
} from '../../src/vm/readback.js';
import { tailLines, waitForSerialMarker } from '../../src/vm/serial.js';
import { writeStubKernel } from '../helpers/stub-kernel.js';
import { qemuVersionOf } from '../../src/host/environment.js';

const QEMU = 'qemu-system-x86_64';

function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

interface Guest {
  dir: string;
  spec: QemuLaunchSpec;
  qemu: QemuProcess;
  qmp: QmpClient;
  stderrLog: string;
}

async function prepare(
  dirName = 'g',
  over: (s: QemuLaunchSpec) => QemuLaunchSpec = (s) => s,
  diskName = 'disk.img',
): Promise<{ dir: string; spec: QemuLaunchSpec }> {
  const root = await mkdtemp(join(tmpdir(), 'vblk-e2e-'));
  const dir = join(root, dirName);
  await mkdir(dir, { recursive: true });
  const kernel = join(dir, 'stub-kernel');
  await writeStubKernel(kernel);
  await writeFile(join(dir, 'initrd'), '');
  const disk = join(dir, diskName);
  await writeFile(disk, '');
  await truncate(disk, 16 * 1024 * 1024);
  const spec: QemuLaunchSpec = {
    binary: QEMU,
    accel: 'tcg',
    machine: 'q35',
    memoryMiB: 256,
    vcpus: 2,
    name: 'vblk-e2e',
    kernel,
    initrd: join(dir, 'initrd'),
    append: 'console=ttyS0',
    qmpSocket: join(dir, 'qmp.sock'),
    serialLog: join(dir, 'serial.log'),
    sshHostPort: await findFreePort(),
    disk: { path: disk, format: 'raw', cache: 'none', aio: 'io_uring', serial: 'vblk-test', readOnly: false },
    device: { backend: 'virtio-blk', ioeventfd: true },
    extraArgs: ['-S'],
  };
  return { dir: root, spec: over(spec) };
}

async function start(
  over?: (s: QemuLaunchSpec) => QemuLaunchSpec,
  dirName?: string,
  diskName?: string,
): Promise<Guest> {
  const { dir, spec } = await prepare(dirName, over, diskName);
  const stderrLog = join(dir, 'qemu.stderr.log');
  const qemu = await startQemu(spec.binary, buildQemuArgs(spec), { stderrLog, cwd: dir });
  try {
    const qmp = await QmpClient.connect(spec.qmpSocket, { timeoutMs: 20_000, exited: qemu.exited });
    return { dir, spec, qemu, qmp, stderrLog };
  } catch (err) {
    await qemu.stop();
    throw new Error(`${(err as Error).message}\nstderr: ${(await tailLines(stderrLog, 10)).join('\n')}`);
  }
}

async function finish(g: Guest): Promise<void> {
  await g.qemu.stop(g.qmp);
  g.qmp.close();
  await rm(g.dir, { recursive: true, force: true });
}

test('virtio-blk, ioeventfd on: QMP readback, threads, events, errors; quit ends the pid', async () => {
  const g = await start();
  try {
    assert.deepEqual(g.qemu.warnings, []);
    // The greeting's version is the binary's own (whatever QEMU this host has).
    const { version } = await qemuVersionOf(QEMU);
    const q = g.qmp.greeting?.version?.qemu;
    assert.equal(`${q?.major}.${q?.minor}.${q?.micro}`.startsWith(version), true, `${JSON.stringify(q)} vs ${version}`);
    assert.equal(await readDeviceIoeventfd(g.qmp), true);
    // QEMU defaults (platform facts): queue-size 256, one queue per vCPU.
    assert.deepEqual(await readVirtioBlkConfig(g.qmp), {
      ioeventfd: true,
      queueSize: 256,
      numQueues: 2,
      iothread: null,
    });

    const block = await queryBlockDevice(g.qmp);
    assert.equal(block.format, 'raw');
    assert.equal(block.filename, g.spec.disk.path);
    assert.equal(block.readOnly, false);
    assert.equal(block.virtualSizeBytes, 16 * 1024 * 1024);
    assert.equal(block.qdev, '/machine/peripheral/vblk0/virtio-backend');
    assert.equal(block.cacheDirect, true, 'cache: none is O_DIRECT on the file node');
    assert.deepEqual(block.protocol, { nodeName: 'vblk-file', driver: 'file', cacheDirect: true, readOnly: false });

    const threads = await readThreads(g.qmp);
    assert.equal(threads.vcpus.length, 2);
    assert.deepEqual(threads.iothreads, []);
    const names = await readHostThreadNames(g.qemu.pid);
    for (const v of threads.vcpus) {
      assert.equal(names.find((n) => n.tid === v.threadId)?.name, `CPU ${v.cpuIndex}/TCG`);
    }
    assert.equal(names.find((n) => n.tid === g.qemu.pid)?.name, 'qemu-system-x86');

    // The property is on the PCI proxy, not on the virtio backend: QEMU's own error text comes back.
    await assert.rejects(
      g.qmp.execute('qom-get', { path: '/machine/peripheral/vblk0/virtio-backend', property: 'ioeventfd' }),
      (err: unknown) =>
        err instanceof QmpError &&
        err.desc === "Property 'virtio-blk-device.ioeventfd' not found" &&
        err.errorClass === 'GenericError',
    );
    await assert.rejects(
      g.qmp.execute('no-such-command'),
      (err: unknown) => err instanceof QmpError && err.errorClass === 'CommandNotFound',
    );

    // An event arriving between a request and its reply lands in `events`; replies still match.
    const [status] = await Promise.all([
      g.qmp.execute<{ status: string }>('query-status'),
      g.qmp.execute('system_powerdown'),
      g.qmp.waitForEvent('POWERDOWN', 5000),
    ]);
    assert.equal(status.status, 'prelaunch');
    assert.ok(g.qmp.events.some((e) => e.event === 'POWERDOWN'));

    const exit = await g.qemu.stop(g.qmp);
    assert.deepEqual(exit, { code: 0, signal: null }, 'QMP quit is a clean exit');
    assert.ok(processGone(g.qemu.pid), 'pid gone from /proc');
    assert.ok(await until(() => g.qmp.closed, 2000));
    assert.ok(!existsSync(g.spec.qmpSocket), 'QEMU removes its socket');
    await assert.rejects(g.qmp.execute('query-status'), RunStepError);
  } finally {
    await finish(g);
  }
});

test('virtio-blk, ioeventfd off with queue-size and num-queues: read back as off', async () => {
  const g = await start((s) => ({
    ...s,
    device: { backend: 'virtio-blk', ioeventfd: false, queueSize: 128, numQueues: 1 },
  }));
  try {
    assert.equal(await readDeviceIoeventfd(g.qmp), false);
    assert.deepEqual(await readVirtioBlkConfig(g.qmp), {
      ioeventfd: false,
      queueSize: 128,
      numQueues: 1,
      iothread: null,
    });
  } finally {
    await finish(g);
  }
});

test('virtio-blk-iothread: query-iothreads shows the iothread and its host thread "IO <id>"', async () => {
  const g = await start((s) => ({
    ...s,
    device: { backend: 'virtio-blk-iothread', ioeventfd: true, iothreadId: 'iothread0' },
  }));
  try {
    const threads = await readThreads(g.qmp);
    assert.equal(threads.iothreads.length, 1);
    const io = threads.iothreads[0]!;
    assert.equal(io.id, 'iothread0');
    assert.ok(io.threadId > 0);
    const names = await readHostThreadNames(g.qemu.pid);
    assert.equal(names.find((n) => n.tid === io.threadId)?.name, 'IO iothread0');
    assert.deepEqual(await readVirtioBlkConfig(g.qmp), {
      ioeventfd: true,
      queueSize: 256,
      numQueues: 2,
      iothread: '/objects/iothread0',
    });
  } finally {
    await finish(g);
  }
});

test('QEMU itself refuses what buildQemuArgs rejects at plan time', async () => {
  const { dir, spec } = await prepare('r', (s) => ({
    ...s,
    device: { backend: 'virtio-blk-iothread', ioeventfd: true },
  }));
  try {
    // Bypass our check: take valid argv and flip ioeventfd on the device.
    const args = buildQemuArgs(spec).map((a) =>
      a.startsWith('virtio-blk-pci,') ? a.replace('ioeventfd=on', 'ioeventfd=off') : a,
    );
    assert.ok(args.some((a) => a.includes('ioeventfd=off,iothread=iothread0')));
    const r1 = await execa(QEMU, args, { reject: false, timeout: 20_000 });
    assert.equal(r1.exitCode, 1);
    assert.match(r1.stderr, /ioeventfd is required for iothread/);

    const plain = buildQemuArgs({ ...spec, device: { backend: 'virtio-blk', ioeventfd: true } }).map((a) =>
      a.startsWith('driver=file,')
        ? a.replace('cache.direct=on', 'cache.direct=off').replace('aio=io_uring', 'aio=native')
        : a,
    );
    const r2 = await execa(QEMU, plain, { reject: false, timeout: 20_000 });
    assert.equal(r2.exitCode, 1);
    assert.match(r2.stderr, /aio=native was specified, but it requires cache.direct=on/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('paths with commas and spaces: escaped where QEMU needs it, literal where it does not', async () => {
  const g = await start((s) => ({ ...s, name: 'a,b' }), 'd,ir x', 'disk,1.img');
  try {
    const block = await queryBlockDevice(g.qmp);
    assert.equal(block.filename, g.spec.disk.path);
    assert.ok(g.spec.qmpSocket.includes(','));
    assert.ok(existsSync(g.spec.serialLog), 'serial log created under its literal name');
    assert.deepEqual(await g.qmp.execute('query-name'), { name: 'a,b' });
  } finally {
    await finish(g);
  }
});

test('sshHostPort 0: slirp binds an ephemeral port, read back over QMP', async () => {
  const g = await start((s) => ({ ...s, sshHostPort: 0 }));
  try {
    const fwd = await readHostForwards(g.qmp);
    assert.equal(fwd.length, 1);
    assert.equal(fwd[0]!.protocol, 'TCP');
    assert.equal(fwd[0]!.hostAddress, '127.0.0.1');
    assert.ok(fwd[0]!.hostPort > 0);
    assert.equal(fwd[0]!.guestPort, 22);
  } finally {
    await finish(g);
  }
});

test('stop without QMP: SIGTERM, which QEMU treats as a clean shutdown', async () => {
  const g = await start();
  try {
    const exit = await g.qemu.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(processGone(g.qemu.pid));
    assert.match(await readFile(g.stderrLog, 'utf8'), /terminating on signal 15/);
  } finally {
    await finish(g);
  }
});

test('waitForSerialMarker rejects when QEMU exits first', async () => {
  const g = await start();
  try {
    const waiting = waitForSerialMarker(g.spec.serialLog, 'VBLK-GUEST-READY', {
      timeoutMs: 20_000,
      exited: g.qemu.exited,
    });
    await g.qemu.stop(g.qmp);
    await assert.rejects(waiting, /QEMU exited \(exit code 0\) before the serial console showed "VBLK-GUEST-READY"/);
  } finally {
    await finish(g);
  }
});

test(
  'a QEMU that fails at start: QMP connect gives up at once, stderr has the reason',
  { timeout: 300_000 },
  async () => {
    const { dir, spec } = await prepare('f', (s) => ({ ...s, extraArgs: ['-S', '-device', 'no-such-device'] }));
    const stderrLog = join(dir, 'stderr.log');
    try {
      const qemu = await startQemu(spec.binary, buildQemuArgs(spec), { stderrLog });
      // "At once": it gives up because QEMU exited (before the socket existed, or by resetting the
      // connection), not because the connect timeout ran out — that one is longer than the test's.
      await assert.rejects(
        QmpClient.connect(spec.qmpSocket, { timeoutMs: 3_600_000, exited: qemu.exited }),
        (err: unknown) => {
          assert.ok(err instanceof RunStepError, String(err));
          assert.match(err.message, /QEMU exited before its QMP socket|ECONNRESET|EPIPE|closed/, err.message);
          return true;
        },
      );
      assert.equal((await qemu.exited).code, 1);
      assert.match(await readFile(stderrLog, 'utf8'), /'no-such-device' is not a valid device model name/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('QMP per-call timeout: a stopped QEMU times out, a late reply is dropped, the next call matches', async () => {
  const g = await start();
  try {
    process.kill(g.qemu.pid, 'SIGSTOP');
    await assert.rejects(
      g.qmp.execute('query-status', undefined, { timeoutMs: 300 }),
      /QMP query-status got no reply within 300 ms/,
    );
    process.kill(g.qemu.pid, 'SIGCONT');
    // The late reply to the timed-out request (its own id) must not satisfy this one.
    assert.deepEqual(await g.qmp.execute('query-name'), { name: 'vblk-e2e' });
  } finally {
    process.kill(g.qemu.pid, 'SIGCONT');
    await finish(g);
  }
});

test('killAllChildren leaves no QEMU running (checked in /proc)', async () => {
  const a = await start();
  const b = await start();
  try {
    assert.ok(!processGone(a.qemu.pid) && !processGone(b.qemu.pid));
    const ended = await killAllChildren();
    assert.equal(ended.length, 2);
    assert.ok(processGone(a.qemu.pid), 'first QEMU gone');
    assert.ok(processGone(b.qemu.pid), 'second QEMU gone');
    assert.deepEqual(liveChildren(), []);
  } finally {
    await finish(a);
    await finish(b);
  }
});

test('SIGKILL of the parent process takes QEMU down (setpriv --pdeathsig)', async () => {
  const { dir, spec } = await prepare();
  const script = join(dir, 'parent.mjs');
  const processJs = pathToFileURL(join(import.meta.dirname, '../../src/vm/process.js')).href;
  await writeFile(
    script,
    `import { startQemu } from ${JSON.stringify(processJs)};\n` +
      `const q = await startQemu(process.argv[2], JSON.parse(process.argv[3]), { stderrLog: process.argv[4] });\n` +
      `console.log(JSON.stringify({ pid: q.pid, warnings: q.warnings }));\n` +
      `setInterval(() => {}, 1000);\n`,
  );
  const parent = spawn(
    process.execPath,
    [script, spec.binary, JSON.stringify(buildQemuArgs(spec)), join(dir, 'stderr.log')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    const { pid, warnings } = JSON.parse(line) as { pid: number; warnings: string[] };
    assert.deepEqual(warnings, []);
    assert.ok(await until(() => existsSync(spec.qmpSocket), 10_000), 'QEMU is up');
    assert.ok(!processGone(pid));
    parent.kill('SIGKILL');
    assert.ok(await until(() => processGone(pid), 5000), `QEMU ${pid} still running after its parent was SIGKILLed`);
  } finally {
    parent.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
