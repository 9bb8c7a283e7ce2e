import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCalibration } from '../../../src/calibrate/file.js';
import { renderCalibration } from '../../../src/report/calibration-table.js';

test('the noise-floor table names the arms and has one row per calibrated cell and metric', async () => {
  const cal = await loadCalibration('test/fixtures/runs/gate/calibration.json');
  const text = renderCalibration(cal, false);
  const [headline] = text.split('\n');
  assert.match(headline!, new RegExp(`^noise floor \\(A/A: ${cal.arms.labels.join(' vs ')}`));
  assert.match(text, new RegExp(`reps for ${cal.settings.effectPct} %`));
  for (const c of cal.cells) assert.ok(text.includes(c.cellKey), c.cellKey);
  const rows = text.split('\n').filter((l) => cal.cells.some((c) => l.includes(c.cellKey)));
  assert.equal(rows.length, cal.cells.length);
});
