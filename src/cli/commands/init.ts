/** `vblk-bench init [file]`: a commented starter profile (stdout without a file; never overwrites without --force). */
import type { Command } from 'commander';
import { access } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { SAFE } from '../../profile/patterns.js';
import { InputError } from '../../model/errors.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';

export function starterProfile(name: string): string {
  return `# yaml-language-server: $schema=vblk-bench.schema.json
# ^ editor completion and checks: create the schema once with
#   vblk-bench schema > vblk-bench.schema.json
#
# A vblk-bench profile. Every field except \`matrix\` has a default; the
# values below are the defaults unless a comment says otherwise.
# Check it without running anything:  vblk-bench run --dry-run ${name}.yaml
name: ${name}
description: starter profile written by vblk-bench init

qemu:
  binary: qemu-system-x86_64   # a binary on PATH or a path into a QEMU build
  accel: auto                  # auto: KVM when usable, else TCG with a warning; kvm; tcg
  machine: q35
  memory: 512M
  vcpus: 2

guest:
  kind: builtin                # kernel + initramfs built from Debian packages, cached
  kernel_format: vmlinux       # vmlinux boots via PVH (faster); bzImage the classic way
  boot_timeout: 120s

disk:
  # path: /var/tmp/vblk-disk.raw   # an existing backing file; absent → created on /dev/shm
  size: 256M
  cache: none                  # none = O_DIRECT on the host; writeback
  aio: native                  # native (needs cache: none), threads, io_uring

fio:
  rw: read                     # read, randread
  bs: 4k
  ioengine: libaio             # libaio, io_uring, psync
  direct: true
  runtime: 10s                 # measured window
  ramp_time: 2s                # warm-up, not measured

# Samples per cell. A 95 % confidence interval of the median needs 6; the
# regression gate needs at least 5 per side at its default α = 0.01.
repetitions: 6                 # default 1
order: round-robin             # or random (seeded by \`seed\`)
seed: 1

# The matrix: one boot per QEMU configuration (backend × ioeventfd), every
# scheduler × iodepth cell measured inside it.
matrix:
  backend: [virtio-blk, virtio-blk-iothread]
  ioeventfd: [on, off]         # off with an iothread is dropped at plan time (QEMU refuses it)
  scheduler: [none]            # none, mq-deadline, bfq, kyber (noop/deadline/cfq are mapped)
  iodepth: [1, 4, 16]
`;
}

export function registerInitCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('write a commented starter profile (to stdout without a file)')
    .argument('[file]', 'profile file to create, e.g. my-bench.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string | undefined, options: { force?: boolean }) => {
      try {
        const stem = file ? basename(file, extname(file)) : 'my-bench';
        const name = SAFE.name.test(stem) ? stem : 'my-bench';
        const text = starterProfile(name);
        if (!file) {
          process.stdout.write(text);
        } else {
          if (
            !options.force &&
            (await access(file).then(
              () => true,
              () => false,
            ))
          )
            throw new InputError(`${file}: exists (use --force to overwrite)`);
          await writeFileAtomic(file, text);
          process.stderr.write(`wrote ${file}; check it with: vblk-bench run --dry-run ${file}\n`);
        }
        setExit(ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
