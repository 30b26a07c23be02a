/**
 * `/__sandbox/*`: the same controls as the in-process object, over HTTP, for processes that only
 * have the URL (the demo, a browser test, curl). No auth, loopback clients only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commonControlRoutes, handleControlRequest, type ControlRoutes } from '../sandbox-kit/control-api.ts';
import { readBody, sendJson } from './http-io.ts';
import type {
  InjectedResponse,
  MutableSandboxOptions,
  RecordedRequest,
  SandboxFaults,
  SandboxState,
  SeedEmailInput,
  StateChange,
} from './types.ts';
import { SandboxError, badRequest, type JsonObject } from './validate.ts';

export interface ControlTarget {
  info(): Record<string, unknown>;
  snapshot(): SandboxState;
  requestsSince(seq: number): RecordedRequest[];
  seedEmail(input: SeedEmailInput): string;
  stateChanges(): StateChange[];
  setFaults(faults: SandboxFaults): void;
  setOptions(options: MutableSandboxOptions): void;
  injectResponses(injection: InjectedResponse): void;
  revokeToken(): void;
  reset(): void;
}

const common = commonControlRoutes<SandboxFaults, MutableSandboxOptions, InjectedResponse>(injection);

const routes: ControlRoutes<ControlTarget> = {
  get: {
    ...common.get,
    'state-changes': (t) => ({ status: 200, body: { stateChanges: t.stateChanges() } }),
  },
  post: {
    ...common.post,
    'seed-email': (t, body) => ({ status: 201, body: { conversationId: t.seedEmail(seedInput(body)) } }),
    'revoke-token': (t) => (t.revokeToken(), { status: 200, body: { revoked: true } }),
  },
};

function seedInput(body: JsonObject): SeedEmailInput {
  const { messageId, subject, conversationId, closed } = body;
  if (closed !== undefined && typeof closed !== 'boolean') throw badRequest('closed must be a boolean');
  if (typeof messageId !== 'string') throw badRequest('messageId (string) is required');
  if (subject !== undefined && typeof subject !== 'string') throw badRequest('subject must be a string');
  if (conversationId !== undefined && typeof conversationId !== 'string') {
    throw badRequest('conversationId must be a string');
  }
  return { messageId, subject, conversationId, closed };
}

/** `paths` travels as a RegExp source string; Missive's entries also carry `retryAfter`. */
function injection(body: JsonObject): InjectedResponse {
  const { status, retryAfter, count, paths, afterWrite } = body;
  if (typeof status !== 'number' || typeof count !== 'number')
    throw badRequest('status and count (numbers) are required');
  if (retryAfter !== undefined && typeof retryAfter !== 'number')
    throw badRequest('retryAfter must be a number');
  if (paths !== undefined && typeof paths !== 'string')
    throw badRequest('paths must be a RegExp source string');
  return {
    status,
    count,
    retryAfter,
    paths: paths === undefined ? undefined : new RegExp(paths),
    afterWrite: afterWrite === true,
  };
}

export function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  return handleControlRequest(routes, target, req, res, url, {
    sendJson,
    readBody,
    errorStatus: (error) => (error instanceof SandboxError ? error.status : undefined),
  });
}
