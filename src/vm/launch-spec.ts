/**
 * The pure input of one QEMU launch. Everything a guest boot needs is here, so
 * `buildQemuArgs` is a function of this value only and a dry run can print
 * exactly what a real run would start.
 */
import type { Accel } from '../model/sample.js';

export interface DiskSpec {
  /** Host path of the image. Commas are escaped by buildQemuArgs; pass it unescaped. */
  path: string;
  format: 'raw';
  /** `none` = O_DIRECT on the host (cache.direct=on); `writeback` = host page cache. */
  cache: 'none' | 'writeback';
  aio: 'native' | 'threads' | 'io_uring';
  /** virtio-blk serial the guest sees (at most 20 bytes; empty = no serial). */
  serial: string;
  readOnly: boolean;
  /** A host block device (S_ISBLK): opened with QEMU's `host_device` driver (`file` refuses non-regular files). */
  blockDevice?: boolean;
}

export interface DeviceSpec {
  /** A name from BACKEND_NAMES (profile/axes.ts): virtio-blk, virtio-blk-iothread, vhost-user-blk, vhost-blk. */
  backend: string;
  /** Ignored by backends without the property (vhost-user-blk, vhost-blk: `ioeventfdApplies: false`). */
  ioeventfd: boolean;
  /** Only for backends that use an iothread; defaults to DEFAULT_IOTHREAD_ID there. */
  iothreadId?: string;
  /** virtio ring size: a power of two in 4..1024 (QEMU default 256). */
  queueSize?: number;
  /** 1..1024 (QEMU default: one per vCPU). */
  numQueues?: number;
  /** The iothread's adaptive polling limit (`poll-max-ns`; QEMU default 32768); iothread backends only. */
  pollMaxNs?: number;
  /**
   * Where a backend keeps its own per-boot files (vhost-user-blk: the
   * vhost-user socket, qemu-storage-daemon's QMP socket and log): the boot
   * directory. Socket paths there must stay under 108 bytes.
   */
  hostDir?: string;
}

export interface QemuLaunchSpec {
  binary: string;
  accel: Accel;
  /** Passed to `-machine` verbatim (may carry options: `q35,kernel-irqchip=split`). */
  machine: string;
  memoryMiB: number;
  vcpus: number;
  /** Guest name (`-name`); commas are escaped. */
  name: string;
  /** Empty string = no `-kernel`/`-append`: the firmware boots `osDisk` (then required). */
  kernel: string;
  /** Empty string = no `-initrd`. */
  initrd: string;
  append: string;
  /** A guest's own disk image, booted by the firmware (SeaBIOS): attached first, bootindex 0. See os-disk.ts. */
  osDisk?: OsDiskSpec;
  /** `-L`: where QEMU looks for firmware first (a QEMU build tree's pc-bios). */
  firmwareDir?: string;
  /** Unix socket path for QMP; must be shorter than 108 bytes (sun_path). */
  qmpSocket: string;
  serialLog: string;
  /**
   * `-D <file> -msg timestamp=on`: where QEMU's log trace backend writes, with `tid@sec.usec:` stamps
   * (profile `trace: latency`). No event is on at launch: the traced pass switches them over QMP.
   */
  traceLog?: string;
  /**
   * vhost-user-blk's traced boot only (issue 14, never a measured boot):
   * qemu-storage-daemon starts with these trace events on, its log backend
   * writing into `output` (a host ftrace instance's trace_marker).
   */
  daemonTrace?: { output: string; events: readonly string[] };
  sshHostPort: number;
  disk: DiskSpec;
  device: DeviceSpec;
  /** Appended last, verbatim. */
  extraArgs: string[];
}

export interface OsDiskSpec {
  /** The disk QEMU opens read-write: a qcow2 overlay whose backing file is the user's image (never written). */
  path: string;
  format: 'qcow2' | 'raw';
  /** A cloud-init NoCloud seed (ISO, volume `cidata`), attached read-only after the OS disk; '' = none. */
  seedPath: string;
}

/** Fixed ids so QMP readback and evidence know where to look. */
export const DEVICE_ID = 'vblk0';
export const DISK_NODE = 'vblk-disk';
export const FILE_NODE = 'vblk-file';
export const NETDEV_ID = 'net0';
export const DEFAULT_IOTHREAD_ID = 'iothread0';
