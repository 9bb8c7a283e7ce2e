/**
 * The recorded run every exporter is tested on: profiles/quick.yaml with 6
 * repetitions (test/fixtures/runs/quick-r6.yaml), recorded with the real CLI
 * under TCG — real QEMU boots, real fio over SSH — and committed whole.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { loadRun, type StoredRun } from '../../src/store/run-reader.js';

export const FIXTURE_RUN_NAME = 'quick-20261126T051715Z';
export const FIXTURE_RUN = join(REPO_ROOT, 'test', 'fixtures', 'runs', FIXTURE_RUN_NAME);

export function loadFixtureRun(): Promise<StoredRun> {
  return loadRun(FIXTURE_RUN);
}
