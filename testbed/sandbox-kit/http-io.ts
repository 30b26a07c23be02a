/** node:http helpers every sandbox uses: bounded body reading, loopback checks, host in a URL, sleep. */
import type { IncomingMessage } from 'node:http';

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
