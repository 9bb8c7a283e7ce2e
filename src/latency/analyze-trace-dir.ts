/**
 * A traced pass's directory → its latency.json: reads meta.json and the raw
 * text it names, computes the CellLatency and writes it atomically beside
 * them. Passed down to the run loop by the CLI (the run does not import the
 * analysis tier); can be rerun offline on a stored directory.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { LATENCY_FILE } from '../store/layout.js';
import { TRACE_META_FILE, type TraceCaptureMeta, type TraceFile } from '../model/trace-capture.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { cellLatency } from './cell-latency.js';
import type { CellLatency } from '../model/latency.js';

const textOf = (dir: string, f: TraceFile | undefined) =>
  f ? readFile(join(dir, f.file), 'utf8').catch(() => undefined) : Promise.resolve(undefined);

export async function latencyOfTraceDir(dir: string): Promise<CellLatency> {
  const meta = JSON.parse(await readFile(join(dir, TRACE_META_FILE), 'utf8')) as TraceCaptureMeta;
  const fioText = await textOf(dir, meta.fio);
  const qemuLog = await textOf(dir, meta.qemuLog);
  const ftrace = await textOf(dir, meta.guestFtrace);
  const daemonFtrace = await textOf(dir, meta.daemon?.ftrace);
  return cellLatency({
    meta,
    fioJson: fioText ? (JSON.parse(fioText) as unknown) : null,
    ...(qemuLog === undefined ? {} : { qemuLog }),
    ...(ftrace === undefined ? {} : { ftrace }),
    ...(daemonFtrace === undefined ? {} : { daemonFtrace }),
  });
}

export async function analyzeTraceDir(dir: string): Promise<void> {
  await writeJsonAtomic(join(dir, LATENCY_FILE), await latencyOfTraceDir(dir));
}
