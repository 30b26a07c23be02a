/** Every request the sandbox received, in arrival order (bodies are not kept: they can be 50 MB). */
import { RequestLog as CommonRequestLog, epochMs } from '../sandbox-kit/request-log.ts';
import type { RecordedRequest } from './types.ts';

export { epochMs } from '../sandbox-kit/request-log.ts';

export class RequestLog extends CommonRequestLog<RecordedRequest> {
  constructor() {
    super((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  start(method: string, path: string, query: URLSearchParams): RecordedRequest {
    return this.append({
      seq: this.size,
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
    });
  }
}
