/**
 * Pure QMP wire handling: QEMU writes one compact JSON object per line
 * (`\r\n` or `\n`); a socket delivers arbitrary chunks. No I/O here.
 */
import { StringDecoder } from 'node:string_decoder';

export interface QmpGreeting {
  kind: 'greeting';
  version: { qemu: { major: number; minor: number; micro: number }; package: string } | undefined;
  capabilities: string[];
}
export interface QmpReturn {
  kind: 'return';
  id: unknown;
  value: unknown;
}
export interface QmpErrorReply {
  kind: 'error';
  id: unknown;
  errorClass: string;
  desc: string;
}
export interface QmpEvent {
  kind: 'event';
  event: string;
  data: unknown;
  /** Milliseconds since the epoch, from QEMU's {seconds, microseconds}. */
  timestampMs: number | null;
}
export interface QmpInvalid {
  kind: 'invalid';
  line: string;
  problem: string;
}
export type QmpMessage = QmpGreeting | QmpReturn | QmpErrorReply | QmpEvent | QmpInvalid;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Classifies one parsed JSON value as QMP message. */
function classifyQmpMessage(value: unknown, line = ''): QmpMessage {
  if (!isObject(value)) return { kind: 'invalid', line, problem: 'not a JSON object' };
  if (isObject(value.QMP)) {
    const qmp = value.QMP;
    const caps = Array.isArray(qmp.capabilities) ? qmp.capabilities.map(String) : [];
    return { kind: 'greeting', version: qmp.version as QmpGreeting['version'], capabilities: caps };
  }
  if ('return' in value) return { kind: 'return', id: value.id, value: value.return };
  if (isObject(value.error)) {
    return {
      kind: 'error',
      id: value.id,
      errorClass: String(value.error.class ?? 'GenericError'),
      desc: String(value.error.desc ?? '(no description)'),
    };
  }
  if (typeof value.event === 'string') {
    const ts = value.timestamp;
    const timestampMs =
      isObject(ts) && typeof ts.seconds === 'number' && typeof ts.microseconds === 'number'
        ? ts.seconds * 1000 + Math.floor(ts.microseconds / 1000)
        : null;
    return { kind: 'event', event: value.event, data: value.data, timestampMs };
  }
  return { kind: 'invalid', line, problem: 'neither greeting, return, error nor event' };
}

export function parseQmpLine(line: string): QmpMessage {
  try {
    return classifyQmpMessage(JSON.parse(line), line);
  } catch (err) {
    return { kind: 'invalid', line, problem: `bad JSON: ${(err as Error).message}` };
  }
}

/**
 * Splits a byte stream into QMP messages. Keeps the unterminated tail between
 * pushes and decodes UTF-8 across chunk borders. `maxLineBytes` bounds the
 * buffer: a longer line is reported as invalid and dropped.
 */
export class QmpLineParser {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private discarding = false;

  constructor(private readonly maxLineBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer | string): QmpMessage[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: QmpMessage[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const raw = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') continue;
      out.push(parseQmpLine(line));
    }
    if (this.buffer.length > this.maxLineBytes) {
      out.push({
        kind: 'invalid',
        line: this.buffer.slice(0, 200),
        problem: `line longer than ${this.maxLineBytes} bytes`,
      });
      this.buffer = '';
      this.discarding = true;
    }
    return out;
  }

  /** Whatever is left unterminated (useful for diagnostics at close). */
  get pending(): string {
    return this.buffer;
  }
}
