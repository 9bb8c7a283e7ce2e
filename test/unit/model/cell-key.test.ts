import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellKeyOf, cellWithout } from '../../../src/model/cell-key.js';
import { expandMatrix } from '../../../src/plan/cells.js';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';

const cell = { backend: 'virtio-blk', ioeventfd: 'on', scheduler: 'none', iodepth: 1 };

test('a cell key joins axis=value in the cell’s own order, optionally without one axis', () => {
  assert.equal(cellKeyOf(cell), 'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1');
  assert.equal(cellKeyOf(cell, 'ioeventfd'), 'backend=virtio-blk,scheduler=none,iodepth=1');
  assert.deepEqual(Object.keys(cellWithout(cell, 'scheduler')), ['backend', 'ioeventfd', 'iodepth']);
});

test('where the two former cellKeyOf disagreed: the key never reorders and never drops an axis', () => {
  // A stored sample's cell order is the order its cellKey was written in: recomputing must match it.
  assert.equal(cellKeyOf({ iodepth: 4, backend: 'virtio-blk' }), 'iodepth=4,backend=virtio-blk');
  // An axis this version does not know (a newer tool's run) stays part of the key: two cells never collide.
  assert.notEqual(
    cellKeyOf({ backend: 'virtio-blk', future_axis: 1 }),
    cellKeyOf({ backend: 'virtio-blk', future_axis: 2 }),
  );
});

test('the planner builds cells in canonical axis order, so their keys are canonical', () => {
  const profile = validateProfile(parseYaml('name: k\nmatrix:\n  iodepth: [1]\n  backend: [virtio-blk]\n'));
  const [first] = expandMatrix(profile);
  assert.ok(first);
  assert.equal(first.key, cellKeyOf(first.values));
  assert.ok(first.key.indexOf('backend=') < first.key.indexOf('iodepth='), first.key);
});
