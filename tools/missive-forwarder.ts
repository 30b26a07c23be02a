/**
 * Local forwarding helper for browsers that Missive's API refuses (CORS). Listens on 127.0.0.1 only,
 * forwards `/v1/...` requests to the Missive API host and nowhere else, and adds CORS headers for
 * the app's origin only. The token passes through in the Authorization header; it is never logged.
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

export interface ForwarderOptions {
  /** The app's origin, e.g. http://127.0.0.1:4173. Only this origin gets CORS headers. */
  appOrigin: string;
  port?: number;
  /** Tests only: the sandbox's origin instead of Missive's. */
  upstreamOrigin?: string;
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

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin === appOrigin) {
      res.setHeader('Access-Control-Allow-Origin', appOrigin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED.join(', '));
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, PATCH');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(origin === appOrigin ? 204 : 403).end();
      return;
    }
    const path = req.url ?? '/';
    if (!path.startsWith('/v1/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"only /v1/ is forwarded"}');
      return;
    }
    void forward(req, res, upstream + path, log);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 8787, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    const body =
      req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await readBody(req));
    const headers = new Headers();
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const upstream = await fetch(target, { method: req.method, headers, body, redirect: 'manual' });
    const payload = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    for (const name of ['content-type', ...EXPOSED.map((h) => h.toLowerCase())]) {
      const value = upstream.headers.get(name);
      if (value !== null) out[name] = value;
    }
    res.writeHead(upstream.status, out).end(payload);
    log(`${req.method} ${new URL(target).pathname} → ${upstream.status}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${req.method} ${new URL(target).pathname} → failed: ${message}`);
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
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
