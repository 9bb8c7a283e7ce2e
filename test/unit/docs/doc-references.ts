/**
 * What the documentation tests read out of the repository's text: the repo
 * paths it names, its Markdown links and section references, and the
 * `vblk-bench` command lines in the README. Pure functions over text, so the
 * rules themselves are unit-tested on synthetic input (docs.test.ts).
 *
 * A path reference is a string that starts with one of the repository's
 * top-level folders (TOP_LEVEL_DIRS) followed by `/`, at the start of a word:
 * not preceded by a letter, digit, `_`, `.`, `/`, `~`, `$` or `-` (so the
 * `test/` inside `dist/test/unit/` or `/src/qemu/build` is not one), nor by a
 * possessive (`hyperfine's src/export/`, `the kernel's scripts/…` name
 * another project's tree). It runs
 * over path characters (letters, digits, `_ . - / * + @`) and brace groups
 * (`examples/systemd/vblk-bench-nightly.{service,timer}`, expanded); trailing dots (sentence
 * ends) are dropped. A reference followed by a placeholder (`<`, `…`, `$`,
 * `[`) is partial: only its folder part is checked. One containing `*` is a
 * glob that must match at least one file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, posix } from 'node:path';

export const TOP_LEVEL_DIRS = ['src', 'docs', 'test', 'profiles', 'scripts', 'examples', 'bin', '.ci'] as const;

/** Folders never scanned and never matched by globs: build output, installed packages, run output. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'results']);

export interface PathReference {
  /** The path as it must exist, repo-relative (a trailing `/` means a folder). */
  path: string;
  /** The text as written. */
  written: string;
  line: number;
  kind: 'file-or-dir' | 'dir-of-partial' | 'glob';
}

const PATH_RUN = String.raw`[\w.\-/*+@]*(?:\{[\w.\-,]+\}[\w.\-/*+@]*)*`;
const TOP = TOP_LEVEL_DIRS.map((d) => d.replace('.', '\\.')).join('|');
const PATH_REF = new RegExp(String.raw`(?<![\w./~$-])(?<!['’]s )(?:${TOP})/${PATH_RUN}`, 'g');
const PLACEHOLDER_AFTER = /^[<…$[]/;

export function findPathReferences(text: string): PathReference[] {
  const refs: PathReference[] = [];
  for (const m of text.matchAll(PATH_REF)) {
    let written = m[0];
    const after = text.slice(m.index + written.length);
    const partial = PLACEHOLDER_AFTER.test(after) || written.endsWith('...');
    written = written.replace(/\.+$/, '');
    const line = text.slice(0, m.index).split('\n').length;
    for (const path of expandBraces(written)) {
      if (partial) {
        refs.push({ path: path.slice(0, path.lastIndexOf('/') + 1), written, line, kind: 'dir-of-partial' });
      } else {
        refs.push({ path, written, line, kind: path.includes('*') ? 'glob' : 'file-or-dir' });
      }
    }
  }
  return refs;
}

/** `a/{b,c}.x` → `a/b.x`, `a/c.x` (nested groups are expanded one after another). */
export function expandBraces(s: string): string[] {
  const m = /\{([^{}]*)\}/.exec(s);
  if (!m) return [s];
  const head = s.slice(0, m.index);
  const tail = s.slice(m.index + m[0].length);
  return m[1]!.split(',').flatMap((alt) => expandBraces(head + alt + tail));
}

/** Every file and folder of the repository (repo-relative, folders with a trailing `/`). */
export function listRepository(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED_DIRS.has(entry.name)) continue;
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split('\\').join('/');
      if (entry.isDirectory()) {
        out.push(rel + '/');
        walk(abs);
      } else out.push(rel);
    }
  };
  walk(root);
  return out;
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}/?$`);
}

/** Why a reference does not resolve, or null when it does. */
export function checkPathReference(root: string, ref: PathReference, repoFiles: () => string[]): string | null {
  if (ref.kind === 'glob') {
    const re = globToRegExp(ref.path);
    return repoFiles().some((f) => re.test(f)) ? null : 'matches no file';
  }
  const abs = join(root, ref.path.replace(/\/$/, ''));
  if (!existsSync(abs)) return 'does not exist';
  if (ref.path.endsWith('/') && !statSync(abs).isDirectory()) return 'is not a folder';
  return null;
}

export interface MarkdownLink {
  target: string;
  line: number;
}

/** `[text](target)` links outside fenced code blocks, except URLs and mail addresses. */
export function findMarkdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  markdown.split('\n').forEach((text, i) => {
    if (insideFence(markdown, i)) return;
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z]+:/i.test(target)) links.push({ target, line: i + 1 });
    }
  });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The headings of a Markdown text (outside fences), backticks removed. */
export function headings(markdown: string): string[] {
  const out: string[] = [];
  markdown.split('\n').forEach((text, i) => {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (m && !insideFence(markdown, i)) out.push(m[1]!.replace(/`/g, ''));
  });
  return out;
}

/** Anchors of every heading, with GitHub's `-1`, `-2` suffixes for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(markdown)) {
    const slug = headingSlug(h);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Why a link from `fromFile` (repo-relative) does not resolve, or null. */
export function checkMarkdownLink(
  root: string,
  fromFile: string,
  link: MarkdownLink,
  read: (p: string) => string,
): string | null {
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const target = pathPart === '' ? fromFile : posix.normalize(posix.join(dirname(fromFile), pathPart));
  if (target.startsWith('..')) return 'points outside the repository';
  if (!existsSync(join(root, target))) return `${target} does not exist`;
  if (anchor !== undefined) {
    if (!target.endsWith('.md')) return `${target} is not Markdown, so #${anchor} cannot be checked`;
    if (!anchors(read(target)).has(anchor)) return `${target} has no heading with anchor #${anchor}`;
  }
  return null;
}

export interface SectionReference {
  file: string;
  title: string;
  line: number;
}

/**
 * `docs/x.md, "Title"` and `docs/x.md, *Title*`: a named section of a guide.
 * Both may wrap across lines of a comment (`#`, `//` or ` * ` continue it).
 */
export function findSectionReferences(text: string): SectionReference[] {
  const refs: SectionReference[] = [];
  const wrap = String.raw`\n[ \t]*(?:#|\/\/|\*(?=\s))?`;
  const re = new RegExp(
    String.raw`(?<![\w./-])(docs\/[\w.-]+\.md),?(?:\s|#|\/\/|\*(?=\s))+` +
      String.raw`(?:"((?:[^"\n]|${wrap}){1,160}?)"|\*([^*\s](?:[^*\n]|${wrap}){0,160}?)\*)`,
    'g',
  );
  for (const m of text.matchAll(re)) {
    const title = (m[2] ?? m[3])!.replace(/\s*\n\s*(#|\/\/|\*(?=\s))?\s*/g, ' ');
    refs.push({ file: m[1]!, title, line: text.slice(0, m.index).split('\n').length });
  }
  return refs;
}

/**
 * True when the title names a heading of the text (a heading may add a code
 * reference after it: `Title (\`file.ts\`)`) or a paragraph that starts with it in bold.
 */
export function hasSection(markdown: string, title: string): boolean {
  const want = title.replace(/`/g, '').replace(/\s+/g, ' ').trim();
  if (headings(markdown).some((h) => h === want || h.startsWith(want + ' ('))) return true;
  return markdown.split('\n').some((l) => l.replace(/`/g, '').startsWith(`**${want}**`));
}

/**
 * The comments of a TypeScript/JavaScript or shell text, everything else
 * blanked (line numbers kept): in code, only comments are prose. Quotes and
 * template literals are skipped so `'http://…'` is not a comment; regular
 * expression literals are not recognised (none in this repository holds `//`
 * or a quote before a path).
 */
export function commentsOf(source: string, style: 'c' | 'hash'): string {
  let out = '';
  let state: 'code' | 'line' | 'block' | "'" | '"' | '`' = 'code';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\n') {
      out += c;
      if (state === 'line' || state === "'" || state === '"') state = 'code';
      continue;
    }
    if (state === 'code') {
      if (style === 'c' && c === '/' && next === '/') state = 'line';
      else if (style === 'c' && c === '/' && next === '*') state = 'block';
      else if (style === 'hash' && c === '#' && (i === 0 || /\s/.test(source[i - 1]!))) state = 'line';
      else if (c === "'" || c === '"' || (style === 'c' && c === '`')) state = c;
      out += state === 'line' || state === 'block' ? c : ' ';
    } else if (state === 'line' || state === 'block') {
      out += c;
      if (state === 'block' && c === '/' && source[i - 1] === '*') state = 'code';
    } else {
      if (c === '\\') {
        out += '  ';
        i++;
        continue;
      }
      if (c === state) state = 'code';
      out += ' ';
    }
  }
  return out;
}

function insideFence(markdown: string, lineIndex: number): boolean {
  const lines = markdown.split('\n');
  let inside = false;
  for (let i = 0; i < lineIndex; i++) if (/^\s*(```|~~~)/.test(lines[i]!)) inside = !inside;
  return inside && !/^\s*(```|~~~)/.test(lines[lineIndex]!);
}

export interface CommandLine {
  /** Arguments after `vblk-bench`. */
  args: string[];
  written: string;
  line: number;
}

const CLI_NAMES = new Set(['vblk-bench', './bin/vblk-bench', 'bin/vblk-bench']);

/**
 * Every `vblk-bench …` command of a Markdown text: each command of a fenced
 * `sh`/`bash`/`shell` block (continuation lines joined, comments dropped,
 * split at `&&`, `||`, `;` and `|`, leading `VAR=value` assignments skipped),
 * and every inline code span outside fences that starts with `vblk-bench `.
 */
export function findCommands(markdown: string): CommandLine[] {
  const out: CommandLine[] = [];
  const lines = markdown.split('\n');
  let fence: string | null = null;
  let pending = '';
  let pendingLine = 0;
  lines.forEach((text, i) => {
    const open = /^\s*```\s*(\w*)/.exec(text);
    if (open) {
      fence = fence === null ? open[1]! : null;
      return;
    }
    if (fence !== null) {
      if (!['sh', 'bash', 'shell'].includes(fence)) return;
      if (pending === '') pendingLine = i + 1;
      pending += stripComment(text);
      if (pending.endsWith('\\')) {
        pending = pending.slice(0, -1) + ' ';
        return;
      }
      for (const segment of pending.split(/&&|\|\||;|\|/)) addCommand(out, segment, pendingLine);
      pending = '';
      return;
    }
    for (const m of text.matchAll(/`(vblk-bench [^`]+)`/g)) addCommand(out, m[1]!, i + 1);
  });
  return out;
}

function addCommand(out: CommandLine[], segment: string, line: number): void {
  const words = dropRedirections(shellWords(segment));
  while (words.length > 0 && /^[A-Za-z_]\w*=/.test(words[0]!)) words.shift();
  if (words.length > 0 && CLI_NAMES.has(words[0]!)) out.push({ args: words.slice(1), written: segment.trim(), line });
}

/** `> file`, `2>&1`, `>>file`, `< file`: the shell's, not the command's (`<name>` is a placeholder). */
function dropRedirections(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const m = /^\d?>>?(&\d)?(.*)$/.exec(words[i]!);
    if (words[i] === '<') i++;
    else if (!m) out.push(words[i]!);
    else if (m[1] === undefined && m[2] === '') i++;
  }
  return out;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Splits at unquoted white space; quotes are removed (no expansion: that is the shell's). */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
