/**
 * Turns zod issues into one `path: problem` line each, e.g.
 * `matrix.iodepth[2]: expected a positive integer`.
 */
import type { z } from 'zod';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/** zod's default texts start with "Invalid input: "; the path already says where. */
function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
      continue;
    }
    // A union's own message is the useful one; its branches' details are noise.
    lines.push(`${formatPath(issue.path)}: ${cleanMessage(issue.message)}`);
  }
  return lines;
}
