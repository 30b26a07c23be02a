import { describe, expect, it } from 'vitest';
import { call, get, sandbox } from './helpers.ts';

describe('authentication', () => {
  it('accepts the sandbox token and names its owner with me: true', async () => {
    const box = await sandbox();
    const answer = await get(box, '/users');
    expect(answer.status).toBe(200);
    const me = answer.json.users.filter((user: { me: boolean }) => user.me);
    expect(me).toEqual([expect.objectContaining({ id: box.userId })]);
    expect(answer.json.users.length).toBeGreaterThan(1);
  });

  it('answers 401 JSON without a token or with a wrong one, 403 for the no-plan token', async () => {
    const box = await sandbox();
    const missing = await call(box, 'GET', '/users', undefined, null);
    const wrong = await call(box, 'GET', '/users', undefined, 'missive_pat-wrong');
    const noPlan = await call(box, 'GET', '/users', undefined, box.forbiddenToken);
    expect([missing.status, wrong.status, noPlan.status]).toEqual([401, 401, 403]);
    for (const answer of [missing, wrong, noPlan]) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(typeof answer.json.error).toBe('string');
    }
  });

  it('honours custom tokens', async () => {
    const box = await sandbox({ token: 'missive_pat-custom', forbiddenToken: 'missive_pat-custom-noplan' });
    expect((await get(box, '/users')).status).toBe(200);
    expect((await call(box, 'GET', '/users', undefined, 'missive_pat-sandbox-0000demo')).status).toBe(401);
    expect((await call(box, 'GET', '/users', undefined, 'missive_pat-custom-noplan')).status).toBe(403);
  });

  it('refuses a revoked token until reset', async () => {
    const box = await sandbox();
    box.revokeToken();
    const revoked = await get(box, '/users');
    expect(revoked.status).toBe(401);
    expect(revoked.json.error).toMatch(/revoked/);
    box.reset();
    expect((await get(box, '/users')).status).toBe(200);
  });

  it('does not count refused tokens against the rate limits', async () => {
    const box = await sandbox({ limits: { perMinute: 2 } });
    for (let i = 0; i < 5; i++) await call(box, 'GET', '/users', undefined, 'nope');
    expect(box.snapshot().rate.acceptedTotal).toBe(0);
    expect((await get(box, '/users')).status).toBe(200);
  });
});

async function preflight(url: string, origin = 'http://127.0.0.1:4173') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });
}

describe('CORS', () => {
  it('answers preflights with 204 and the allowed methods and headers, echoing the origin', async () => {
    const box = await sandbox();
    const res = await preflight(`${box.url}/posts`);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  });

  it('exposes Retry-After and X-RateLimit-* on real answers', async () => {
    const box = await sandbox();
    const res = await fetch(`${box.url}/users`, {
      headers: { Authorization: `Bearer ${box.token}`, Origin: 'http://127.0.0.1:4173' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining([
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ]),
    );
  });

  it('can hide the rate headers from scripts (exposeRateHeaders: false)', async () => {
    const box = await sandbox({ exposeRateHeaders: false });
    const res = await fetch(`${box.url}/users`, { headers: { Authorization: `Bearer ${box.token}` } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBeNull();
    expect(res.headers.get('x-ratelimit-limit')).not.toBeNull();
  });

  it('sends no CORS headers at all with cors: false, and can switch at runtime', async () => {
    const box = await sandbox({ cors: false });
    const pre = await preflight(`${box.url}/users`);
    const real = await fetch(`${box.url}/users`, { headers: { Authorization: `Bearer ${box.token}` } });
    for (const res of [pre, real]) {
      expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    box.setOptions({ cors: true });
    expect((await preflight(`${box.url}/users`)).headers.get('access-control-allow-origin')).not.toBeNull();
  });

  it('does not count preflights against the limits, but records them', async () => {
    const box = await sandbox({ limits: { perMinute: 3 } });
    for (let i = 0; i < 6; i++) expect((await preflight(`${box.url}/users`)).status).toBe(204);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(box, '/users')).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(box.requests().filter((r) => r.outcome === 'preflight')).toHaveLength(6);
  });
});
