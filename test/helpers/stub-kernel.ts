/**
 * A minimal file QEMU accepts as `-kernel` for a guest that is never started
 * (`-S`): QEMU (x86) loads and validates the kernel while building the
 * machine, before any vCPU runs. An empty or arbitrary file is refused (with an
 * initrd: "linux kernel too old to load a ram disk"), so this writes just a
 * Linux boot-protocol header: "HdrS" at 0x202, protocol 2.15, LOADED_HIGH,
 * 4 setup sectors. Used by tests that start QEMU without
 * a guest image; never boot it (`cont` would execute zeros).
 */
import { writeFile } from 'node:fs/promises';

export function stubKernelImage(): Buffer {
  const b = Buffer.alloc(8192);
  b[0x1f1] = 4; // setup_sects
  b.writeUInt16LE(0xaa55, 0x1fe); // boot_flag
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x020f, 0x206); // boot protocol version
  b[0x211] = 0x01; // loadflags: LOADED_HIGH
  b.writeUInt32LE(0x7fffffff, 0x22c); // initrd_addr_max
  return b;
}

export async function writeStubKernel(path: string): Promise<void> {
  await writeFile(path, stubKernelImage());
}
