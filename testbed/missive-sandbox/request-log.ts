/**
 * Every request the sandbox received, in arrival order. Entries keep the parsed body by reference;
 * only large bodies (attachments) are copied with their long strings elided, so a benchmark's log
 * stays small.
 */
import { RequestLog as CommonRequestLog, epochMs } from '../sandbox-kit/request-log.ts';
import type { RecordedRequest } from './types.ts';

const LARGE_BODY_BYTES = 64 * 1024;
const LONG_STRING_CHARS = 1024;

export { epochMs } from '../sandbox-kit/request-log.ts';

export class RequestLog extends CommonRequestLog<RecordedRequest> {
  constructor() {
    super((entry) => ({ ...entry }));
  }

  start(method: string, path: string, query: URLSearchParams, inFlightAtStart: number): RecordedRequest {
    return this.append({
      seq: this.size,
      method,
      path,
      query: Object.fromEntries(query),
      body: undefined,
      status: 0,
      startedAt: epochMs(),
      endedAt: null,
      inFlightAtStart,
      outcome: 'normal',
    });
  }

  attachBody(entry: RecordedRequest, body: unknown, rawBytes: number): void {
    entry.body = rawBytes > LARGE_BODY_BYTES ? elideLongStrings(body) : body;
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
