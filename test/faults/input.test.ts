/**
 * Hostile input through the real CLI: fuzzed malformed profiles (the same
 * seeded generator as test/unit/profile/fuzz.test.ts) exit 2 with
 * `file: path: problem` lines and never a stack trace; profile values with
 * shell metacharacters never execute — refused where a value is
 * allow-listed, passed as one inert argv item where it is free-form (a real
 * guest boots with it).
 * Rerun the fuzz part alone: `node --test --test-name-pattern fuzz dist/test/faults/input.test.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { assertNothingLeft, fastProfile, removeTemp, runDirIn, tempDir, writeProfile } from '../helpers/faults.js';
import { FUZZ_SEED, malformedProfiles } from '../helpers/profile-fuzz.js';
import { parseYaml, validateProfile } from '../../src/profile/load.js';
import { InputError } from '../../src/model/errors.js';

/** Every 5th generated case that the validator rejects in-process (a spread over the kinds of damage). */
function cliCases(count: number) {
  const out: { what: string; text: string }[] = [];
  let rejected = 0;
  for (const c of malformedProfiles(FUZZ_SEED + 1, count * 6)) {
    try {
      validateProfile(parseYaml(c.text), 'fuzz');
    } catch {
      if (rejected++ % 5 === 0 && out.length < count) out.push(c);
    }
  }
  return out;
}

test(`fuzz: 24 malformed profiles (seed ${FUZZ_SEED + 1}) through the real CLI: exit 2, path: problem lines, no stack trace`, async () => {
  const dir = await tempDir('fuzz-cli');
  const cases = cliCases(24);
  assert.equal(cases.length, 24);
  const check = async (c: { what: string; text: string }, i: number) => {
    const file = join(dir, `case-${i}.yaml`);
    await writeFile(file, c.text);
    const r = await runCli(['run', file, '--out', join(dir, 'out')], { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 2, `${c.what}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), `${c.what}\n${r.stderr}`);
    assert.equal(r.stdout, '', c.what);
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 1, c.what);
    for (const line of lines)
      assert.ok(line.startsWith(`error: ${file}: `), `${c.what}: ${JSON.stringify(line).slice(0, 300)}`);
  };
  for (let i = 0; i < cases.length; i += 2) await Promise.all(cases.slice(i, i + 2).map((c, j) => check(c, i + j)));
  assert.ok(!existsSync(join(dir, 'out')), 'no results directory for a bad profile');
  await removeTemp(dir);
});

const MARK = (dir: string) => join(dir, 'PWNED');

/** Every way a shell would run `touch <marker>`. */
const payloads = (mark: string) => [
  `$(touch ${mark})`,
  `\`touch ${mark}\``,
  `;touch ${mark}`,
  `|touch ${mark}`,
  `&&touch ${mark}`,
  `\ntouch ${mark}`,
];

test('shell metacharacters in allow-listed profile values are refused (exit 2) and never run', async () => {
  const dir = await tempDir('metachar-refused');
  const mark = MARK(dir);
  const fields = [
    (p: string) => `name: "x${p}"\nmatrix: {iodepth: [1]}`,
    (p: string) => `fio: {bs: "4k${p}"}\nmatrix: {iodepth: [1]}`,
    (p: string) => `matrix: {scheduler: ["none${p}"]}`,
    (p: string) => `disk: {path: "/tmp/x${p}"}\nmatrix: {iodepth: [1]}`,
    (p: string) => `qemu: {binary: "qemu${p}"}\nmatrix: {iodepth: [1]}`,
    (p: string) => `qemu: {machine: "q35${p}"}\nmatrix: {iodepth: [1]}`,
    (p: string) => `matrix: {backend: [{name: virtio-blk, label: "l${p}"}]}`,
  ];
  // Each payload alone, in-process; all of them together in one value, through the CLI.
  for (const field of fields) {
    for (const payload of payloads(mark)) {
      assert.throws(
        () => validateProfile(parseYaml(`${field(JSON.stringify(payload).slice(1, -1))}\n`), 'x'),
        InputError,
        field(payload),
      );
    }
  }
  for (const [i, field] of fields.entries()) {
    const file = join(dir, `f${i}.yaml`);
    await writeFile(file, `${field(JSON.stringify(payloads(mark).join('')).slice(1, -1))}\n`);
    const r = await runCli(['run', file, '--out', join(dir, 'out')], { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 2, `${field('…')}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr));
  }
  assert.ok(!existsSync(mark), 'nothing executed');
  await removeTemp(dir);
});

test('shell metacharacters in free-form values (extra QEMU arguments, description) stay inert through a real run', async () => {
  const dir = await tempDir('metachar-inert');
  const mark = MARK(dir);
  const hostile = payloads(mark).join('').replace(/\n/g, ' ').replace(/,/g, ' ');
  // A fw_cfg blob takes any string (no commas: QEMU's option syntax): QEMU gets it as one argv item.
  const fwcfg = `name=opt/vblk/probe,string=${hostile}`;
  const yaml = fastProfile('inert', { extra: `description: ${JSON.stringify(hostile)}` }).replace(
    'qemu: {accel: tcg}',
    `qemu: {accel: tcg, extra_args: ['-fw_cfg', ${JSON.stringify(fwcfg)}]}`,
  );
  const profile = await writeProfile(dir, 'inert', yaml);

  const dry = await runCli(['run', '--dry-run', profile]);
  assert.equal(dry.exitCode, 0, dry.stderr);
  // --dry-run shows it single-quoted: copy-pasting the line into a shell is just as inert.
  assert.ok(dry.stdout.includes(`-fw_cfg '${fwcfg}'`), dry.stdout);

  const out = join(dir, 'out');
  const r = await runCli(['run', profile, '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr);
  const argv = JSON.parse(
    await readFile(join(runDirIn(out)!, 'boots', 'b001-g1-r0', 'qemu.argv.json'), 'utf8'),
  ) as string[];
  assert.ok(argv.includes(fwcfg), 'passed to QEMU as one argument, unchanged');
  assert.ok(!existsSync(mark), 'nothing executed');
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
