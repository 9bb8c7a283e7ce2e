/**
 * Seeded generator of malformed profiles for the fuzz tests: mutations of a
 * valid profile (wrong types, out-of-range and hostile values, unknown keys,
 * missing or empty matrix), documents that are not mappings, and text that is
 * not YAML at all or attacks the parser (deep nesting, alias bombs, tags,
 * control characters, truncation). The same seed gives the same cases.
 *
 * Every mutation is one the profile rules forbid; a test still checks each
 * case in-process and counts any that happen to validate.
 */
import { stringify } from 'yaml';
import { mulberry32, randomInt, type Rng } from '../../src/util/prng.js';

export interface FuzzCase {
  /** What was done to the profile, for failure messages. */
  what: string;
  text: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function baseProfile(): { [k: string]: Json } {
  return {
    name: 'fuzz',
    description: 'fuzz base',
    qemu: { accel: 'tcg', memory: '512M', vcpus: 2, extra_args: [] },
    disk: { size: '64M', cache: 'none', aio: 'native' },
    fio: { rw: 'read', bs: '4k', ioengine: 'libaio', direct: true, runtime: '1s', ramp_time: '0s', numjobs: 1 },
    repetitions: 1,
    order: 'round-robin',
    seed: 1,
    boot_retries: 1,
    matrix: { ioeventfd: ['on', 'off'], scheduler: ['none'], iodepth: [1, 4] },
  };
}

const HOSTILE = [
  '$(touch /tmp/vblk-fuzz-pwned)',
  '`id`',
  'a;b',
  'a b',
  '../../etc',
  'x\ny',
  '\u0000',
  '',
  'é',
  'a'.repeat(5000),
];

/** Values each path must refuse (docs/profiles.md: types, ranges, allow-lists). */
const INVALID: Record<string, Json[]> = {
  name: [123, true, [], {}, '-starts-with-dash', 'a'.repeat(65), ...HOSTILE],
  description: [123, ['x'], 'd'.repeat(2001)],
  qemu: ['tcg', [], 5],
  'qemu.binary': ['a,b', 123, ...HOSTILE],
  'qemu.accel': ['kvmm', 'TCG', 1, null, true],
  'qemu.machine': ['Q35', 5, ...HOSTILE],
  'qemu.memory': ['lots', -1, 0, '1.5G', '63M', '2000G', true, '512Q'],
  'qemu.vcpus': [0, -1, 1.5, 257, 'two', null, 1e300],
  'qemu.extra_args': ['-m 1G', [1], ['a\nb'], ['x\u0000y'], [''], [null], { a: 1 }],
  'qemu.bogus': [1],
  guest: [
    'builtin',
    { kind: 'vmware' },
    { kind: 'builtin', boot_timeout: '0s' },
    { kind: 'builtin', boot_timeout: 'soon' },
    { kind: 'builtin', typo: 1 },
  ],
  disk: [[], 'big'],
  'disk.path': [123, ...HOSTILE.filter((h) => h !== '../../etc')],
  'disk.size': ['0', '1K', '1P', -5, 'huge', 3.5],
  'disk.format': ['qcow3', 1],
  'disk.cache': ['writethrough', 1, true],
  'disk.aio': ['posix', 3],
  fio: ['fast', [1]],
  'fio.rw': ['readwrite-please', 'READ', 'trim', 1, null],
  'fio.bs': ['4kb', '-4k', '4 k', '4k;id', 4096, '', '4g'],
  'fio.ioengine': ['sync', 'spdk', 'rbd', 0],
  'fio.direct': ['yes', 1, 'true', null],
  'fio.runtime': ['forever', -1, '0s', '2d', true, '10x', 1e12],
  'fio.ramp_time': ['-1s', 'x', 4000],
  'fio.numjobs': [0, 65, 1.5, '1'],
  'fio.bogus': ['x'],
  repetitions: [0, 1001, -3, 'x', 2.5, null],
  order: ['sorted', 1, ['round-robin']],
  seed: [-1, 2 ** 31, 'seed', 0.5],
  boot_retries: [-1, 11, 'x', 1.5],
  matrix: [null, [], 'iodepth', {}, { iodepth: [] }],
  'matrix.iodepth': [
    [],
    [0],
    [1, 0],
    [-1],
    [4097],
    ['x'],
    [1.5],
    4,
    [1, 1],
    [null],
    Array.from({ length: 65 }, (_, i) => i + 1),
  ],
  'matrix.ioeventfd': [['maybe'], ['on', 'on'], [1], 'on', [null]],
  'matrix.scheduler': [['CFQ'], ['none;reboot'], [''], ['noop', 'none'], [7], ['$(reboot)']],
  'matrix.backend': [
    ['vhost-blk-nope'],
    [{ name: 'virtio-blk', bogus: 1 }],
    [{ label: 'x' }],
    [{ name: 'virtio-blk', queue_size: 0 }],
    [{ name: 'virtio-blk', label: 'Bad Label' }],
  ],
  'matrix.iodepths': [[1]],
};

/** Whole documents that are not a profile mapping, or not YAML. */
const NOT_PROFILES: FuzzCase[] = [
  { what: 'empty file', text: '' },
  { what: 'comment only', text: '# nothing\n' },
  { what: 'null document', text: '~\n' },
  { what: 'a list', text: '- 1\n- 2\n' },
  { what: 'a scalar', text: 'hello\n' },
  { what: 'a number', text: '42\n' },
  { what: 'unbalanced flow', text: 'matrix: {iodepth: [1, 2\n' },
  { what: 'tab indentation', text: 'matrix:\n\tiodepth: [1]\n' },
  { what: 'duplicate key', text: 'matrix: {iodepth: [1]}\nmatrix: {iodepth: [2]}\n' },
  {
    what: 'alias bomb',
    text: 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nmatrix: {iodepth: [*d]}\n',
  },
  { what: 'undefined alias', text: 'matrix: {iodepth: *nope}\n' },
  { what: 'deep flow nesting', text: `matrix: {iodepth: ${'['.repeat(20000)}` },
  {
    what: 'deep block nesting',
    text: `matrix:\n${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')}\n`,
  },
  { what: 'unknown tag', text: 'matrix: !!python/object:os.system {iodepth: [1]}\n' },
  { what: 'binary tag', text: 'matrix: {iodepth: !!binary aGVsbG8=}\n' },
  { what: 'merge key', text: 'x: &x {iodepth: [1]}\nmatrix:\n  <<: *x\n' },
  { what: '__proto__ key', text: '__proto__: {polluted: 1}\nmatrix: {iodepth: [1]}\n' },
  { what: 'constructor key', text: 'constructor: {prototype: {x: 1}}\nmatrix: {iodepth: [1]}\n' },
  { what: 'NUL bytes', text: 'matrix:\u0000 {iodepth: [1]}\n' },
  { what: 'control characters', text: 'name: "a\u0007b"\nmatrix: {iodepth: [1]}\n' },
  { what: 'byte order mark then list', text: '\ufeff- matrix\n' },
  { what: 'huge integer', text: 'matrix: {iodepth: [99999999999999999999999999999]}\n' },
  { what: 'NaN and infinity', text: 'matrix: {iodepth: [.nan, .inf]}\n' },
  { what: 'JSON array', text: '[{"matrix": {"iodepth": [1]}}]' },
  { what: 'two documents', text: 'matrix: {iodepth: [1]}\n---\nmatrix: {iodepth: [2]}\n' },
  { what: 'missing matrix', text: 'name: fuzz\n' },
  { what: 'very long line', text: `name: ${'x'.repeat(200_000)}\nmatrix: {iodepth: [1]}\n` },
];

function setPath(obj: { [k: string]: Json }, path: string, value: Json): void {
  const parts = path.split('.');
  let cur: { [k: string]: Json } = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as { [k: string]: Json };
  }
  cur[parts[parts.length - 1]!] = value;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, items.length)]!;

/** Random printable junk, sometimes with YAML punctuation. */
function junk(rng: Rng, length: number): string {
  const alphabet = 'abcXYZ019 :-[]{},&*!|>\'"%@`#\n\t?\\';
  return Array.from({ length }, () => alphabet[randomInt(rng, alphabet.length)]).join('');
}

/** One case: a mutated valid profile, a non-profile document, or damaged text. */
function oneCase(rng: Rng): FuzzCase {
  const kind = rng();
  if (kind < 0.7) {
    const profile = baseProfile();
    const n = 1 + randomInt(rng, 3);
    const done: string[] = [];
    for (let i = 0; i < n; i++) {
      const path = pick(rng, Object.keys(INVALID));
      const value = pick(rng, INVALID[path]!);
      setPath(profile, path, value);
      done.push(`${path}=${JSON.stringify(value)?.slice(0, 40)}`);
    }
    return { what: `mutated: ${done.join(', ')}`, text: stringify(profile) };
  }
  if (kind < 0.8) return pick(rng, NOT_PROFILES);
  const valid = stringify(baseProfile());
  if (kind < 0.9) {
    // Damage a valid text: a junk insertion at a random place.
    const at = randomInt(rng, valid.length);
    const piece = junk(rng, 1 + randomInt(rng, 12));
    return { what: `junk ${JSON.stringify(piece)} at ${at}`, text: valid.slice(0, at) + piece + valid.slice(at) };
  }
  // Truncation before the matrix entries are complete, plus junk.
  const cut = randomInt(rng, valid.indexOf('matrix:'));
  return { what: `truncated at ${cut} + junk`, text: valid.slice(0, cut) + junk(rng, randomInt(rng, 30)) };
}

export function malformedProfiles(seed: number, count: number): FuzzCase[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => oneCase(rng));
}

/** The seed the suite uses (`VBLK_BENCH_FUZZ_SEED` replays another one; test-only). */
export const FUZZ_SEED = Number(process.env.VBLK_BENCH_FUZZ_SEED ?? 20261126);
