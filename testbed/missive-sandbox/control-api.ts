/**
 * `/__sandbox/*`: the same controls as the in-process object, over HTTP, for processes that only
 * have the URL (the demo, a browser test, curl). No auth, loopback clients only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress, readBody, sendJson } from './http-io.ts';
import type {
  InjectedResponse,
  MutableSandboxOptions,
  RecordedRequest,
  SandboxFaults,
  SandboxState,
  SeedEmailInput,
} from './types.ts';
import { SandboxError, badRequest, isObject, type JsonObject } from './validate.ts';

export interface ControlTarget {
  info(): Record<string, unknown>;
  snapshot(): SandboxState;
  requestsSince(seq: number): RecordedRequest[];
  seedEmail(input: SeedEmailInput): string;
  setFaults(faults: SandboxFaults): void;
  setOptions(options: MutableSandboxOptions): void;
  injectResponses(injection: InjectedResponse): void;
  revokeToken(): void;
  reset(): void;
}

const CONTROL_MAX_BODY_BYTES = 1024 * 1024;

type ControlHandler = (
  target: ControlTarget,
  body: JsonObject,
  url: URL,
) => { status: number; body: unknown };

const getRoutes: Record<string, ControlHandler> = {
  info: (t) => ({ status: 200, body: t.info() }),
  state: (t) => ({ status: 200, body: t.snapshot() }),
  requests: (t, _b, url) => {
    const since = Number(url.searchParams.get('since') ?? 0);
    if (!Number.isInteger(since) || since < 0) throw badRequest('since must be an integer ≥ 0');
    const requests = t.requestsSince(since);
    return { status: 200, body: { requests, next: since + requests.length } };
  },
};

const postRoutes: Record<string, ControlHandler> = {
  'seed-email': (t, body) => ({ status: 201, body: { conversationId: t.seedEmail(seedInput(body)) } }),
  faults: (t, body) => (t.setFaults(body as SandboxFaults), { status: 200, body: { faults: body } }),
  options: (t, body) => (
    t.setOptions(body as MutableSandboxOptions),
    { status: 200, body: { options: body } }
  ),
  inject: (t, body) => (t.injectResponses(injection(body)), { status: 200, body: { queued: body.count } }),
  'revoke-token': (t) => (t.revokeToken(), { status: 200, body: { revoked: true } }),
  reset: (t) => (t.reset(), { status: 200, body: { reset: true } }),
};

function seedInput(body: JsonObject): SeedEmailInput {
  const { messageId, subject, conversationId } = body;
  if (typeof messageId !== 'string') throw badRequest('messageId (string) is required');
  if (subject !== undefined && typeof subject !== 'string') throw badRequest('subject must be a string');
  if (conversationId !== undefined && typeof conversationId !== 'string') {
    throw badRequest('conversationId must be a string');
  }
  return { messageId, subject, conversationId };
}

/** `paths` travels as a RegExp source string. */
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

async function readControlBody(req: IncomingMessage): Promise<JsonObject> {
  if (req.method !== 'POST') {
    req.resume();
    return {};
  }
  const read = await readBody(req, CONTROL_MAX_BODY_BYTES);
  if (read.kind === 'too-large') throw new SandboxError(413, 'control payload too large');
  if (read.kind === 'aborted') throw badRequest('control payload cut off');
  const text = read.raw.toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('body is not valid JSON');
  }
  if (!isObject(parsed)) throw badRequest('body must be a JSON object');
  return parsed;
}

export async function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    req.resume();
    return sendJson(res, 403, { error: 'the sandbox control API answers loopback clients only' });
  }
  const name = url.pathname.replace(/^\/__sandbox\/?/, '');
  const routes = req.method === 'GET' ? getRoutes : req.method === 'POST' ? postRoutes : {};
  const handler = Object.hasOwn(routes, name) ? routes[name] : undefined;
  try {
    const body = await readControlBody(req);
    if (!handler) return sendJson(res, 404, { error: `No control route ${req.method} ${url.pathname}` });
    const result = handler(target, body, url);
    sendJson(res, result.status, result.body);
  } catch (error) {
    const status = error instanceof SandboxError ? error.status : 400;
    sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}
