/**
 * Readers that trust nothing, through the real CLI: seeded damage to a real
 * recorded results directory (test/fixtures/runs/gate/base) — files deleted,
 * duplicated, truncated, garbage, FIFOs, huge, deeply nested, symbolic links
 * to a planted file outside; fields null, arrays, wrong types, negative, huge
 * or non-finite; `..` paths; damaged latency maps of a traced pass — through
 * every offline command (list, report, explain, explain --latency, compare,
 * gate, merge, history, baseline save, gate --calibration),
 * plus damaged `import` inputs and mapping files and files that are not
 * profiles given to `run --dry-run`. Each case must end with a one-line
 * message or a typed warning, an exit code the command documents, never 0
 * when the damage reached what the command reads, never a stack trace, and
 * never a byte of the planted marker in the output (or in what the command
 * wrote). No QEMU is started.
 *
 * Rerun: `node --test dist/test/e2e/reader-fuzz.test.js`
 * (VBLK_BENCH_FUZZ_SEED=<n> replays another seed; the failing case's message
 * names its seed, command and damage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO_ROOT, hasStackTrace, runCli, type CliResult } from '../helpers/cli.js';
import { FUZZ_SEED } from '../helpers/profile-fuzz.js';
import {
  CALIBRATION_FIELDS,
  FIELD_TABLES,
  directoryMutation,
  duplicateMutation,
  fieldMutation,
  fileMutation,
  plantOutside,
  type Damage,
  type Mutation,
  type Outside,
} from '../helpers/results-fuzz.js';
import { mulberry32, randomInt, type Rng } from '../../src/util/prng.js';
import { MAX_FILE_BYTES } from '../../src/store/stored-file.js';
import { writeRunSummary } from '../../src/store/run-summary.js';
import { LATENCY_FILE, SUMMARY_FILE, TRACES_DIR, cellSlug } from '../../src/store/layout.js';
import { CELL_OFF, CELL_ON, fixtureLatency, writeLatency } from '../helpers/latency-fixture.js';

const GATE_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate');
/** The run every case damages a copy of (12 samples with insight, raw fio JSON, boots). */
const BASE = join(GATE_FIXTURES, 'base');
/** The other side of compare and gate, untouched. */
const PRISTINE = join(GATE_FIXTURES, 'same');
const CALIBRATION = join(GATE_FIXTURES, 'calibration.json');
const FIO = join(REPO_ROOT, 'test', 'fixtures', 'fio');
/** Concurrent CLI processes: the CLI is single-threaded; two cores and some I/O wait. */
const POOL = 3;
const PER_COMMAND = 34;

interface Case {
  root: string;
  results: string;
  run: string;
  out: string;
  calibration: string;
  outside: Outside;
  rng: Rng;
}

interface Command {
  name: string;
  /** What it reads: damage there must never end in exit 0. */
  reads: Damage[];
  codes: number[];
  args(c: Case): string[];
  /** Files or directories it writes, searched for the marker too. */
  writes?(c: Case): string[];
}

const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown', 'html', 'gobench'];

const COMMANDS: Command[] = [
  { name: 'list', reads: ['records'], codes: [0, 3], args: (c) => ['list', c.results] },
  {
    name: 'report',
    reads: ['records', 'latency'],
    codes: [0, 2, 3],
    args: (c) => ['report', c.run, '-f', REPORT_FORMATS[randomInt(c.rng, REPORT_FORMATS.length)]!],
  },
  { name: 'explain', reads: ['records'], codes: [0, 2, 3], args: (c) => ['explain', c.run] },
  {
    name: 'explain --latency',
    reads: ['records', 'latency'],
    codes: [0, 2, 3],
    args: (c) => ['explain', '--latency', c.run, '-f', pickFrom(c.rng, ['table', 'json', 'html'])],
  },
  {
    name: 'compare',
    reads: ['records'],
    codes: [0, 2, 3],
    args: (c) => (c.rng() < 0.5 ? ['compare', PRISTINE, c.run] : ['compare', c.run, PRISTINE]),
  },
  {
    name: 'gate',
    reads: ['records'],
    codes: [0, 1, 2, 3],
    args: (c) => (c.rng() < 0.5 ? ['gate', '--baseline', PRISTINE, c.run] : ['gate', '--baseline', c.run, PRISTINE]),
  },
  {
    name: 'merge',
    reads: ['records', 'raw', 'boots'],
    codes: [0, 2, 3],
    args: (c) => ['merge', c.run, '-o', join(c.out, 'merged')],
    writes: (c) => [join(c.out, 'merged')],
  },
  { name: 'history', reads: ['records'], codes: [0, 2, 3], args: (c) => ['history', c.results, '--profile', 'gate'] },
  {
    name: 'baseline save',
    reads: ['records'],
    codes: [0, 2, 3],
    args: (c) => ['baseline', 'save', c.run, '-o', join(c.out, 'baseline.json')],
    writes: (c) => [join(c.out, 'baseline.json')],
  },
  {
    name: 'gate --calibration',
    reads: ['calibration'],
    codes: [0, 1, 2, 3],
    args: (c) => ['gate', '--baseline', BASE, PRISTINE, '--calibration', c.calibration],
  },
];

/** Runs `jobs` with at most POOL at a time, in order of start. */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: POOL }, worker));
  return results;
}

const pickFrom = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, items.length)]!;

/** One damage for `command` (a third of them aimed at what it reads only when that is special: raw, boots). */
async function mutationFor(command: Command, c: Case): Promise<Mutation> {
  const { rng, outside } = c;
  if (command.reads.includes('calibration')) {
    return rng() < 0.8
      ? fieldMutation('calibration.json', CALIBRATION_FIELDS, rng, 'calibration')
      : fileMutation('calibration.json', rng, 'calibration', outside, MAX_FILE_BYTES.calibration);
  }
  if (command.reads.includes('latency') && rng() < (command.name === 'explain --latency' ? 0.6 : 0.2))
    return latencyMutation(c);
  const samples = (await readdir(join(c.run, 'samples'))).map((n) => `samples/${n}`);
  const raws = (await readdir(join(c.run, 'raw'))).map((n) => `raw/${n}`);
  const boots = await readdir(join(c.run, 'boots'));
  const sample = pickFrom(rng, samples);
  const bootFile = `boots/${pickFrom(rng, boots)}/${pickFrom(rng, ['boot.json', 'serial.log', 'qemu.argv.json'])}`;
  const special = command.reads.includes('raw') && rng() < 0.35;
  const roll = rng();
  if (special) {
    if (roll < 0.4) return fileMutation(pickFrom(rng, raws), rng, 'raw', outside, MAX_FILE_BYTES.rawFio);
    if (roll < 0.5) return directoryMutation('raw', rng, 'raw', outside);
    if (roll < 0.75) return bootFileMutation(bootFile, rng, outside);
    if (roll < 0.85) return bootsDirMutation(rng, outside);
    return fieldMutation(`boots/${pickFrom(rng, boots)}/boot.json`, FIELD_TABLES.boot, rng, 'boots');
  }
  if (roll < 0.38) return fieldMutation(sample, FIELD_TABLES.sample, rng, 'records');
  if (roll < 0.48) return fieldMutation('run.json', FIELD_TABLES.run, rng, 'records');
  if (roll < 0.55) return fieldMutation('plan.json', FIELD_TABLES.plan, rng, 'records');
  if (roll < 0.59) return fieldMutation('profile.json', FIELD_TABLES.profile, rng, 'records');
  if (roll < 0.61) return fieldMutation('environment.json', FIELD_TABLES.environment, rng, 'records');
  if (roll < 0.75) return fileMutation(sample, rng, 'records', outside, MAX_FILE_BYTES.sample);
  if (roll < 0.82) {
    const rel = pickFrom(rng, ['run.json', 'plan.json', 'profile.json', 'environment.json']);
    const m = fileMutation(rel, rng, 'records', outside, MAX_FILE_BYTES.plan);
    // Without environment.json a run reads as one measured before it existed; `list` does not list a directory without run.json.
    const harmless =
      m.what.endsWith(': deleted') && (rel === 'environment.json' || (rel === 'run.json' && command.name === 'list'));
    return harmless ? { ...m, damages: 'none' } : m;
  }
  if (roll < 0.87) return duplicateMutation(sample, rng);
  if (roll < 0.9) return directoryMutation('samples', rng, 'records', outside);
  // The run summary is a cache: damaged, readers ignore it and read the samples (the case is not damaged).
  if (roll < 0.915) return { ...fieldMutation(SUMMARY_FILE, FIELD_TABLES.summary, rng, 'none'), damages: 'none' };
  if (roll < 0.93)
    return { ...fileMutation(SUMMARY_FILE, rng, 'none', outside, MAX_FILE_BYTES.summary), damages: 'none' };
  // Damage a command may not read: checked for no crash and no leak only.
  if (roll < 0.95) return fileMutation(pickFrom(rng, raws), rng, 'raw', outside, MAX_FILE_BYTES.rawFio);
  return bootFileMutation(bootFile, rng, outside);
}

/** The traced cells of every case (hand-built maps of two cells of the base run), one of which is damaged. */
const TRACED = [CELL_ON, CELL_OFF];

/** A damaged latency map, or traces/ itself (removed: a run without traces, not damage). */
function latencyMutation(c: Case): Mutation {
  const rel = `${TRACES_DIR}/${cellSlug(pickFrom(c.rng, TRACED))}/${LATENCY_FILE}`;
  const roll = c.rng();
  if (roll < 0.55) return fieldMutation(rel, FIELD_TABLES.latency, c.rng, 'latency');
  if (roll < 0.9) return fileMutation(rel, c.rng, 'latency', c.outside, MAX_FILE_BYTES.latency);
  const m = directoryMutation('traces', c.rng, 'latency', c.outside);
  return m.what.endsWith('removed') ? { ...m, damages: 'none' } : m;
}

/**
 * Boot evidence is copied by `merge` as it is: a log that is shorter, longer
 * or gone is still evidence (nothing measured is lost). What it must refuse —
 * a link, a FIFO, a directory, a file over its cap, a boot.json that is not a
 * boot record — is damage.
 */
function bootFileMutation(rel: string, rng: Rng, outside: Outside): Mutation {
  const m = fileMutation(rel, rng, 'boots', outside, MAX_FILE_BYTES.bootLog);
  const copiedAsIs = /: (deleted|truncated|garbage bytes|empty|JSON nested 100 000 deep)$/.test(m.what);
  const isRecord = rel.endsWith('/boot.json');
  return copiedAsIs && (!isRecord || m.what.endsWith(': deleted')) ? { ...m, damages: 'none' } : m;
}

/** boots/ removed is a merge without evidence (still complete); a link to a directory outside is refused. */
function bootsDirMutation(rng: Rng, outside: Outside): Mutation {
  const m = directoryMutation('boots', rng, 'boots', outside);
  return m.what.endsWith('removed') ? { ...m, damages: 'none' } : m;
}

/** Every regular file under `path` (a file or a directory), never following links. */
async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info) return [];
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  const out: string[] = [];
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await filesUnder(join(path, e.name))));
    else if (e.isFile()) out.push(join(path, e.name));
  }
  return out;
}

interface Verdict {
  ok: boolean;
  why: string;
}

/** The checks every case passes: no stack trace, no leak, a documented exit code, never 0 on damage it read, one-line messages. */
function judge(r: CliResult, opts: { codes: number[]; damaged: boolean; marker: string; written: string }): Verdict {
  const all = `${r.stdout}\n${r.stderr}`;
  const fail = (why: string): Verdict => ({ ok: false, why });
  if (hasStackTrace(all) || /a bug, please report it/.test(all)) return fail('a stack trace');
  if (all.includes(opts.marker) || opts.written.includes(opts.marker))
    return fail('the marker from outside the results directory in the output');
  if (all.includes('\u001b')) return fail('an escape sequence in the output');
  if (!opts.codes.includes(r.exitCode)) return fail(`exit ${r.exitCode}, not one of ${opts.codes.join(', ')}`);
  if (opts.damaged && r.exitCode === 0) return fail('exit 0 although what it reads was damaged');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (r.exitCode === 2) {
    if (!lines.some((l) => l.startsWith('error: '))) return fail('exit 2 without an error: line');
    if (lines.length > 12) return fail(`exit 2 with ${lines.length} lines on stderr`);
  }
  if (r.exitCode === 3 && !lines.some((l) => /^(warning|error|gate): /.test(l)))
    return fail('exit 3 without a warning or error line');
  if (lines.some((l) => l.length > 4000)) return fail('a message line longer than 4000 characters');
  return { ok: true, why: '' };
}

async function newCase(root: string, seed: number): Promise<Case> {
  const results = join(root, 'results');
  const run = join(results, 'run');
  await cp(BASE, run, { recursive: true });
  // As a run leaves it: with its summary (damage to a sample afterwards must make the summary stale).
  await writeRunSummary(run);
  for (const cell of TRACED) await writeLatency(run, cell, fixtureLatency(cell));
  const calibration = join(root, 'calibration.json');
  await cp(CALIBRATION, calibration);
  const firstSample = (await readdir(join(run, 'samples'))).sort()[0]!;
  const outside = await plantOutside(
    join(root, 'outside'),
    `VBLKMARKER${seed.toString(36)}X`,
    await readFile(join(run, 'samples', firstSample), 'utf8'),
  );
  const out = join(root, 'out');
  await mkdir(out);
  return { root, results, run, out, calibration, outside, rng: mulberry32(seed) };
}

test(
  `reader fuzz (seed ${FUZZ_SEED}): ${PER_COMMAND} damaged results directories per offline command through the real CLI`,
  { timeout: 1_800_000 },
  async (t) => {
    const base = await mkdtemp(join(tmpdir(), 'vblk-reader-fuzz-'));
    const jobs = COMMANDS.flatMap((command, ci) =>
      Array.from({ length: PER_COMMAND }, (_, k) => async () => {
        const seed = FUZZ_SEED + ci * 1000 + k;
        const c = await newCase(join(base, `${ci}-${k}`), seed);
        const mutation = await mutationFor(command, c);
        const damages =
          (await mutation.apply(command.reads.includes('calibration') ? c.root : c.run)) ?? mutation.damages;
        const args = command.args(c);
        const r = await runCli(args, { timeoutMs: 120_000 });
        const files = (await Promise.all((command.writes?.(c) ?? []).map(filesUnder))).flat();
        const written = (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
        let verdict = judge(r, {
          codes: command.codes,
          damaged: command.reads.includes(damages),
          marker: c.outside.marker,
          written,
        });
        // A damaged latency map (or traces/) is a warning naming it: the path under the run's traces/.
        const tracesDir = join(c.run, TRACES_DIR);
        if (verdict.ok && damages === 'latency' && command.reads.includes('latency') && r.exitCode !== 2)
          if (!r.stderr.split('\n').some((l) => l.startsWith(`warning: ${tracesDir}`)))
            verdict = { ok: false, why: `no warning line naming ${tracesDir}` };
        await rm(c.root, { recursive: true, force: true });
        return {
          command: command.name,
          seed,
          what: mutation.what,
          damaged: command.reads.includes(damages),
          exit: r.exitCode,
          verdict,
          stderr: r.stderr,
        };
      }),
    );
    const results = await pool(jobs);
    await rm(base, { recursive: true, force: true });
    const perCommand = new Map<string, { cases: number; damaged: number; exits: Record<number, number> }>();
    for (const r of results) {
      const s = perCommand.get(r.command) ?? { cases: 0, damaged: 0, exits: {} };
      s.cases++;
      if (r.damaged) s.damaged++;
      s.exits[r.exit] = (s.exits[r.exit] ?? 0) + 1;
      perCommand.set(r.command, s);
    }
    for (const [name, s] of perCommand)
      t.diagnostic(
        `${name}: ${s.cases} damaged inputs (${s.damaged} in what it reads), exits ${JSON.stringify(s.exits)}`,
      );
    const failures = results.filter((r) => !r.verdict.ok);
    assert.deepEqual(
      failures.map(
        (f) =>
          `${f.command} (seed ${f.seed}): ${JSON.stringify(f.what)}: ${f.verdict.why}; exit ${f.exit}; stderr: ${f.stderr.slice(0, 600)}`,
      ),
      [],
    );
    assert.equal(results.length, COMMANDS.length * PER_COMMAND);
    for (const [name, s] of perCommand)
      assert.ok(s.damaged >= PER_COMMAND / 2, `${name}: only ${s.damaged} cases damaged what it reads`);
  },
);

/** A damaged fio output among good ones: `import` names it and goes on (exit 3), never quoting it. */
const IMPORT_DAMAGE: { what: string; damaged: boolean; make(dir: string, o: Outside, rng: Rng): Promise<string> }[] = [
  {
    what: 'truncated',
    damaged: true,
    make: async (d, _o, rng) =>
      write(d, 'f.json', (await fixture('libaio-direct1-qd1.stdout')).slice(0, 1 + randomInt(rng, 3000))),
  },
  { what: 'garbage', damaged: true, make: (d, o) => write(d, 'f.json', `\u0000\u00ff${o.marker}{"x": ${o.marker}}`) },
  { what: 'a symbolic link to a text file', damaged: true, make: async (d, o) => link(d, o.textFile) },
  { what: 'a symbolic link to a fio-like document', damaged: true, make: async (d, o) => link(d, o.fioFile) },
  { what: 'a FIFO', damaged: true, make: async (d) => fifo(join(d, 'f.json')) },
  { what: 'a directory', damaged: true, make: async (d) => mkdir(join(d, 'f.json')).then(() => join(d, 'f.json')) },
  { what: 'missing', damaged: true, make: async (d) => join(d, 'nope.json') },
  {
    what: 'larger than 64 MiB (sparse)',
    damaged: true,
    make: async (d) => write(d, 'f.json', '').then(async (p) => (await truncate(p, MAX_FILE_BYTES.fioInput + 1), p)),
  },
  {
    what: 'JSON nested 100 000 deep',
    damaged: true,
    make: (d, o) =>
      fioWith(d, (doc) => ({ ...doc, deep: `${'['.repeat(100_000)}"${o.marker}"${']'.repeat(100_000)}` }), true),
  },
  {
    what: 'iops negative',
    damaged: true,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'read', 'iops'], -5000)),
  },
  {
    what: 'iops 1e308',
    damaged: true,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'read', 'iops'], 1e308)),
  },
  {
    what: 'iops 1e400',
    damaged: true,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'read', 'iops'], '__INF__')),
  },
  {
    what: 'iops a string',
    damaged: true,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'read', 'iops'], 'abc')),
  },
  { what: 'usr_cpu null', damaged: true, make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'usr_cpu'], null)) },
  { what: 'jobs empty', damaged: true, make: (d) => fioWith(d, (doc) => ({ ...doc, jobs: [] })) },
  { what: 'jobs an object', damaged: true, make: (d) => fioWith(d, (doc) => ({ ...doc, jobs: {} })) },
  { what: 'fio version a number', damaged: true, make: (d) => fioWith(d, (doc) => ({ ...doc, 'fio version': 5 })) },
  {
    what: 'clat_ns.mean negative',
    damaged: true,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'read', 'clat_ns', 'mean'], -1)),
  },
  {
    what: 'stonewalled groups (recorded)',
    damaged: true,
    make: async (d) => cp(join(FIO, 'two-groups-stonewall.stdout'), join(d, 'f.json')).then(() => join(d, 'f.json')),
  },
  {
    what: 'new_group (recorded)',
    damaged: true,
    make: async (d) => cp(join(FIO, 'two-groups-new-group.stdout'), join(d, 'f.json')).then(() => join(d, 'f.json')),
  },
  {
    what: 'startdelay (recorded)',
    damaged: true,
    make: async (d) => cp(join(FIO, 'two-jobs-startdelay.stdout'), join(d, 'f.json')).then(() => join(d, 'f.json')),
  },
  {
    what: 'a timestamp that is not a time',
    damaged: false,
    make: (d) => fioWith(d, (doc) => ({ ...doc, timestamp_ms: 'x', timestamp: -1e300 })),
  },
  {
    what: 'a job name with control characters',
    damaged: false,
    make: (d) => fioWith(d, (doc) => setIn(doc, ['jobs', 0, 'jobname'], 'a\u001b[31mb\nc')),
  },
  {
    what: 'mixed read/write (recorded)',
    damaged: false,
    make: async (d) => cp(join(FIO, 'randrw-qd4.stdout'), join(d, 'f.json')).then(() => join(d, 'f.json')),
  },
];

const MAPPING_DAMAGE: { what: string; make(dir: string, o: Outside): Promise<string> }[] = [
  {
    what: 'a key: value file',
    make: (d, o) =>
      write(d, 'map.yaml', Array.from({ length: 40 }, (_, i) => `${o.marker}_${i}: ${o.marker}`).join('\n')),
  },
  { what: 'a passwd-like file', make: async (d, o) => link(d, o.textFile, 'map.yaml') },
  {
    what: 'YAML garbage',
    make: (d, o) => write(d, 'map.yaml', `files: [${o.marker}\n\t- {: ${o.marker}\n"${o.marker}`),
  },
  { what: 'files of the wrong type', make: (d) => write(d, 'map.yaml', 'files: {match: 1}\n') },
  { what: 'a FIFO', make: async (d) => fifo(join(d, 'map.yaml')) },
  { what: 'an unknown tag', make: (d, o) => write(d, 'map.yaml', `labels: !!python/object:${o.marker} {}\n`) },
];

const FILES_PER_PROFILE: { what: string; make(dir: string, o: Outside): Promise<string> }[] = [
  { what: 'a passwd-like file', make: async (d, o) => link(d, o.textFile, 'p.yaml') },
  {
    what: 'key: value lines',
    make: (d, o) => write(d, 'p.yaml', Array.from({ length: 50 }, (_, i) => `${o.marker}${i}: value`).join('\n')),
  },
  {
    what: 'a JSON document with other keys',
    make: (d, o) => write(d, 'p.json', JSON.stringify({ [o.marker]: 1, b: 2, c: 3 })),
  },
  {
    what: 'YAML garbage',
    make: (d, o) => write(d, 'p.yaml', Array.from({ length: 30 }, () => `- ${o.marker}: [\n\t"${o.marker}`).join('\n')),
  },
  { what: 'binary garbage', make: (d, o) => write(d, 'p.yaml', `\u0000\u0001${o.marker}\u00ff\u0007`.repeat(50)) },
  {
    what: 'an unknown tag',
    make: (d, o) => write(d, 'p.yaml', `matrix: !!python/object:${o.marker} {iodepth: [1]}\n`),
  },
  { what: 'an invalid escape', make: (d, o) => write(d, 'p.yaml', `name: "\\q${o.marker}"\nmatrix: {iodepth: [1]}\n`) },
  {
    what: 'JSON nested 10 000 deep',
    make: (d, o) => write(d, 'p.yaml', `matrix: {iodepth: ${'['.repeat(10_000)}"${o.marker}"${']'.repeat(10_000)}}`),
  },
  {
    what: 'an axis of 65 values',
    make: (d) => write(d, 'p.yaml', `matrix: {iodepth: [${Array.from({ length: 65 }, (_, i) => i + 1).join(', ')}]}\n`),
  },
  {
    what: 'a 16.7 M-cell matrix',
    make: (d) => {
      const values = `[${Array.from({ length: 64 }, (_, i) => i + 1).join(', ')}]`;
      return write(
        d,
        'p.yaml',
        `matrix:\n  iodepth: ${values}\n  numjobs: ${values}\n  num_queues: ${values}\n  bs: [${Array.from({ length: 64 }, (_, i) => `"${i + 1}k"`).join(', ')}]\n`,
      );
    },
  },
  {
    what: '40 problems',
    make: (d) => write(d, 'p.yaml', `matrix: {iodepth: [${Array.from({ length: 40 }, () => 0).join(', ')}]}\n`),
  },
  { what: 'a FIFO', make: async (d) => fifo(join(d, 'p.yaml')) },
  { what: 'a directory', make: async (d) => mkdir(join(d, 'p.yaml')).then(() => join(d, 'p.yaml')) },
  {
    what: 'larger than 1 MiB (sparse)',
    make: async (d) => write(d, 'p.yaml', '').then(async (p) => (await truncate(p, 1024 * 1024 + 1), p)),
  },
];

async function fixture(name: string): Promise<string> {
  return readFile(join(FIO, name), 'utf8');
}
async function write(dir: string, name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return join(dir, name);
}
async function link(dir: string, target: string, name = 'f.json'): Promise<string> {
  await symlink(target, join(dir, name));
  return join(dir, name);
}
async function fifo(path: string): Promise<string> {
  execFileSync('mkfifo', [path]);
  return path;
}
function setIn(doc: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  let cur = doc as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return doc;
}
/** A recorded fio document, changed; `raw` values are spliced in as JSON text. */
async function fioWith(
  dir: string,
  change: (doc: Record<string, unknown>) => Record<string, unknown>,
  raw = false,
): Promise<string> {
  const text = await fixture('libaio-direct1-qd1.stdout');
  const doc = change(JSON.parse(text.slice(text.indexOf('{'))));
  let json = JSON.stringify(doc).replaceAll('"__INF__"', '1e400');
  if (raw)
    json = json.replace(/"deep":"((?:[^"\\]|\\.)*)"/, (_, inner: string) => `"deep":${JSON.parse(`"${inner}"`)}`);
  return write(dir, 'f.json', json);
}

test(
  `import: ${IMPORT_DAMAGE.length} damaged fio outputs and ${MAPPING_DAMAGE.length} damaged mapping files`,
  { timeout: 600_000 },
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'vblk-import-fuzz-'));
    const outside = await plantOutside(
      join(root, 'outside'),
      'VBLKMARKERIMPORTX',
      await readFile(join(BASE, 'samples', (await readdir(join(BASE, 'samples'))).sort()[0]!), 'utf8'),
    );
    const good = join(FIO, 'libaio-direct1-qd8.stdout');
    const jobs = [
      ...IMPORT_DAMAGE.map((d, i) => async () => {
        const dir = join(root, `i${i}`);
        await mkdir(dir);
        const file = await d.make(dir, outside, mulberry32(FUZZ_SEED + i));
        const r = await runCli(['import', good, file, '--out', join(dir, 'out')], { timeoutMs: 120_000 });
        return {
          what: `import: ${d.what}`,
          verdict: judge(r, { codes: [0, 3], damaged: d.damaged, marker: outside.marker, written: '' }),
          r,
        };
      }),
      ...MAPPING_DAMAGE.map((d, i) => async () => {
        const dir = join(root, `m${i}`);
        await mkdir(dir);
        const map = await d.make(dir, outside);
        const r = await runCli(['import', good, '--map', map, '--out', join(dir, 'out')], { timeoutMs: 120_000 });
        const verdict = judge(r, { codes: [2], damaged: true, marker: outside.marker, written: '' });
        const lines = r.stderr.trim().split('\n');
        return {
          what: `--map: ${d.what}`,
          verdict: verdict.ok && lines.length > 11 ? { ok: false, why: `${lines.length} lines` } : verdict,
          r,
        };
      }),
    ];
    const results = await pool(jobs);
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(
      results
        .filter((x) => !x.verdict.ok)
        .map((x) => `${x.what}: ${x.verdict.why}; exit ${x.r.exitCode}; ${x.r.stderr.slice(0, 400)}`),
      [],
    );
  },
);

test(
  `run --dry-run: ${FILES_PER_PROFILE.length} files that are not profiles, or profiles too big, refused in a few lines that quote none of them`,
  { timeout: 600_000 },
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'vblk-profile-fuzz-'));
    const outside = await plantOutside(
      join(root, 'outside'),
      'VBLKMARKERPROFILEX',
      await readFile(join(BASE, 'samples', (await readdir(join(BASE, 'samples'))).sort()[0]!), 'utf8'),
    );
    const results = await pool(
      FILES_PER_PROFILE.map((d, i) => async () => {
        const dir = join(root, `p${i}`);
        await mkdir(dir);
        const file = await d.make(dir, outside);
        const r = await runCli(['run', '--dry-run', file, '--out', join(dir, 'out')], { timeoutMs: 120_000 });
        let verdict = judge(r, { codes: [2], damaged: true, marker: outside.marker, written: '' });
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
        if (verdict.ok && (errors.length > 11 || !errors.every((l) => l.startsWith(`error: ${file}: `))))
          verdict = { ok: false, why: `error lines: ${errors.length}, not all naming the file` };
        if (verdict.ok && r.stdout !== '') verdict = { ok: false, why: 'output on stdout' };
        return { what: d.what, verdict, r };
      }),
    );
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(
      results
        .filter((x) => !x.verdict.ok)
        .map((x) => `${x.what}: ${x.verdict.why}; exit ${x.r.exitCode}; ${x.r.stderr.slice(0, 400)}`),
      [],
    );
    const cells = results.find((x) => x.what === 'a 16.7 M-cell matrix')!;
    assert.match(cells.r.stderr, /matrix: 16777216 cells, more than the 100000 allowed; the longest axes: /);
    const axis = results.find((x) => x.what === 'an axis of 65 values')!;
    assert.match(axis.r.stderr, /matrix\.iodepth: at most 64 values per axis, got 65/);
  },
);

test(
  'a skipped sample counts as missing: run --resume --dry-run lists it to be measured again',
  { timeout: 300_000 },
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'vblk-resume-fuzz-'));
    const run = join(root, 'run');
    await cp(BASE, run, { recursive: true });
    // As a run leaves it: with its summary (damage to a sample afterwards must make the summary stale).
    await writeRunSummary(run);
    const names = (await readdir(join(run, 'samples'))).sort();
    const damaged = JSON.parse(await readFile(join(run, 'samples', names[4]!), 'utf8'));
    await writeFile(
      join(run, 'samples', names[4]!),
      JSON.stringify({ ...damaged, metrics: { ...damaged.metrics, iops: { ...damaged.metrics.iops, value: -1 } } }),
    );
    const r = await runCli(['run', '--resume', run, '--dry-run'], { timeoutMs: 240_000 });
    await rm(root, { recursive: true, force: true });
    assert.equal(r.exitCode, 0, r.stderr);
    const slot = `${damaged.cellKey}#r${damaged.repetition}`;
    assert.match(r.stdout, /1 of 12 planned sample\(s\) missing\n/);
    assert.ok(
      r.stdout.split('\n').some((l) => l.trim() === slot),
      r.stdout,
    );
  },
);

test(
  'output into a pipe that closes early (report | head -c 1): exit 0, nothing on stderr',
  { timeout: 120_000 },
  async () => {
    const child = spawn(process.execPath, [CLI, 'report', BASE, PRISTINE, BASE, PRISTINE, '-f', 'json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  },
);
