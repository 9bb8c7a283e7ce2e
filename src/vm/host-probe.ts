/**
 * Reads the HostFacts the plan judges (plan/host-facts.ts): `<qemu> -device
 * help`, the device nodes backends ask about, qemu-storage-daemon, the backing
 * store, the CPUs pinning may use. probeHostFacts is the only I/O; the
 * backends' traits judge the facts (plan/backend-traits.ts: hostSupport).
 */
import { stat, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { execa } from 'execa';
import { parseCpuList } from '../profile/pin.js';
import { resolveStorageDaemon } from './storage-daemon.js';
import { cpusAllowedFromStatus } from './pinning.js';
import type { HostFacts } from '../plan/host-facts.js';

/** Device names from `-device help` output (`name "vhost-user-blk-pci", bus PCI`). Pure. */
export function parseDeviceHelp(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^name "([^"]+)"/.exec(line.trim());
    if (m) names.push(m[1]!);
  }
  return names;
}

async function readCpuList(path: string): Promise<number[] | null> {
  try {
    return parseCpuList(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

const isCharDevice = (path: string) =>
  stat(path).then(
    (s) => s.isCharacterDevice(),
    () => false,
  );

export async function probeHostFacts(opts: {
  qemuBinary: string;
  backingPath?: string;
  nodes: readonly string[];
}): Promise<HostFacts> {
  const r = await execa(opts.qemuBinary, ['-device', 'help'], {
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
    env: { LC_ALL: 'C' },
  });
  const devicesOk = r.exitCode === 0;
  const nodes: Record<string, boolean> = {};
  for (const node of opts.nodes) nodes[node] = await isCharDevice(node);
  const backingStat = opts.backingPath ? await stat(opts.backingPath).catch(() => null) : null;
  const online = (await readCpuList('/sys/devices/system/cpu/online')) ?? cpus().map((_, i) => i);
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const facts: HostFacts = {
    qemuBinary: opts.qemuBinary,
    qemuDevices: devicesOk ? parseDeviceHelp(String(r.stdout)) : null,
    nodes,
    storageDaemon: await resolveStorageDaemon(opts.qemuBinary),
    backing: { path: opts.backingPath ?? null, blockDevice: backingStat?.isBlockDevice() ?? false },
    onlineCpus: online,
    allowedCpus: cpusAllowedFromStatus(status) ?? online,
  };
  if (!devicesOk)
    facts.qemuDevicesError =
      (String(r.stderr).trim().split('\n').pop() ?? '') || r.shortMessage || `exit ${r.exitCode}`;
  return facts;
}
