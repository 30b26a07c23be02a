/**
 * Local forwarding helper for browsers that Missive's API refuses (CORS). Listens on 127.0.0.1 only,
 * forwards `/v1/...` requests to the Missive API host and nowhere else, and adds CORS headers for
 * the app's origin only. The token passes through in the Authorization header; it is never logged.
 *
 * A page on another origin cannot use it: a foreign `Origin` is refused, and so is a `Host` that is
 * not a loopback name (DNS rebinding: a hostile name that resolves to 127.0.0.1). The path is
 * normalised before the `/v1/` check, so `/v1/%2e%2e/admin` cannot climb out of the API. Only GET
 * and POST are forwarded (all the app sends), and the upstream call has a timeout.
 *
 *   npm run forwarder -- --origin https://your-static-host.example [--port 8787]
 *
 * Then set the app's "Missive API base URL" to http://127.0.0.1:8787/v1.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export const MISSIVE_API_ORIGIN = 'https://public.missiveapp.com';

const EXPOSED = ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept'];
const MAX_BODY_BYTES = 11 * 1024 * 1024; // Missive refuses over 10 MB anyway; keep a margin for its error.
const FORWARDED_METHODS = new Set(['GET', 'POST']);
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Missive answers in seconds; a request still open after this is a hung connection. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

export interface ForwarderOptions {
  /** The app's origin, e.g. http://127.0.0.1:4173. Only this origin gets CORS headers. */
  appOrigin: string;
  port?: number;
  /** Tests only: the sandbox's origin instead of Missive's. */
  upstreamOrigin?: string;
  /** How long the upstream call may take before the forwarder answers 504. */
  upstreamTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface Forwarder {
  url: string;
  close(): Promise<void>;
}

export async function startForwarder(options: ForwarderOptions): Promise<Forwarder> {
  const upstream = options.upstreamOrigin ?? MISSIVE_API_ORIGIN;
  const appOrigin = new URL(options.appOrigin).origin;
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (!isLoopbackHost(req.headers.host)) {
      refuse(res, 403, 'only requests to 127.0.0.1 or localhost are forwarded');
      return;
    }
    if (origin !== undefined && origin !== appOrigin) {
      refuse(res, 403, 'requests from this origin are not forwarded');
      return;
    }
    if (origin === appOrigin) {
      res.setHeader('Access-Control-Allow-Origin', appOrigin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED.join(', '));
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(origin === appOrigin ? 204 : 403).end();
      return;
    }
    if (!FORWARDED_METHODS.has(req.method ?? '')) {
      res.setHeader('Allow', 'GET, POST, OPTIONS');
      refuse(res, 405, 'only GET and POST are forwarded');
      return;
    }
    const path = apiPath(req.url ?? '/');
    if (path === null) {
      refuse(res, 404, 'only /v1/ is forwarded');
      return;
    }
    void forward(req, res, upstream + path, timeoutMs, log);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 8787, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function refuse(res: http.ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error }));
}

/** The Host header names a loopback address (any port); anything else may be a rebound DNS name. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  try {
    return LOOPBACK_HOSTNAMES.has(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

/**
 * The request target as the forwarder sends it upstream, or null when it is outside `/v1/`. Dot
 * segments (also percent-encoded ones) are resolved first, and encoded slashes or backslashes are
 * refused, so no spelling of the path reaches anything but the API.
 */
export function apiPath(requestTarget: string): string | null {
  if (!requestTarget.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(requestTarget, 'http://127.0.0.1');
  } catch {
    return null;
  }
  if (!url.pathname.startsWith('/v1/') || /%(?:2f|5c)/i.test(url.pathname)) return null;
  return url.pathname + url.search;
}

async function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  try {
    const body = req.method === 'GET' ? undefined : new Uint8Array(await readBody(req));
    const headers = new Headers();
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const upstream = await fetch(target, {
      method: req.method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const payload = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    for (const name of ['content-type', ...EXPOSED.map((h) => h.toLowerCase())]) {
      const value = upstream.headers.get(name);
      if (value !== null) out[name] = value;
    }
    res.writeHead(upstream.status, out).end(payload);
    log(`${req.method} ${new URL(target).pathname} → ${upstream.status}`);
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    const message = timedOut
      ? `no answer within ${timeoutMs / 1000} s`
      : error instanceof Error
        ? error.message
        : String(error);
    log(`${req.method} ${new URL(target).pathname} → failed: ${message}`);
    if (!res.headersSent) res.writeHead(timedOut ? 504 : 502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `forwarder could not reach Missive: ${message}` }));
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body over 11 MB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { origin: { type: 'string' }, port: { type: 'string', default: '8787' } },
  });
  if (!values.origin) {
    console.error('Usage: npm run forwarder -- --origin <the app origin, e.g. https://importer.example.com>');
    process.exit(2);
  }
  const forwarder = await startForwarder({
    appOrigin: values.origin,
    port: Number(values.port),
    log: (line) => console.log(line),
  });
  console.log(
    `Forwarding ${forwarder.url} → ${MISSIVE_API_ORIGIN}/v1 for pages served from ${values.origin}`,
  );
  console.log('In the app, set Advanced settings → "Missive API base URL" to', forwarder.url);
}
