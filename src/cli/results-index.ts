/**
 * The results index as `list` and `history` open it: in the user cache
 * (`$VBLK_BENCH_CACHE`, else `$XDG_CACHE_HOME/vblk-bench`, else
 * `~/.cache/vblk-bench`, under results-index/), or none with `--no-index`;
 * progress of runs read for it on stderr (docs/results-store.md).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openResultsIndex, type IndexProgress, type ResultsIndex } from '../store/results-index.js';
import { HISTORY_DIGEST, type HistoryDigest } from '../history/run-digest.js';
import { cacheRootFrom } from '../util/cache-root.js';
import { printable } from '../util/file-read.js';

/** Below this many runs to read, one line when done; from it on, a line every tenth too. */
const STEPPED_FROM = 10;

function progressLine(p: IndexProgress): string | null {
  const where = p.location ? ` (index: ${printable(p.location)})` : '';
  if (p.done === p.total) return `results index: read ${p.total} new or changed run(s) of ${printable(p.root)}${where}`;
  if (p.total < STEPPED_FROM) return null;
  if (p.done === 0) return `results index: reading ${p.total} new or changed run(s) of ${printable(p.root)}…`;
  const step = Math.ceil(p.total / 10);
  return p.done % step === 0 ? `results index: ${p.done}/${p.total}` : null;
}

export function openIndexFor(root: string, opts: { index: boolean }): Promise<ResultsIndex<HistoryDigest>> {
  return openResultsIndex(root, {
    digest: HISTORY_DIGEST,
    indexRoot: opts.index ? join(cacheRootFrom(process.env, homedir()), 'results-index') : null,
    onProgress: (p) => {
      const line = progressLine(p);
      if (line) process.stderr.write(`${line}\n`);
    },
    onWarning: (line) => process.stderr.write(`info: ${line}\n`),
  });
}
