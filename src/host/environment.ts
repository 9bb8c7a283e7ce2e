/**
 * The host's part of the measurement environment, recorded with every run
 * (environment.json's `host`, beside QEMU's version and the host fio): what
 * must be equal for two runs to be comparable (host kernel, CPU, mitigations,
 * governor, turbo, halt polling, hugepages, NUMA). Not what the plan asks of
 * the host before it boots anything (HostFacts: devices, nodes, CPUs).
 * Parsers are pure; `collectHostEnvironment` does the reading.
 */
import { readFile, readdir } from 'node:fs/promises';
import { release, hostname } from 'node:os';
import { execa } from 'execa';

export interface HostEnvironment {
  hostname: string;
  hostKernel: string;
  cpuModel: string | null;
  microcode: string | null;
  cpuCount: number;
  /** `/sys/devices/system/cpu/vulnerabilities/*`, file → first line. */
  mitigations: Record<string, string>;
  governor: string | null;
  /** intel_pstate no_turbo / cpufreq boost, as read; null when the host does not expose it. */
  turbo: string | null;
  haltPollNs: string | null;
  hugepagesTotal: number | null;
  numaNodes: number | null;
  hypervisor: string | null;
  nodeVersion: string;
}

/** First value of `key` in /proc/cpuinfo text. */
function cpuinfoField(cpuinfo: string, key: string): string | null {
  const re = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm');
  return re.exec(cpuinfo)?.[1]?.trim() ?? null;
}

function countProcessors(cpuinfo: string): number {
  return (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
}

/** `HugePages_Total:       0` from /proc/meminfo. */
export function meminfoNumber(meminfo: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(meminfo);
  return m ? Number(m[1]) : null;
}

/** `QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18)` → `7.2.19`. */
function parseQemuVersion(text: string): string | null {
  return /QEMU emulator version (\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null;
}

const readText = (path: string) =>
  readFile(path, 'utf8').then(
    (s) => s.trim(),
    () => null,
  );

async function readMitigations(): Promise<Record<string, string>> {
  const dir = '/sys/devices/system/cpu/vulnerabilities';
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Record<string, string> = {};
  for (const name of names.sort()) out[name] = (await readText(`${dir}/${name}`)) ?? '';
  return out;
}

export async function collectHostEnvironment(): Promise<HostEnvironment> {
  const cpuinfo = (await readText('/proc/cpuinfo')) ?? '';
  const meminfo = (await readText('/proc/meminfo')) ?? '';
  const noTurbo = await readText('/sys/devices/system/cpu/intel_pstate/no_turbo');
  const boost = await readText('/sys/devices/system/cpu/cpufreq/boost');
  const nodes = await readdir('/sys/devices/system/node').catch(() => null);
  const dmesgHypervisor = cpuinfo.includes(' hypervisor') ? 'yes' : 'no';
  return {
    hostname: hostname(),
    hostKernel: release(),
    cpuModel: cpuinfoField(cpuinfo, 'model name'),
    microcode: cpuinfoField(cpuinfo, 'microcode'),
    cpuCount: countProcessors(cpuinfo),
    mitigations: await readMitigations(),
    governor: await readText('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'),
    turbo: noTurbo !== null ? `intel_pstate no_turbo=${noTurbo}` : boost !== null ? `boost=${boost}` : null,
    haltPollNs: await readText('/sys/module/kvm/parameters/halt_poll_ns'),
    hugepagesTotal: meminfoNumber(meminfo, 'HugePages_Total'),
    numaNodes: nodes ? nodes.filter((n) => /^node\d+$/.test(n)).length : null,
    hypervisor: dmesgHypervisor,
    nodeVersion: process.version,
  };
}

/** `qemu --version` of the binary the run uses; a binary that is not QEMU gets a one-line cause. */
export async function qemuVersionOf(binary: string): Promise<{ version: string; banner: string }> {
  const result = await execa(binary, ['--version'], { reject: false, timeout: 10_000 });
  if (result.failed && (result as { code?: string }).code === 'ENOENT') {
    throw new Error(`QEMU binary not found: ${binary} (install qemu-system-x86 or set qemu.binary)`);
  }
  const banner = String(result.stdout ?? '').split('\n')[0] ?? '';
  const version = parseQemuVersion(banner);
  if (!version)
    throw new Error(
      `${binary} does not look like QEMU: \`${binary} --version\` printed ${JSON.stringify(banner.slice(0, 80))}`,
    );
  return { version, banner };
}

/** Host fio version (for the host-native reference and the environment record). */
export async function hostFioVersion(): Promise<string | null> {
  const result = await execa('fio', ['--version'], { reject: false, timeout: 10_000 });
  return result.exitCode === 0 ? String(result.stdout).trim() : null;
}
