/** Small node:http helpers: bounded body reading, JSON answers, CORS, loopback checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyRead = { kind: 'ok'; raw: Buffer } | { kind: 'too-large'; received: number };

/**
 * Reads the whole body, refusing more than `maxBytes`. An oversized body is still drained (not
 * stored) so the client reads the error instead of a reset connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        received > maxBytes ? { kind: 'too-large', received } : { kind: 'ok', raw: Buffer.concat(chunks) },
      ),
    );
    req.on('error', reject);
  });
}

/** Waits until the client has sent its whole body, so an early answer is not lost to a reset. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

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

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK_ADDRESSES.has(address) || address.startsWith('127.'));
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
