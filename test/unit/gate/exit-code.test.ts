import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeFor, GIT_BISECT_SKIP } from '../../../src/gate/exit-code.js';

describe('exitCodeFor', () => {
  it('pass 0, regression 1, inconclusive 3; 125 under bisect so `git bisect run` skips', () => {
    assert.equal(exitCodeFor({ verdict: 'pass' }, { bisect: false }), 0);
    assert.equal(exitCodeFor({ verdict: 'regression' }, { bisect: false }), 1);
    assert.equal(exitCodeFor({ verdict: 'inconclusive' }, { bisect: false }), 3);
    assert.equal(exitCodeFor({ verdict: 'pass' }, { bisect: true }), 0);
    assert.equal(exitCodeFor({ verdict: 'regression' }, { bisect: true }), 1);
    assert.equal(exitCodeFor({ verdict: 'inconclusive' }, { bisect: true }), 125);
    assert.equal(GIT_BISECT_SKIP, 125);
  });
});
