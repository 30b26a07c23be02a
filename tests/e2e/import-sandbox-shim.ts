/**
 * Test-only stand-in for `GET /v1/conversations?shared_label=…` (missive-api.md §5), which the
 * Missive sandbox does not serve yet. The import engine needs it when `POST /messages` answers
 * without a body (and to check a first SMS whose answer was lost). Answered from the sandbox's
 * snapshot with Missive's documented paging (newest `last_activity_at` first, `limit` ≤ 50, `until`
 * exclusive, a page extended to every conversation sharing its last timestamp), after a real
 * `GET /v1/users?limit=1` probe so that auth, revocation, rate limits, faults and CORS apply as to
 * any other request. Every other request goes to the sandbox untouched.
 *
 * Two forms: a fetch wrapper (unit tests in Node) and a loopback HTTP proxy (the browser).
 * TODO: move into testbed/missive-sandbox/api-routes.ts, then delete this file.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MissiveSandbox } from '../../testbed/missive-sandbox/server.ts';

const LISTING_MAX = 50;

function isListing(url: URL, method: string): boolean {
  return method === 'GET' && url.pathname === '/v1/conversations';
}

/** The page of conversations carrying the label, as Missive documents it. */
export function listingBody(sandbox: MissiveSandbox, query: URLSearchParams): unknown {
  const label = query.get('shared_label');
  const limit = Math.min(Number(query.get('limit') ?? 25) || 25, LISTING_MAX);
  const until = query.get('until') === null ? Infinity : Number(query.get('until'));
  const sorted = sandbox
    .snapshot()
    .conversations.filter(
      (c) => (label ? c.shared_labels.includes(label) : false) && c.last_activity_at < until,
    )
    .sort((a, b) => b.last_activity_at - a.last_activity_at);
  let end = Math.min(limit, sorted.length);
  while (end < sorted.length && sorted[end]!.last_activity_at === sorted[end - 1]!.last_activity_at) end++;
  return {
    conversations: sorted.slice(0, end).map((c) => ({
      id: c.id,
      subject: c.subject,
      last_activity_at: c.last_activity_at,
      shared_labels: c.shared_labels.map((id) => ({ id })),
      web_url: `https://mail.missiveapp.com/#inbox/conversations/${c.id}`,
    })),
  };
}

/** A fetch that serves the listing, for the engine in Node. */
export function shimFetch(sandbox: MissiveSandbox, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!isListing(url, init?.method ?? 'GET')) return inner(input, init);
    const probe = await inner(`${sandbox.origin}/v1/users?limit=1`, { headers: init?.headers ?? {} });
    if (!probe.ok) return probe;
    await probe.arrayBuffer();
    const headers = new Headers(probe.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(listingBody(sandbox, url.searchParams)), { status: 200, headers });
  };
}

export interface ShimProxy {
  /** Base URL including /v1: give it to the app instead of the sandbox's. */
  url: string;
  close(): Promise<void>;
}

/** A loopback proxy in front of the sandbox that also serves the listing (the browser's way in). */
export async function startShimProxy(sandbox: MissiveSandbox): Promise<ShimProxy> {
  const upstream = new URL(sandbox.origin);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', sandbox.origin);
    if (isListing(url, req.method ?? 'GET')) {
      void answerListing(sandbox, req, res, url);
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        answer.on('aborted', () => res.destroy());
      },
    );
    // A connection the sandbox dropped is dropped here too: the browser sees a network error.
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answerListing(
  sandbox: MissiveSandbox,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'origin']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  try {
    const probe = await fetch(`${sandbox.origin}/v1/users?limit=1`, { headers });
    const text = await probe.text();
    const out: Record<string, string> = {};
    probe.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding')
        out[name] = value;
    });
    const body = probe.ok ? JSON.stringify(listingBody(sandbox, url.searchParams)) : text;
    res.writeHead(probe.status, { ...out, 'content-type': 'application/json; charset=utf-8' }).end(body);
  } catch {
    req.socket.destroy();
  }
}
