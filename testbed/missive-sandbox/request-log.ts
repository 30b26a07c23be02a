/**
 * Every request the sandbox received, in arrival order. Entries keep the parsed body by reference;
 * only large bodies (attachments) are copied with their long strings elided, so a benchmark's log
 * stays small.
 */
import type { RecordedRequest } from './types.ts';

const LARGE_BODY_BYTES = 64 * 1024;
const LONG_STRING_CHARS = 1024;

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RequestLog {
  #entries: RecordedRequest[] = [];

  start(method: string, path: string, query: URLSearchParams, inFlightAtStart: number): RecordedRequest {
    const entry: RecordedRequest = {
      seq: this.#entries.length,
      method,
      path,
      query: Object.fromEntries(query),
      body: undefined,
      status: 0,
      startedAt: epochMs(),
      endedAt: null,
      inFlightAtStart,
      outcome: 'normal',
    };
    this.#entries.push(entry);
    return entry;
  }

  attachBody(entry: RecordedRequest, body: unknown, rawBytes: number): void {
    entry.body = rawBytes > LARGE_BODY_BYTES ? elideLongStrings(body) : body;
  }

  finish(entry: RecordedRequest, status: number): void {
    entry.status = status;
    entry.endedAt = epochMs();
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Copies, so callers cannot rewrite history. */
  since(seq = 0): RecordedRequest[] {
    return this.#entries.slice(Math.max(0, seq)).map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries = [];
  }
}

function elideLongStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > LONG_STRING_CHARS
      ? `<${value.length} characters elided by the sandbox log>`
      : value;
  }
  if (Array.isArray(value)) return value.map(elideLongStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, elideLongStrings(inner)]));
  }
  return value;
}
