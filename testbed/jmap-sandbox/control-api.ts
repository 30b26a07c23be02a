/**
 * `/__sandbox/*`: the in-process controls over HTTP, for processes that only have the URL (the
 * demo, a browser test, curl). No auth, loopback clients only.
 *
 *   GET  /__sandbox/info | state | mailboxes | emails[?raw=1] | requests?since=N
 *   POST /__sandbox/reset | faults | options | inject | clock {advanceMs}
 *   POST /__sandbox/tokens → {token} | expire-token {token}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress, readBody, sendJson } from './http-io.ts';
import type {
  InjectedResponse,
  JmapFaults,
  JmapMailbox,
  JmapSandboxState,
  MutableJmapOptions,
  RecordedRequest,
  StoredJmapEmail,
} from './types.ts';

export interface ControlTarget {
  info(): Record<string, unknown>;
  snapshot(): JmapSandboxState;
  mailboxes(): JmapMailbox[];
  emails(): StoredJmapEmail[];
  requestsSince(seq: number): RecordedRequest[];
  issueToken(): string;
  expireToken(token: string): boolean;
  advanceClock(ms: number): void;
  setFaults(faults: JmapFaults): void;
  setOptions(options: MutableJmapOptions): void;
  injectResponses(injection: InjectedResponse): void;
  reset(): void;
}

type JsonObject = Record<string, unknown>;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new ControlError(400, message);

const CONTROL_MAX_BODY_BYTES = 1024 * 1024;

type ControlHandler = (
  target: ControlTarget,
  body: JsonObject,
  url: URL,
) => { status: number; body: unknown };

const getRoutes: Record<string, ControlHandler> = {
  info: (t) => ({ status: 200, body: t.info() }),
  state: (t) => ({ status: 200, body: t.snapshot() }),
  mailboxes: (t) => ({ status: 200, body: { mailboxes: t.mailboxes() } }),
  emails: (t, _b, url) => {
    const withRaw = url.searchParams.get('raw') === '1';
    return { status: 200, body: { emails: t.emails().map((email) => emailForControl(email, withRaw)) } };
  },
  requests: (t, _b, url) => {
    const since = Number(url.searchParams.get('since') ?? 0);
    if (!Number.isInteger(since) || since < 0) throw badRequest('since must be an integer ≥ 0');
    const requests = t.requestsSince(since);
    return { status: 200, body: { requests, next: since + requests.length } };
  },
};

const postRoutes: Record<string, ControlHandler> = {
  reset: (t) => (t.reset(), { status: 200, body: { reset: true } }),
  faults: (t, body) => (t.setFaults(body as JmapFaults), { status: 200, body: { faults: body } }),
  options: (t, body) => (t.setOptions(body as MutableJmapOptions), { status: 200, body: { options: body } }),
  inject: (t, body) => (t.injectResponses(injection(body)), { status: 200, body: { queued: body.count } }),
  clock: (t, body) => {
    if (typeof body.advanceMs !== 'number' || !(body.advanceMs >= 0)) {
      throw badRequest('advanceMs (number ≥ 0) is required');
    }
    t.advanceClock(body.advanceMs);
    return { status: 200, body: { advancedMs: body.advanceMs } };
  },
  tokens: (t) => ({ status: 201, body: { token: t.issueToken() } }),
  'expire-token': (t, body) => {
    if (typeof body.token !== 'string') throw badRequest('token (string) is required');
    if (!t.expireToken(body.token)) throw new ControlError(404, 'unknown token');
    return { status: 200, body: { expired: true } };
  },
};

function emailForControl(email: StoredJmapEmail, withRaw: boolean): JsonObject {
  const { raw, ...rest } = email;
  return withRaw ? { ...rest, raw: raw.toString('base64url') } : rest;
}

/** `paths` travels as a RegExp source string. */
function injection(body: JsonObject): InjectedResponse {
  const { status, count, paths, afterWrite } = body;
  if (typeof status !== 'number' || typeof count !== 'number') {
    throw badRequest('status and count (numbers) are required');
  }
  if (paths !== undefined && typeof paths !== 'string')
    throw badRequest('paths must be a RegExp source string');
  return {
    status,
    count,
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
  if (read.kind === 'too-large') throw new ControlError(413, 'control payload too large');
  const text = read.raw.toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('body must be a JSON object');
  }
  return parsed as JsonObject;
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
    const status = error instanceof ControlError ? error.status : 400;
    sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}
