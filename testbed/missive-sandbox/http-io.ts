/** Small node:http helpers: bounded body reading, JSON answers, CORS headers. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export { isLoopbackAddress, isLoopbackHost, sleep, urlHost } from '../sandbox-kit/http-io.ts';

/** Missive's own: a declared oversize is refused before reading, and a client that gives up is 'aborted'. */
export type BodyRead = { kind: 'ok'; raw: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Reads the whole body, refusing more than `maxBytes` by Content-Length or by what actually
 * arrives. An oversized body is still drained (not stored) so the client reads the 413 instead of
 * a reset connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(received > maxBytes ? { kind: 'too-large' } : { kind: 'ok', raw: Buffer.concat(chunks) }),
    );
    // A client that gives up mid-upload is not a sandbox failure; the caller sees the closed socket.
    req.on('error', () => resolve({ kind: 'aborted' }));
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
  });
}

export function isJsonContentType(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Sends JSON, or an empty body when `body` is undefined (a POST may answer 201 with no body). */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('Cache-Control', 'no-store');
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': '0' }).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

export const EXPOSED_RATE_HEADERS = [
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** CORS as a permissive API would send it: any origin (echoed), token in a header, no cookies. */
export function applyCors(req: IncomingMessage, res: ServerResponse, exposeRateHeaders: boolean): void {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  if (exposeRateHeaders) res.setHeader('Access-Control-Expose-Headers', EXPOSED_RATE_HEADERS.join(', '));
}

export function answerPreflight(res: ServerResponse, withCors: boolean): void {
  if (withCors) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(204).end();
}
