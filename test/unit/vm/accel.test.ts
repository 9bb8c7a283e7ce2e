import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostError } from '../../../src/model/errors.js';
import { decideAccel, probeKvm, type KvmProbe } from '../../../src/vm/accel.js';
import { explain } from '../../../src/model/diagnostic.js';

/** The one warning of a fallback to TCG, as the user reads it. */
const text = (d: { warnings: Parameters<typeof explain>[0][] }): string =>
  d.warnings.length === 1 ? explain(d.warnings[0]!) : `${d.warnings.length} warnings`;

const working: KvmProbe = { devicePresent: true, openable: true, provider: 'kvm_intel' };
const absent: KvmProbe = { devicePresent: false, openable: false, provider: null };
const denied: KvmProbe = {
  devicePresent: true,
  openable: false,
  openError: 'EACCES: permission denied',
  provider: 'kvm_amd',
};
const pvm: KvmProbe = { devicePresent: true, openable: true, provider: 'kvm_pvm' };

function hostError(fn: () => unknown): HostError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HostError, `expected HostError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected HostError');
}

test('auto picks kvm when /dev/kvm opens and is a standard provider', () => {
  for (const provider of ['kvm_intel', 'kvm_amd', 'unknown'] as const) {
    assert.deepEqual(decideAccel('auto', { ...working, provider }), { accel: 'kvm', warnings: [] });
  }
});

test('auto falls back to tcg with an explicit warning when /dev/kvm is absent', () => {
  const d = decideAccel('auto', absent);
  assert.equal(d.accel, 'tcg');
  assert.equal(d.warnings.length, 1);
  assert.deepEqual(d.warnings, [
    { kind: 'KvmUnusable', why: '/dev/kvm does not exist (no KVM on this host)', cause: 'absent' },
  ]);
  assert.match(text(d), /\/dev\/kvm does not exist/);
  assert.ok(text(d).includes('TCG numbers measure an emulator, not virtio performance'));
  assert.ok(text(d).includes('TCG numbers measure an emulator, not virtio performance'));
});

test('auto falls back to tcg when /dev/kvm cannot be opened, saying why', () => {
  const d = decideAccel('auto', denied);
  assert.equal(d.accel, 'tcg');
  assert.match(text(d), /cannot be opened read-write \(EACCES: permission denied\)/);
  assert.ok(text(d).includes('TCG numbers measure an emulator, not virtio performance'));
});

test('auto on kvm_pvm: tcg, warning names kvm_pvm as a known non-working KVM', () => {
  for (const probe of [pvm, { ...pvm, openable: false }]) {
    const d = decideAccel('auto', probe);
    assert.equal(d.accel, 'tcg');
    assert.match(text(d), /\/dev\/kvm is provided by kvm_pvm, which only runs PVM-enabled guest kernels/);
    assert.match(text(d), /known non-working KVM/);
    assert.ok(text(d).includes('TCG numbers measure an emulator, not virtio performance'));
  }
});

test('explicit kvm: works on a real KVM, HostError suggesting qemu.accel: tcg otherwise', () => {
  assert.deepEqual(decideAccel('kvm', working), { accel: 'kvm', warnings: [] });
  const e1 = hostError(() => decideAccel('kvm', pvm));
  assert.match(e1.message, /kvm_pvm, which only runs PVM-enabled guest kernels/);
  assert.match(e1.hint ?? '', /qemu\.accel: tcg/);
  const e2 = hostError(() => decideAccel('kvm', absent));
  assert.match(e2.message, /\/dev\/kvm does not exist/);
  assert.match(e2.hint ?? '', /qemu\.accel: tcg/);
  const e3 = hostError(() => decideAccel('kvm', denied));
  assert.match(e3.message, /cannot be opened.*EACCES/);
  assert.match(e3.hint ?? '', /kvm group.*qemu\.accel: tcg/);
});

test('explicit tcg is always tcg, on any probe', () => {
  for (const probe of [working, absent, denied, pvm]) {
    assert.deepEqual(decideAccel('tcg', probe), { accel: 'tcg', warnings: [] });
  }
});

test('probeKvm reads /dev/kvm and /sys/module under a root', async () => {
  const root = await mkdtemp(join(tmpdir(), 'vblk-accel-'));
  try {
    assert.deepEqual(await probeKvm(root), { devicePresent: false, openable: false, provider: null });
    await mkdir(join(root, 'dev'));
    await writeFile(join(root, 'dev/kvm'), '');
    assert.deepEqual(await probeKvm(root), { devicePresent: true, openable: true, provider: 'unknown' });
    await mkdir(join(root, 'sys/module/kvm_intel'), { recursive: true });
    assert.equal((await probeKvm(root)).provider, 'kvm_intel');
    await mkdir(join(root, 'sys/module/kvm_pvm'), { recursive: true });
    assert.equal((await probeKvm(root)).provider, 'kvm_pvm');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('probeKvm on this host never throws, and auto never picks kvm_pvm', async () => {
  const probe = await probeKvm();
  const d = decideAccel('auto', probe);
  if (probe.provider === 'kvm_pvm') assert.equal(d.accel, 'tcg');
  assert.ok(d.accel === 'tcg' || d.accel === 'kvm');
});
