/**
 * QEMU's QemuOpts/keyval syntax (`key=value,key=value`): a comma inside a value
 * must be doubled. Only values parsed that way need it; QEMU 7.2 takes
 * `-kernel`, `-initrd`, `-append` and the path after `-serial file:` literally
 * (doubling there would create a file named with `,,`).
 */
export function escapeOptValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** QEMU's rule for object/device ids ("Parameter 'id' expects an identifier"). */
export const QEMU_ID_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export const onOff = (b: boolean): 'on' | 'off' => (b ? 'on' : 'off');
