/**
 * The one place relay adapters call `fetch`: a network failure or an unreadable answer becomes a
 * {@link TargetError}, and `Retry-After` is read. Adapters map statuses to what the run does next.
 * Tokens go in the Authorization header only: never in a URL, a message or a log.
 */
import { TargetError } from './types.ts';

export type Fetch = typeof fetch;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text (possibly ''). */
  body: unknown;
}

/** Sends one request; only a missing answer throws (a `transient` TargetError: it may have been processed). */
export async function send(
  fetchImpl: Fetch,
  url: string,
  init: RequestInit,
  what: string,
): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    // The browser says no more: a dropped connection, an unreachable host or a CORS refusal.
    const detail = error instanceof Error ? error.message : String(error);
    throw new TargetError('transient', `${what}: no answer (${detail})`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TargetError('transient', `${what}: the answer was cut off (${detail})`, response.status);
  }
  return { status: response.status, headers: response.headers, body: parseBody(text) };
}

function parseBody(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function stringField(value: unknown, name: string): string | null {
  const field = record(value)?.[name];
  return typeof field === 'string' ? field : null;
}

/** Short, single-line text of an answer body for an error message (no HTML pages in the UI). */
export function bodySnippet(body: unknown, max = 200): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
