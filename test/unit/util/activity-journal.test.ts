import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActivityJournal,
  MAX_JOURNAL_EVENTS,
  fioSpans,
  parseActivityJournal,
} from '../../../src/util/activity-journal.js';

test('activity journal: events in order, marks carry Node CPU time, the file form reads back', () => {
  const j = new ActivityJournal();
  j.record('qmp-send', 'query-blockstats');
  j.mark('fio-launch', 'iodepth=1 #0');
  // Some CPU work between the marks, so the second CPU reading cannot be smaller.
  let x = 0;
  for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  assert.ok(x > 0);
  j.mark('fio-end', 'iodepth=1 #0');
  j.record('ssh-close', 'fio');
  const back = parseActivityJournal(j.toJsonLines());
  assert.deepEqual(back, j.events);
  assert.ok(
    back.every((e, i) => i === 0 || e.t >= back[i - 1]!.t),
    'timestamps never go back',
  );
  const [span] = fioSpans(back);
  assert.ok(span && span.end.cpuUs! >= span.launch.cpuUs!);
  assert.equal(span.inside.length, 0);
  assert.equal(back[0]!.cpuUs, undefined, 'only marks read the CPU time');
});

test('activity journal: past its bound events are counted, not kept, and the file says how many', () => {
  const j = new ActivityJournal();
  (j.events as unknown[]).length = MAX_JOURNAL_EVENTS; // at the bound without recording every event
  j.events.fill({ t: 0, kind: 'qmp-send', what: 'x' });
  j.record('qmp-send', 'one too many');
  assert.equal(j.events.length, MAX_JOURNAL_EVENTS);
  assert.equal(j.dropped, 1);
  assert.match(j.toJsonLines().trimEnd().split('\n').pop()!, /^\{"dropped":1\}$/);
});
