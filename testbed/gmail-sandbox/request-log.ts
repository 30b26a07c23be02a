/** Every request the sandbox received, in arrival order (bodies are not kept: they can be 50 MB). */
import type { RecordedRequest } from './types.ts';

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RequestLog {
  #entries: RecordedRequest[] = [];

  start(method: string, path: string, query: URLSearchParams): RecordedRequest {
    const entry: RecordedRequest = {
      seq: this.#entries.length,
      method,
      path,
      query: Object.fromEntries(query),
      operation: null,
      units: 0,
      bodyBytes: 0,
      status: 0,
      startedAt: epochMs(),
      endedAt: null,
      outcome: 'normal',
    };
    this.#entries.push(entry);
    return entry;
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
    return this.#entries.slice(Math.max(0, seq)).map((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  clear(): void {
    this.#entries = [];
  }
}
