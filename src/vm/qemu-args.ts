/**
 * QemuLaunchSpec → QEMU argv. Pure: no I/O, same spec ⇒ same argv, so
 * `--dry-run` shows exactly what a run starts.
 */
import { InputError } from '../model/errors.js';
import { getBackend } from './backends/index.js';
import type { QemuLaunchSpec } from './launch-spec.js';
import { NETDEV_ID } from './launch-spec.js';
import { escapeOptValue } from './qemu-opts.js';
import { bootSourceArgs, checkBootSource } from './os-disk.js';
import { UNIX_PATH_MAX } from './unix-path.js';

/** sun_path limit (unix-path.ts), re-exported for existing importers. */
export { UNIX_PATH_MAX };

/** Problems that are not a backend's business (every launch has them). */
function checkCommon(spec: QemuLaunchSpec): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 1)
    problems.push(`memoryMiB: expected a positive integer, got ${spec.memoryMiB}`);
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1)
    problems.push(`vcpus: expected a positive integer, got ${spec.vcpus}`);
  // 0 is valid: slirp then binds an ephemeral port (see readHostForwards).
  if (!Number.isInteger(spec.sshHostPort) || spec.sshHostPort < 0 || spec.sshHostPort > 65535) {
    problems.push(`sshHostPort: expected 0..65535, got ${spec.sshHostPort}`);
  }
  if (spec.accel !== 'kvm' && spec.accel !== 'tcg')
    problems.push(`accel: expected kvm or tcg, got ${String(spec.accel)}`);
  for (const key of ['machine', 'name', 'qmpSocket', 'serialLog'] as const) {
    if (spec[key] === '') problems.push(`${key}: empty`);
  }
  const boot = checkBootSource(spec);
  if (boot) problems.push(boot);
  if (Buffer.byteLength(spec.qmpSocket) >= UNIX_PATH_MAX) {
    problems.push(
      `qmpSocket: a unix socket path must be shorter than ${UNIX_PATH_MAX} bytes, got ${Buffer.byteLength(spec.qmpSocket)}`,
    );
  }
  return problems;
}

/** Throws InputError (one line per problem) when the spec cannot run. */
function checkLaunchSpec(spec: QemuLaunchSpec): void {
  const problems = checkCommon(spec);
  const reason = getBackend(spec.device.backend).check(spec);
  if (reason) problems.push(reason);
  if (problems.length > 0) throw new InputError(problems, 'qemu launch spec');
}

/** argv without the binary. Throws InputError for impossible specs (see checkLaunchSpec). */
export function buildQemuArgs(spec: QemuLaunchSpec): string[] {
  checkLaunchSpec(spec);
  const backend = getBackend(spec.device.backend);
  const kvm = spec.accel === 'kvm';
  return [
    '-name',
    `${escapeOptValue(spec.name)},debug-threads=on`,
    '-machine',
    spec.machine,
    '-accel',
    kvm ? 'kvm' : 'tcg',
    '-cpu',
    kvm ? 'host' : 'max',
    '-m',
    `${spec.memoryMiB}M`,
    '-smp',
    String(spec.vcpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    ...(spec.firmwareDir === undefined ? [] : ['-L', spec.firmwareDir]),
    ...bootSourceArgs(spec),
    // `-serial file:` takes the rest of the string literally (no comma escaping).
    '-serial',
    `file:${spec.serialLog}`,
    '-qmp',
    `unix:${escapeOptValue(spec.qmpSocket)},server=on,wait=off`,
    '-netdev',
    `user,id=${NETDEV_ID},hostfwd=tcp:127.0.0.1:${spec.sshHostPort}-:22`,
    '-device',
    `virtio-net-pci,netdev=${NETDEV_ID},romfile=`,
    ...backend.args(spec),
    // Opens the file only: every trace event stays off until the traced pass turns some on over QMP.
    ...(spec.traceLog === undefined ? [] : ['-D', spec.traceLog, '-msg', 'timestamp=on']),
    ...spec.extraArgs,
  ];
}
