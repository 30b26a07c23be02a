/** Every request the sandbox received, in arrival order (bodies are not kept: uploads can be large). */
import { RequestLog as CommonRequestLog, epochMs } from '../sandbox-kit/request-log.ts';
import type { RecordedRequest } from './types.ts';

export { epochMs } from '../sandbox-kit/request-log.ts';

export class RequestLog extends CommonRequestLog<RecordedRequest> {
  constructor() {
    super((entry) => ({ ...entry, methodCalls: [...entry.methodCalls] }));
  }

  start(method: string, path: string, kind: RecordedRequest['kind']): RecordedRequest {
    return this.append({
      seq: this.size,
      method,
      path,
      kind,
      methodCalls: [],
      bodyBytes: 0,
      status: 0,
      startedAt: epochMs(),
      endedAt: null,
      outcome: 'normal',
    });
  }
}
