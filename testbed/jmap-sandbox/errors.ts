/**
 * JMAP's three error levels (RFC 8620 §3.6, §5.3): request-level problem details (RFC 7807) with
 * an HTTP status, method-level errors answered in place of a method response, and per-object
 * SetErrors inside a /set or /import response.
 */

const ERROR_TYPE_PREFIX = 'urn:ietf:params:jmap:error:';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  body(): Record<string, unknown> {
    return { type: this.type, status: this.status, detail: this.message, ...this.extra };
  }
}

export function notJson(detail: string): RequestError {
  return new RequestError(400, `${ERROR_TYPE_PREFIX}notJSON`, detail);
}

export function notRequest(detail: string): RequestError {
  return new RequestError(400, `${ERROR_TYPE_PREFIX}notRequest`, detail);
}

export function unknownCapability(capability: string): RequestError {
  return new RequestError(400, `${ERROR_TYPE_PREFIX}unknownCapability`, `Unknown capability: ${capability}`);
}

/** `limit` names the capability limit that refused the request (RFC 8620 §3.6.1). */
export function limitExceeded(limit: string, status: number, detail: string): RequestError {
  return new RequestError(status, `${ERROR_TYPE_PREFIX}limit`, detail, { limit });
}

export function unauthorized(detail: string): RequestError {
  return new RequestError(401, 'about:blank', detail);
}

export function notFoundProblem(detail: string): RequestError {
  return new RequestError(404, 'about:blank', detail);
}

/** Answered as `["error", {type, description}, callId]`. */
export class MethodError extends Error {
  constructor(
    readonly type: string,
    description?: string,
  ) {
    super(description ?? type);
  }

  json(): Record<string, unknown> {
    return this.message === this.type ? { type: this.type } : { type: this.type, description: this.message };
  }
}

export function invalidArguments(description: string): MethodError {
  return new MethodError('invalidArguments', description);
}

/** RFC 8620 §5.3: a /set (or /import) on an account the session marks `isReadOnly`. */
export function accountReadOnly(): MethodError {
  return new MethodError('accountReadOnly', 'This account is read-only.');
}

export interface SetError {
  type: string;
  description?: string;
  properties?: string[];
  existingId?: string;
}

export function invalidProperties(properties: string[], description: string): SetError {
  return { type: 'invalidProperties', properties, description };
}
