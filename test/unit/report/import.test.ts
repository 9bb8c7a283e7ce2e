/** `import` on real fio output (test/fixtures/fio): fio 3 and fio 2, notes before the JSON, several jobs, errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import { loadRun } from '../../../src/store/run-reader.js';
import { globMatches, importFiles, labelValue, labelsFor } from '../../../src/store/import.js';
import { explain, storedWarning } from '../../../src/model/diagnostic.js';

const FIO = join(REPO_ROOT, 'test', 'fixtures', 'fio');
const f = (name: string) => join(FIO, name);

describe('import', () => {
  it("fio 3 (clat_ns) and fio 2 (clat in µs) give the same latency scale; iodepth from fio's job options", async () => {
    const out = await mkdtemp(join(tmpdir(), 'vblk-import-'));
    const r = await importFiles(
      [f('libaio-direct1-qd8.stdout'), f('fio2-libaio-direct1-qd8.stdout'), f('libaio-direct1-qd1.stdout')],
      { out, label: ['ioeventfd=off'] },
    );
    assert.deepEqual(r.failed, []);
    const run = await loadRun(r.dir);
    assert.equal(run.manifest.status, 'complete');
    assert.equal(run.samples.length, 3);
    const qd8 = run.samples.filter((s) => s.cell.iodepth === 8);
    assert.equal(qd8.length, 2);
    assert.deepEqual(qd8.map((s) => s.repetition).sort(), [0, 1], 'same labels: repetitions of one cell');
    assert.equal(qd8[0]!.cellKey, 'ioeventfd=off,iodepth=8');
    const [a, b] = qd8.map((s) => s.metrics.clat_mean_ns!.value);
    assert.ok(Math.abs(a! - b!) / a! < 0.01, `fio 2 µs converted to ns: ${a} vs ${b}`);
    assert.ok(
      run.manifest.warnings
        .map(storedWarning)
        .some((w) => w.kind === 'ImportedRun' && /accel kvm assumed/.test(explain(w))),
    );
  });

  it('notes before the JSON, two separate jobs, group_reporting: all read', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vblk-import-'));
    const files = [
      'psync-qd4-note.stdout',
      'two-jobs-separate.stdout',
      'two-jobs-group.stdout',
      'normal-and-json.stdout',
    ].map(f);
    const r = await importFiles(files, { out });
    assert.deepEqual(r.failed, []);
    const run = await loadRun(r.dir);
    assert.equal(run.samples.length, 4);
    for (const s of run.samples) assert.ok(s.metrics.iops!.value > 0);
  });

  it('a file it cannot read is named with the reason; the rest is imported', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vblk-import-'));
    const r = await importFiles(
      [
        f('libaio-direct1-qd1.stdout'),
        f('libaio-direct1-qd1-truncated.stdout'),
        f('job-error-einval.stdout'),
        f('nope.json'),
      ],
      { out },
    );
    assert.equal(r.imported, 1);
    assert.equal(r.failed.length, 3);
    assert.match(r.failed[0]!, /truncated\.stdout: fio output: JSON ends early/);
    assert.match(r.failed[1]!, /einval\.stdout: fio output: job 'bad' failed with error 22 \(EINVAL\)/);
    assert.match(r.failed[2]!, /nope\.json: no such file/);
    assert.ok(
      (await loadRun(r.dir)).manifest.warnings
        .map(storedWarning)
        .some((w) => w.kind === 'ImportFileSkipped' && explain(w).startsWith('not imported: ')),
    );
  });

  it('a mapping file: defaults, per-file globs, legacy scheduler names mapped; bad labels are input errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-import-'));
    const map = join(dir, 'map.yaml');
    await writeFile(
      map,
      'name: legacy\naccel: tcg\nlabels: {backend: virtio-blk}\nfiles:\n  - match: "*qd1*"\n    labels: {ioeventfd: on, scheduler: cfq}\n  - match: "*qd8*"\n    labels: {ioeventfd: off}\n',
    );
    const r = await importFiles([f('libaio-direct1-qd1.stdout'), f('libaio-direct1-qd8.stdout')], { out: dir, map });
    const run = await loadRun(r.dir);
    assert.equal(run.manifest.profileName, 'legacy');
    assert.equal(run.manifest.accel, 'tcg');
    const keys = run.samples.map((s) => s.cellKey).sort();
    assert.deepEqual(keys, [
      'backend=virtio-blk,ioeventfd=off,iodepth=8',
      'backend=virtio-blk,ioeventfd=on,scheduler=bfq,iodepth=1',
    ]);
    assert.equal(run.samples.find((s) => s.cell.scheduler)!.requested.scheduler, 'cfq');
    await assert.rejects(
      importFiles([f('libaio-direct1-qd1.stdout')], { out: dir, label: ['colour=blue'] }),
      /unknown axis "colour"/,
    );
    await assert.rejects(
      importFiles([f('libaio-direct1-qd1.stdout')], { out: dir, label: ['iodepth=0'] }),
      /iodepth: expected a positive integer/,
    );
    await writeFile(map, 'files:\n  - match: 3\n');
    await assert.rejects(
      importFiles([f('libaio-direct1-qd1.stdout')], { out: dir, map }),
      /map\.yaml: files\[0\]\.match: .*string/,
    );
  });

  it('globs and label precedence', () => {
    assert.ok(globMatches('*qd?.stdout', '/a/b/x-qd8.stdout'));
    assert.ok(!globMatches('qd8', '/a/qd8.x'));
    assert.deepEqual(
      labelsFor(
        '/x/a-qd8.json',
        {
          labels: { ioeventfd: 'on', backend: 'virtio-blk' },
          files: [{ match: '*qd8*', labels: { ioeventfd: 'off' } }],
        },
        { backend: 'virtio-blk-iothread' },
      ),
      {
        ioeventfd: 'off',
        backend: 'virtio-blk-iothread',
      },
    );
    assert.deepEqual(labelValue('ioeventfd', true, 'x'), { value: 'on', requested: 'on' });
    assert.equal(labelValue('iodepth', '16', 'x').value, 16);
  });
});
