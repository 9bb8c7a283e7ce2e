/**
 * What a harness-free boot of the fidelity check (scripts/fidelity/init)
 * printed on the serial console, taken apart. Pure: the input is the console
 * text, which may be cut short (the guest died, the boot timed out) or mixed
 * with kernel messages; nothing here trusts it beyond what it can check.
 *
 * Marker lines start with `VBLK-FIDELITY <nonce> ` (a random nonce per boot):
 *   BOOT device=vda sshd=absent kernel=…   the guest is ready, no SSH server
 *   SETTING <job> <attr> <read back>       a guest setting after writing it
 *   SETTING-REFUSED <job> <attr> <value>   the kernel refused the write
 *   ARGV <job> <argv…>                     the fio argv the guest ran
 *   BEGIN <job> rc=<exit code>             fio's stdout follows, verbatim
 *   END <job> bytes=<n> sha256=<hex>       … up to here; its size and hash
 *   STDERR <job> <last lines>              fio failed: why
 *   FAILED <why>                           the guest could not run the jobs
 *   DONE                                   every job ran; power-off follows
 * fio's stdout counts only when its size and sha256 match the END line.
 */
import { createHash } from 'node:crypto';

export interface ConsoleJob {
  /** `<attr>` → the value read back after writing it (scheduler: the sysfs list). */
  settings: Record<string, string>;
  refused: string[];
  argv: string[] | null;
  rc: number | null;
  /** fio's stdout, checked against the END line; null with `problem`. */
  stdout: string | null;
  /** Why `stdout` is missing, when it is. */
  problem: string | null;
  stderr: string | null;
}

export interface FidelityConsole {
  boot: { device: string; sshd: string; kernel: string } | null;
  /** The guest's own FAILED line. */
  failed: string | null;
  jobs: Map<string, ConsoleJob>;
  done: boolean;
}

/** Kernel log lines (`[   12.345678] …`) that may land between fio's lines on a shared console. */
const KERNEL_LINE = /^\[\s*\d+\.\d+\]/;

function newJob(): ConsoleJob {
  return { settings: {}, refused: [], argv: null, rc: null, stdout: null, problem: null, stderr: null };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The stdout between BEGIN and END when its size and hash match, tried verbatim, then without kernel lines. */
export function checkedOutput(lines: readonly string[], bytes: number, hash: string): string | null {
  const candidates = [lines, lines.filter((l) => !KERNEL_LINE.test(l))];
  for (const c of candidates) {
    const joined = c.join('\n');
    // The guest adds a newline when fio's output lacks one: try both.
    for (const text of [`${joined}\n`, joined]) {
      if (Buffer.byteLength(text, 'utf8') === bytes && sha256(text) === hash) return text;
    }
  }
  return null;
}

/** Reads the marker lines of `nonce` out of `serial`. */
export function parseFidelityConsole(serial: string, nonce: string): FidelityConsole {
  const prefix = `VBLK-FIDELITY ${nonce} `;
  const out: FidelityConsole = { boot: null, failed: null, jobs: new Map(), done: false };
  const job = (id: string): ConsoleJob => {
    let j = out.jobs.get(id);
    if (!j) out.jobs.set(id, (j = newJob()));
    return j;
  };
  let open: { id: string; lines: string[] } | null = null;
  const cutShort = (why: string) => {
    if (open) job(open.id).problem = `fio output ${why} before its END line`;
    open = null;
  };
  for (const line of serial.replace(/\r+\n/g, '\n').replace(/\r/g, '\n').split('\n')) {
    if (!line.startsWith(prefix)) {
      open?.lines.push(line);
      continue;
    }
    const [word = '', id = '', ...rest] = line.slice(prefix.length).split(' ');
    if (word === 'END' && open && open.id === id) {
      const bytes = Number(/^bytes=\s*(\d+)$/.exec(rest[0] ?? '')?.[1] ?? NaN);
      const hash = /^sha256=([0-9a-f]{64})$/.exec(rest[1] ?? '')?.[1] ?? '';
      const text = Number.isFinite(bytes) && hash ? checkedOutput(open.lines, bytes, hash) : null;
      job(id).stdout = text;
      if (text === null)
        job(id).problem = 'fio output garbled on the console (size or sha256 differ from its END line)';
      open = null;
      continue;
    }
    cutShort('interrupted by another marker');
    if (word === 'BOOT') out.boot = bootFacts([id, ...rest]);
    else if (word === 'FAILED') out.failed = [id, ...rest].join(' ');
    else if (word === 'DONE') out.done = true;
    else if (word === 'SETTING' && rest[0]) job(id).settings[rest[0]] = rest.slice(1).join(' ');
    else if (word === 'SETTING-REFUSED') job(id).refused.push(rest.join(' '));
    else if (word === 'ARGV') job(id).argv = rest;
    else if (word === 'STDERR') job(id).stderr = rest.join(' ').trim();
    else if (word === 'BEGIN') {
      const rc = /^rc=(\d+)$/.exec(rest[0] ?? '')?.[1];
      job(id).rc = rc === undefined ? null : Number(rc);
      open = { id, lines: [] };
    }
  }
  cutShort('cut short (console ended)');
  return out;
}

function bootFacts(words: readonly string[]): FidelityConsole['boot'] {
  const facts = Object.fromEntries(
    words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] as const).filter(([k]) => k !== ''),
  );
  return { device: facts.device ?? '', sshd: facts.sshd ?? '', kernel: facts.kernel ?? '' };
}
