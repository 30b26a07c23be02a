/** Small node:http helpers: bounded body reading, JSON answers, CORS, loopback checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyRead = { kind: 'ok'; raw: Buffer } | { kind: 'too-large'; received: number };

/**
 * Reads the whole body, refusing more than `maxBytes` by Content-Length or by what arrives. An
 * oversized body is still drained (not stored) so the client reads the error instead of a reset.
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
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': '0' }).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res
    .writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
    })
    .end(text);
}

/** Headers the browser may read from answers: resumable uploads need Location and Range. */
export const EXPOSED_HEADERS = [
  'Location',
  'Range',
  'X-GUploader-UploadID',
  'Retry-After',
  'WWW-Authenticate',
];

/** CORS as Google's APIs send it to a browser: the origin echoed, token in a header, no cookies. */
export function applyCors(req: IncomingMessage, res: ServerResponse, exposeLocation: boolean): void {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  const exposed = exposeLocation ? EXPOSED_HEADERS : EXPOSED_HEADERS.filter((name) => name !== 'Location');
  res.setHeader('Access-Control-Expose-Headers', exposed.join(', '));
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse, withCors: boolean): void {
  if (withCors) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
    // Echo what the browser asks for (X-Upload-Content-Type/-Length for resumable uploads, …).
    const asked = req.headers['access-control-request-headers'];
    res.setHeader('Access-Control-Allow-Headers', asked ?? 'Authorization, Content-Type');
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
