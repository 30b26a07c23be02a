import { describe, expect, it } from 'vitest';
import { MissiveClient, errorText } from '../../src/adapters/missive-client.ts';

function fakeFetch(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return handler(String(input), init);
  }) as typeof fetch;
  return { fn, calls };
}

describe('MissiveClient', () => {
  it('sends the bearer token and JSON only to the configured base', async () => {
    const { fn, calls } = fakeFetch(
      () => new Response('{"posts":{"id":"p1","conversation":"c1"}}', { status: 201 }),
    );
    const client = new MissiveClient('http://127.0.0.1:4010/v1/', ' missive_pat-abc ', fn);
    const res = await client.request('POST', '/posts', { posts: { markdown: 'x' } });
    expect(res).toMatchObject({ ok: true, status: 201, body: { posts: { id: 'p1' } } });
    expect(calls[0]!.url).toBe('http://127.0.0.1:4010/v1/posts');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer missive_pat-abc');
    expect(headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.init.redirect).toBe('error');
  });

  it('treats 201 with no body as success', async () => {
    const { fn } = fakeFetch(() => new Response(null, { status: 201 }));
    const res = await new MissiveClient('http://x/v1', 't', fn).request('POST', '/messages', {});
    expect(res).toMatchObject({ ok: true, status: 201, body: null });
  });

  it('classifies 401, 403, 413, 429, 4xx and 5xx and reads the rate headers', async () => {
    const statuses = [401, 403, 413, 429, 422, 503];
    const kinds = [];
    for (const status of statuses) {
      const { fn } = fakeFetch(
        () =>
          new Response('{"error":"nope"}', {
            status,
            headers: { 'Retry-After': '7', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1700000000' },
          }),
      );
      const res = await new MissiveClient('http://x/v1', 't', fn).request('GET', '/users');
      expect(res.ok).toBe(false);
      if (!res.ok) {
        kinds.push(res.kind);
        expect(res.message).toBe(`HTTP ${status}: nope`);
        expect(res.rate).toEqual({ limit: null, remaining: 0, reset: 1700000000, retryAfter: 7 });
      }
    }
    expect(kinds).toEqual(['unauthorized', 'forbidden', 'too_large', 'rate_limited', 'client', 'server']);
  });

  it('says CORS when the host answers an opaque request, network when it does not', async () => {
    const cors = fakeFetch((_url, init) => {
      if (init.mode === 'no-cors') return new Response(null, { status: 200 });
      throw new TypeError('Failed to fetch');
    });
    const a = await new MissiveClient('http://x/v1', 't', cors.fn).request('GET', '/users');
    expect(a).toMatchObject({ ok: false, kind: 'cors' });
    const down = fakeFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    const b = await new MissiveClient('http://x/v1', 't', down.fn).request('GET', '/users');
    expect(b).toMatchObject({ ok: false, kind: 'network' });
  });

  it('extracts Missive error text defensively', () => {
    expect(errorText(400, '{"errors":"account not found"}')).toBe('HTTP 400: account not found');
    expect(errorText(400, '{"message":"bad"}')).toBe('HTTP 400: bad');
    expect(errorText(400, '{"errors":{"body":["is missing"]}}')).toBe('HTTP 400: {"body":["is missing"]}');
    expect(errorText(502, '<html>Bad gateway</html>')).toBe('HTTP 502: <html>Bad gateway</html>');
    expect(errorText(500, '')).toBe('HTTP 500');
  });
});
