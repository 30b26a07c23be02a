/**
 * Thin Missive REST client: one place that knows the base URL, the token and how Missive answers.
 * No pacing here: the import engine's scheduler decides when a request may go.
 */

export type MissiveFailureKind =
  | 'unauthorized' // 401: wrong or revoked token
  | 'forbidden' // 403: token without API rights, or plan
  | 'rate_limited' // 429
  | 'too_large' // 413
  | 'client' // other 4xx: this item is rejected
  | 'server' // 5xx
  | 'network' // offline, DNS, dropped connection, blocker
  | 'cors'; // host reachable but the browser refused the response

export interface RateLimitHeaders {
  limit: number | null;
  remaining: number | null;
  /** UTC epoch seconds. */
  reset: number | null;
  /** Seconds, when the server sent a readable Retry-After. */
  retryAfter: number | null;
}

export type MissiveResponse<T> =
  | { ok: true; status: number; body: T | null; rate: RateLimitHeaders }
  | { ok: false; status: number; kind: MissiveFailureKind; message: string; rate: RateLimitHeaders };

export class MissiveClient {
  readonly base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  constructor(base: string, token: string, fetchImpl: typeof fetch = fetch.bind(globalThis)) {
    this.base = base.replace(/\/+$/, '');
    this.#token = token.trim();
    this.#fetch = fetchImpl;
  }

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<MissiveResponse<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        // The token must never follow a redirect to another host.
        redirect: 'error',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const kind = await this.#diagnoseFetchFailure();
      return { ok: false, status: 0, kind, message: networkMessage(kind, this.base), rate: emptyRate() };
    }
    const rate = readRateHeaders(res.headers);
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true, status: res.status, body: parseJson<T>(text), rate };
    return {
      ok: false,
      status: res.status,
      kind: failureKind(res.status),
      message: errorText(res.status, text),
      rate,
    };
  }

  /**
   * A fetch TypeError says nothing about why. If the host answers an opaque no-cors request, it is
   * reachable, so the browser refused Missive's answer (CORS); otherwise the network is at fault.
   */
  async #diagnoseFetchFailure(): Promise<'cors' | 'network'> {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'network';
    try {
      // no-cors requests must follow redirects (fetch throws otherwise); no token is sent here.
      await this.#fetch(this.base + '/users', { mode: 'no-cors', credentials: 'omit' });
      return 'cors';
    } catch {
      return 'network';
    }
  }
}

function emptyRate(): RateLimitHeaders {
  return { limit: null, remaining: null, reset: null, retryAfter: null };
}

function num(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function readRateHeaders(headers: Headers): RateLimitHeaders {
  return {
    limit: num(headers.get('X-RateLimit-Limit')),
    remaining: num(headers.get('X-RateLimit-Remaining')),
    reset: num(headers.get('X-RateLimit-Reset')),
    retryAfter: num(headers.get('Retry-After')),
  };
}

function failureKind(status: number): MissiveFailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 413) return 'too_large';
  if (status >= 500) return 'server';
  return 'client';
}

function parseJson<T>(text: string): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Missive's error body shape is undocumented: take `errors`, `error` or `message`, else the raw text. */
export function errorText(status: number, text: string): string {
  const parsed = parseJson<Record<string, unknown>>(text);
  const candidate = parsed && (parsed.errors ?? parsed.error ?? parsed.message);
  let detail: string;
  if (typeof candidate === 'string') detail = candidate;
  else if (candidate !== undefined && candidate !== null) detail = JSON.stringify(candidate);
  else detail = text.trim().slice(0, 500);
  return detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
}

function networkMessage(kind: 'cors' | 'network', base: string): string {
  return kind === 'cors'
    ? `The browser blocked the answer from ${base} (CORS). Missive does not allow requests from this page; use the local forwarding helper (see README: "npm run forwarder").`
    : `Could not reach ${base}: the network is down, the address is wrong, or an extension blocked the request.`;
}

/** Missive's listing endpoints (users, organizations, teams, shared labels, contact books) cap `limit` at 200. */
export const LIST_PAGE_SIZE = 200;
/** A listing longer than this many pages is taken as a server that ignores `offset`. */
const MAX_LIST_PAGES = 1_000;

export type PageRead<T, F> = { ok: true; items: T[] } | { ok: false; failure: F };

/**
 * Every item of a listing, read page by page through `offset` until a page comes back short (the
 * documented pagination). `readPage` gets the query (`limit=…&offset=…`) and answers the page's
 * items, or a failure that is returned as is.
 */
export async function readAllPages<T, F>(
  readPage: (query: string) => Promise<PageRead<T, F>>,
  pageSize = LIST_PAGE_SIZE,
): Promise<PageRead<T, F>> {
  const items: T[] = [];
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await readPage(`limit=${pageSize}&offset=${page * pageSize}`);
    if (!result.ok) return result;
    items.push(...result.items);
    if (result.items.length < pageSize) return { ok: true, items };
  }
  return { ok: true, items };
}
