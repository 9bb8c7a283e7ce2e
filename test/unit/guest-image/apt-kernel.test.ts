/**
 * doctor's guest-kernel check on captured apt-cache output (test/fixtures/apt/README.md
 * says how it was captured). The guests compared are written here, so nothing
 * depends on what the Debian mirror offers today.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import {
  aptKernelOfferFrom,
  compareDebianVersions,
  guestKernelCheck,
  parseAptDependsKernel,
  parseAptPolicyCandidate,
} from '../../../src/guest-image/apt-kernel.js';

const capture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'apt', name), 'utf8');

test('apt-cache policy: the candidate of the named package, in its own block; (none) and unknown packages give null', () => {
  assert.equal(parseAptPolicyCandidate(capture('linux-image-amd64.policy.txt'), 'linux-image-amd64'), '6.1.192-3');
  const two = capture('two-packages.policy.txt');
  assert.equal(parseAptPolicyCandidate(two, 'mail-transport-agent'), null, 'Candidate: (none)');
  assert.equal(parseAptPolicyCandidate(two, 'linux-image-amd64'), '6.1.192-3');
  assert.equal(parseAptPolicyCandidate(capture('installed.policy.txt'), 'qemu-system-x86'), '1:7.2+dfsg-7+deb12u18+b3');
  assert.equal(parseAptPolicyCandidate(capture('unknown.policy.txt'), 'no-such-package'), null);
  assert.equal(
    parseAptPolicyCandidate(capture('installed.policy.txt'), 'linux-image-amd64'),
    null,
    'another package only',
  );
});

test('apt-cache depends: the ABI package build-guest.sh downloads', () => {
  assert.equal(parseAptDependsKernel(capture('linux-image-amd64.depends.txt')), 'linux-image-6.1.0-57-amd64');
  assert.equal(parseAptDependsKernel(capture('unknown.depends.txt')), null);
});

test('Debian version order agrees with dpkg --compare-versions', () => {
  // Each expected sign was checked with `dpkg --compare-versions A lt|eq B` (dpkg 1.21, Debian 12).
  const cases: Array<[string, string, number]> = [
    ['6.1.192-3', '6.1.176-1', 1],
    ['1:1.0', '2.0', 1],
    ['1.0~rc1', '1.0', -1],
    ['6.1.192-3+deb12u1', '6.1.192-3', 1],
    ['2022.83-1+deb12u3', '2022.83-1+deb12u1', 1],
    ['1.0-1', '1.0a-1', -1],
    ['6.1.99-1', '6.1.100-1', -1],
    ['1.0', '1.0-0', 0],
    ['1.0~~', '1.0~', -1],
    ['1:1.35.0-4+deb12u1+b1', '1:1.35.0-4+b3', 1],
    ['3.33-3', '3.33-3', 0],
    ['1.0+b1', '1.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.0.a', '1.0+', 1],
  ];
  for (const [a, b, sign] of cases) {
    assert.equal(Math.sign(compareDebianVersions(a, b)), sign, `${a} vs ${b}`);
    assert.equal(Math.sign(compareDebianVersions(b, a)), -sign || 0, `${b} vs ${a}`);
  }
});

test('the offer from the captures, and the verdict against cached guests older, equal and newer', () => {
  const offer = aptKernelOfferFrom(
    capture('linux-image-amd64.policy.txt'),
    capture('linux-image-amd64.depends.txt'),
    '2026-12-02T18:06:37.838Z',
  );
  assert.deepEqual(offer, {
    package: 'linux-image-6.1.0-57-amd64',
    version: '6.1.192-3',
    listsChangedAt: '2026-12-02T18:06:37.838Z',
  });

  const older = guestKernelCheck({ name: 'linux-image-6.1.0-50-amd64', version: '6.1.176-1' }, offer);
  assert.equal(older.level, 'warning');
  assert.equal(
    older.detail,
    "the apt lists (as of their last change, 2026-12-02 18:06 UTC) offer linux-image-6.1.0-57-amd64 6.1.192-3, newer than the cached guest's " +
      'linux-image-6.1.0-50-amd64 6.1.176-1: a guest built now (fresh cache, another runner, `guest build --force`) boots the newer kernel, ' +
      'and gates between runs on the two say inconclusive (guest.packages.kernel: 6.1.176-1 → 6.1.192-3)',
  );
  assert.match(
    older.hint!,
    /guest export once, guest import --expect-hash on every runner, guest\.image_hash in the profile/,
  );
  assert.match(older.hint!, /Pinning the guest for nightly and CI/);

  assert.equal(guestKernelCheck({ name: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' }, offer).level, 'ok');
  const newer = guestKernelCheck({ name: 'linux-image-6.1.0-60-amd64', version: '6.1.200-1' }, offer);
  assert.equal(newer.level, 'info');
  assert.match(newer.detail, /newer than the apt lists offer \(linux-image-6\.1\.0-57-amd64 6\.1\.192-3/);
  assert.match(
    guestKernelCheck(null, offer).detail,
    /no cached guest to compare; a guest built now gets linux-image-6\.1\.0-57-amd64 6\.1\.192-3/,
  );
});

test('no offer: lists without the metapackage, or no apt at all, say so (info)', () => {
  const none = aptKernelOfferFrom(capture('unknown.policy.txt'), capture('unknown.depends.txt'), null);
  assert.ok('unavailable' in none);
  assert.match(none.unavailable, /offer no linux-image-amd64 .*apt-get update never ran/);
  const check = guestKernelCheck({ name: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' }, none);
  assert.equal(check.level, 'info');
  assert.match(check.detail, /^cannot tell whether Debian offers a newer guest kernel: /);
});
