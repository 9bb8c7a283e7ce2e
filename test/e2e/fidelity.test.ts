/**
 * `calibrate --fidelity` for real under TCG, on one cell of the quick profile
 * (with 1 s fio runs and no ramp, to keep twelve boots short):
 * six interleaved rounds of the normal run and the harness-free boot, a table
 * with the ratio, its CI, p and a verdict, the same verdict again from the
 * stored directory as JSON — and proof that the harness-free boots had no SSH
 * server at all, while the normal ones did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, runCli, hasStackTrace } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp.js';
import { loadFidelity } from '../../src/calibrate/fidelity-file.js';
import { GUEST_READY_MARKER } from '../../src/guest-image/console-markers.js';

const CELL = 'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1';
const PAIRS = 6;

test('calibrate --fidelity: interleaved normal and harness-free rounds, a verdict per cell, no SSH in the harness-free path', async () => {
  await withTempDir('vblk-fid', async (dir) => {
    const out = join(dir, 'r');
    const quick = await readFile(join(REPO_ROOT, 'profiles/quick.yaml'), 'utf8');
    const profile = join(dir, 'quick.yaml');
    await writeFile(profile, quick.replace('runtime: 3s', 'runtime: 1s').replace('ramp_time: 1s', 'ramp_time: 0s'));
    const args = ['calibrate', profile, '--fidelity', '--pairs', String(PAIRS), '--out', out];
    const r = await runCli([...args, '--wait-lock', '900', '--cells', CELL], { timeoutMs: 1_200_000 });
    assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    // One row: the cell, n 6+6, medians, a ratio, a 95 % CI of the ratio, p, CI width, CV, a verdict, a projection.
    const row = r.stdout.split('\n').find((l) => l.includes(CELL));
    assert.ok(row, r.stdout);
    const cols = row.split('│').map((c) => c.trim());
    assert.equal(cols[2], `${PAIRS}+${PAIRS}`);
    assert.match(cols[4]!, /^\d+(\.\d+)?$/, 'ratio');
    assert.match(cols[5]!, /^\d+(\.\d+)? … \d+(\.\d+)?$/, '95 % CI of the ratio');
    assert.match(cols[6]!, /^(\d|<1e-6)/, 'p');
    assert.match(cols[7]!, /^\d+(\.\d+)? pp$/, 'CI width');
    assert.match(cols[9]!, /^(equivalent within ±5 %|effect of [+-]\d|undecided \(MDE)/, 'verdict');
    assert.match(cols[10]!, /^(\d+ per side|—)$/, 'projection');
    assert.match(r.stdout, /a projection, not a measurement/);

    const [name] = (await readdir(out)).filter((n) => n.startsWith('quick-fidelity-'));
    const fidDir = join(out, name!);
    const { file } = await loadFidelity(fidDir);
    assert.deepEqual(
      file.rounds.map((x) => x.first),
      Array.from({ length: PAIRS }, (_, i) => (i % 2 === 0 ? 'normal' : 'harness-free')),
      'the first path alternates',
    );
    assert.equal(file.samples.filter((s) => s.status === 'ok').length, 2 * PAIRS);

    // The rendered verdict again, from the stored samples only, as JSON.
    const again = await runCli(['calibrate', fidDir, '--fidelity', '--format', 'json', '--margin', '50']);
    assert.equal(again.exitCode, 0, again.stderr);
    const doc = JSON.parse(again.stdout);
    assert.equal(doc.schema, 'vblk-bench/fidelity');
    assert.equal(doc.cells[0].cellKey, CELL);
    assert.deepEqual(doc.cells[0].n, { normal: PAIRS, harnessFree: PAIRS });
    assert.ok(doc.cells[0].ci.low <= doc.cells[0].ci.high);
    assert.equal(doc.marginPct, 50);

    // No SSH in the harness-free path: the guest started no server (its own report) and never became
    // ready for one; the normal boots did.
    const free = await readdir(join(fidDir, 'harness-free'));
    assert.equal(free.length, PAIRS);
    for (const boot of free) {
      const serial = await readFile(join(fidDir, 'harness-free', boot, 'serial.log'), 'utf8');
      assert.match(serial, /VBLK-FIDELITY [0-9a-f]{16} BOOT device=vd[a-z]+ sshd=absent /, boot);
      assert.ok(!serial.includes(GUEST_READY_MARKER), `${boot}: the harness-free boot announced SSH`);
      assert.ok(!serial.includes('dropbear'), boot);
    }
    const normalRuns = file.rounds.map((x) => x.normalRun!);
    assert.equal(new Set(normalRuns).size, PAIRS);
    const bootsOf = await readdir(join(fidDir, normalRuns[0]!, 'boots'));
    const normalSerial = await readFile(join(fidDir, normalRuns[0]!, 'boots', bootsOf[0]!, 'serial.log'), 'utf8');
    assert.ok(normalSerial.includes(GUEST_READY_MARKER), 'the normal path does use SSH');
  });
});
