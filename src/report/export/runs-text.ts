/** Text exporter of `list`: aligned columns to read and grep, one run per line. */
import { alignColumns, formatTimestamp } from '../format.js';
import type { RunListing } from '../run-listing.js';
import type { Exporter } from './exporter.js';
import { printable } from '../../util/file-read.js';

export function listRows(listing: RunListing): string[][] {
  // Runs listed from the database carry their id (what `--baseline-run` takes).
  const ids = listing.runs.some((r) => 'runId' in r && r.runId !== undefined);
  const rows = [['date', 'profile', 'accel', 'cells', 'samples', 'status', 'directory', ...(ids ? ['run id'] : [])]];
  for (const r of listing.runs) {
    if ('error' in r) {
      rows.push(['—', '—', '—', '—', '—', `unreadable: ${r.error}`, printable(r.dir), ...(ids ? ['—'] : [])]);
      continue;
    }
    const m = r.manifest;
    const notOk = r.samples - r.ok;
    const status = r.status === 'complete' && notOk > 0 ? `complete, ${notOk} not ok` : r.status;
    // A directory name may hold control characters: shown printable, like every name a reader reports.
    rows.push([
      formatTimestamp(m.startedAt),
      m.profileName,
      m.accel,
      String(r.cells),
      `${r.ok} ok/${r.planned}`,
      status,
      printable(r.dir),
      ...(ids ? [r.runId ?? '—'] : []),
    ]);
  }
  return rows;
}

export const runsText: Exporter<RunListing> = {
  format: 'text',
  render: (listing) => (listing.runs.length ? `${alignColumns(listRows(listing))}\n` : ''),
};
