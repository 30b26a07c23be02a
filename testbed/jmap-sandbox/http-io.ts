/** Small node:http helpers: bounded body reading, JSON answers, CORS, loopback checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export {
  drain,
  isLoopbackAddress,
  isLoopbackHost,
  mediaType,
  readBody,
  sleep,
  urlHost,
  type BodyRead,
} from '../sandbox-kit/http-io.ts';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
      ...headers,
    })
    .end(text);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  bytes: Buffer,
  headers: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  res
    .writeHead(status, { 'Content-Length': String(bytes.length), 'Cache-Control': 'no-store', ...headers })
    .end(bytes);
}

/** CORS as Fastmail says it sends it to web apps: the origin echoed, token in a header. */
export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate, Content-Disposition');
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse, withCors: boolean): void {
  if (withCors) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'Access-Control-Allow-Headers',
      req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type',
    );
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(204).end();
}
