/**
 * The shared half of every sandbox's `/__sandbox/*` control API: loopback-only access, the JSON
 * body, routing by method and name, errors as `{"error": message}`, and the verbs all sandboxes
 * have (GET info | state | requests?since=N, POST reset | faults | options | inject). Each sandbox
 * adds its own verbs, injection fields and JSON writer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress, readBody as readWholeBody } from './http-io.ts';

export type JsonObject = Record<string, unknown>;

/** Answered as `{"error": message}` with `status`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ControlError(400, message);

export const CONTROL_MAX_BODY_BYTES = 1024 * 1024;

export type ControlHandler<T> = (target: T, body: JsonObject, url: URL) => { status: number; body: unknown };

export interface ControlRoutes<T> {
  get: Record<string, ControlHandler<T>>;
  post: Record<string, ControlHandler<T>>;
}

export type SendJson = (res: ServerResponse, status: number, body: unknown) => void;

/** What the common verbs need from a sandbox. */
export interface CommonControlTarget<Faults, Options, Injection> {
  info(): Record<string, unknown>;
  snapshot(): unknown;
  requestsSince(seq: number): unknown[];
  setFaults(faults: Faults): void;
  setOptions(options: Options): void;
  injectResponses(injection: Injection): void;
  reset(): void;
}

/** The verbs every sandbox has; `parseInjection` reads the sandbox's injectResponses() entry. */
export function commonControlRoutes<Faults, Options, Injection>(
  parseInjection: (body: JsonObject) => Injection,
): ControlRoutes<CommonControlTarget<Faults, Options, Injection>> {
  return {
    get: {
      info: (t) => ({ status: 200, body: t.info() }),
      state: (t) => ({ status: 200, body: t.snapshot() }),
      requests: (t, _b, url) => {
        const since = Number(url.searchParams.get('since') ?? 0);
        if (!Number.isInteger(since) || since < 0) throw badRequest('since must be an integer ≥ 0');
        const requests = t.requestsSince(since);
        return { status: 200, body: { requests, next: since + requests.length } };
      },
    },
    post: {
      reset: (t) => (t.reset(), { status: 200, body: { reset: true } }),
      faults: (t, body) => (t.setFaults(body as Faults), { status: 200, body: { faults: body } }),
      options: (t, body) => (t.setOptions(body as Options), { status: 200, body: { options: body } }),
      inject: (t, body) => (
        t.injectResponses(parseInjection(body)),
        { status: 200, body: { queued: body.count } }
      ),
    },
  };
}

/** The fields of an injection every sandbox reads. `paths` travels as a RegExp source string. */
export function parseInjection(body: JsonObject): {
  status: number;
  count: number;
  paths: RegExp | undefined;
  afterWrite: boolean;
} {
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

/** A body read as the sandbox's reader reports it. */
export type ControlBodyRead = { kind: 'ok'; raw: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** A POST's JSON object body (empty means `{}`), in any content type; other methods have none. */
export async function readControlBody(
  req: IncomingMessage,
  readBody: (req: IncomingMessage, maxBytes: number) => Promise<ControlBodyRead> = readWholeBody,
): Promise<JsonObject> {
  if (req.method !== 'POST') {
    req.resume();
    return {};
  }
  const read = await readBody(req, CONTROL_MAX_BODY_BYTES);
  if (read.kind === 'too-large') throw new ControlError(413, 'control payload too large');
  if (read.kind === 'aborted') throw badRequest('control payload cut off');
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

/**
 * Refuses a client that is not on loopback (403) and returns null, else the route name after
 * `/__sandbox/`.
 */
export function controlRouteName(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sendJson: SendJson,
): string | null {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    req.resume();
    sendJson(res, 403, { error: 'the sandbox control API answers loopback clients only' });
    return null;
  }
  return url.pathname.replace(/^\/__sandbox\/?/, '');
}

export interface DispatchOptions {
  sendJson: SendJson;
  /** The sandbox's body reader (default: ./http-io.ts readBody). */
  readBody?: (req: IncomingMessage, maxBytes: number) => Promise<ControlBodyRead>;
  /** The status of a sandbox's own error class; anything else unknown is a 400. */
  errorStatus?: (error: unknown) => number | undefined;
}

/** Reads the body and runs the route `name` for the request's method; 404 when there is none. */
export async function dispatchControl<T>(
  routes: ControlRoutes<T>,
  target: T,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: DispatchOptions,
): Promise<void> {
  const { sendJson } = options;
  const table = req.method === 'GET' ? routes.get : req.method === 'POST' ? routes.post : {};
  const handler = Object.hasOwn(table, name) ? table[name] : undefined;
  try {
    const body = await readControlBody(req, options.readBody);
    if (!handler) return sendJson(res, 404, { error: `No control route ${req.method} ${url.pathname}` });
    const result = handler(target, body, url);
    sendJson(res, result.status, result.body);
  } catch (error) {
    const status = error instanceof ControlError ? error.status : (options.errorStatus?.(error) ?? 400);
    sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The whole control API of a sandbox without special routes: loopback check, then dispatch. */
export async function handleControlRequest<T>(
  routes: ControlRoutes<T>,
  target: T,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: DispatchOptions,
): Promise<void> {
  const name = controlRouteName(req, res, url, options.sendJson);
  if (name === null) return;
  return dispatchControl(routes, target, name, req, res, url, options);
}
