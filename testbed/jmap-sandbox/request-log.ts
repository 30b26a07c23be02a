/** Every request the sandbox received, in arrival order (bodies are not kept: uploads can be large). */
import type { RecordedRequest } from './types.ts';

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RequestLog {
  #entries: RecordedRequest[] = [];

  start(method: string, path: string, kind: RecordedRequest['kind']): RecordedRequest {
    const entry: RecordedRequest = {
      seq: this.#entries.length,
      method,
      path,
      kind,
      methodCalls: [],
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
    return this.#entries
      .slice(Math.max(0, seq))
      .map((entry) => ({ ...entry, methodCalls: [...entry.methodCalls] }));
  }

  clear(): void {
    this.#entries = [];
  }
}
