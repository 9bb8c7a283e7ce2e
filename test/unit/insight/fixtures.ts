/** The captured insight fixtures (test/fixtures/insight, see its README), read as the collectors would. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessReading } from '../../../src/insight/host-cpu.js';
import { threadReadingOf } from '../../../src/insight/proc-parse.js';

// Compiled to dist/test/unit/insight/: the fixtures stay in the source tree.
export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'insight');

export const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
export const fixtureJson = <T = unknown>(name: string): T => JSON.parse(fixtureText(name)) as T;

export interface CapturedTasks {
  pid: number;
  tasks: { tid: number; stat: string; schedstat: string }[];
}

/** A captured /proc/<pid>/task listing as the reading readProcessThreads would have returned. */
export function capturedReading(name: string): ProcessReading {
  const captured = fixtureJson<CapturedTasks>(name);
  return {
    source: { label: 'qemu', pid: captured.pid },
    threads: captured.tasks.map((t) => threadReadingOf(t.stat, t.schedstat)),
  };
}

/** vCPU and iothread thread ids as QMP reported them in the capture. */
export function capturedHints(): { vcpuTids: Set<number>; iothreadTids: Set<number> } {
  const cpus = fixtureJson<{ 'thread-id': number }[]>('qmp-query-cpus-fast.json');
  const iothreads = fixtureJson<{ 'thread-id': number }[]>('qmp-query-iothreads.json');
  return {
    vcpuTids: new Set(cpus.map((c) => c['thread-id'])),
    iothreadTids: new Set(iothreads.map((t) => t['thread-id'])),
  };
}
