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
