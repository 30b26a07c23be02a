import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, isLoopbackHost, startForwarder, type Forwarder } from '../../tools/missive-forwarder.ts';
import { startMissiveSandbox, type MissiveSandbox } from '../../testbed/missive-sandbox/server.ts';

describe('local forwarding helper', () => {
  let sandbox: MissiveSandbox;
  let forwarder: Forwarder;
  const appOrigin = 'http://127.0.0.1:4173';
  beforeAll(async () => {
    sandbox = await startMissiveSandbox({ cors: false });
    forwarder = await startForwarder({ appOrigin, port: 0, upstreamOrigin: sandbox.origin });
  });
  afterAll(async () => {
    await forwarder.close();
    await sandbox.close();
  });

  it('forwards /v1 with the token and adds CORS for the app origin only', async () => {
    const ok = await fetch(`${forwarder.url}/users`, {
      headers: { Authorization: `Bearer ${sandbox.token}`, Origin: appOrigin },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(appOrigin);
    expect(ok.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect(((await ok.json()) as { users: { me?: boolean }[] }).users.some((u) => u.me)).toBe(true);

    const other = await fetch(`${forwarder.url}/users`, {
      headers: { Authorization: `Bearer ${sandbox.token}`, Origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights for the app origin and refuses others', async () => {
    const pre = await fetch(`${forwarder.url}/posts`, { method: 'OPTIONS', headers: { Origin: appOrigin } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    const bad = await fetch(`${forwarder.url}/posts`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });
    expect(bad.status).toBe(403);
  });

  it('forwards only the API path, and passes Missive errors through', async () => {
    const outside = await fetch(forwarder.url.replace('/v1', '/__sandbox/state'));
    expect(outside.status).toBe(404);
    const wrong = await fetch(`${forwarder.url}/users`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });
});

/** A raw request: fetch would resolve dot segments itself and cannot set Host. */
function rawRequest(
  url: string,
  options: { path: string; method?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = http.request(
      { hostname, port, path: options.path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('local forwarding helper against hostile requests', () => {
  const appOrigin = 'http://127.0.0.1:4173';
  const seen: string[] = [];
  let hang = false;
  let upstream: http.Server;
  let upstreamOrigin = '';
  let forwarder: Forwarder;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (hang) return;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    upstreamOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    forwarder = await startForwarder({ appOrigin, port: 0, upstreamOrigin, upstreamTimeoutMs: 300 });
  });
  afterAll(async () => {
    await forwarder.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('normalises the path before the /v1/ check: encoded dot segments cannot climb out', async () => {
    seen.length = 0;
    for (const path of [
      '/v1/%2e%2e/admin',
      '/v1/%2E%2E/%2e%2e/admin',
      '/v1/../admin',
      '/v1/..%2fadmin',
      '/v1\\..\\admin',
    ]) {
      const answer = await rawRequest(forwarder.url, { path });
      expect(answer.status, path).toBe(404);
    }
    expect(seen).toEqual([]);
    const inside = await rawRequest(forwarder.url, { path: '/v1/a/%2e%2e/users?x=1' });
    expect(inside.status).toBe(200);
    expect(seen).toEqual(['GET /v1/users?x=1']);
    expect(apiPath('/v1/%2e%2e/admin')).toBeNull();
    expect(apiPath('/v1/posts')).toBe('/v1/posts');
  });

  it('refuses a foreign Origin and a Host that is not loopback (DNS rebinding)', async () => {
    seen.length = 0;
    const foreign = await rawRequest(forwarder.url, {
      path: '/v1/users',
      headers: { Origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const port = new URL(forwarder.url).port;
    const rebound = await rawRequest(forwarder.url, {
      path: '/v1/users',
      headers: { Host: `evil.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(seen).toEqual([]);
    const fromApp = await rawRequest(forwarder.url, {
      path: '/v1/users',
      headers: { Origin: appOrigin, Host: `localhost:${port}` },
    });
    expect(fromApp.status).toBe(200);
    expect(isLoopbackHost(`[::1]:${port}`)).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackHost(undefined)).toBe(false);
  });

  it('forwards only GET and POST', async () => {
    seen.length = 0;
    for (const method of ['DELETE', 'PATCH', 'PUT', 'HEAD']) {
      const answer = await rawRequest(forwarder.url, { path: '/v1/posts/1', method });
      expect(answer.status, method).toBe(405);
    }
    expect(seen).toEqual([]);
    const preflight = await fetch(`${forwarder.url}/posts`, {
      method: 'OPTIONS',
      headers: { Origin: appOrigin },
    });
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST');
  });

  it('gives up on an upstream that does not answer, with 504', async () => {
    hang = true;
    try {
      const answer = await rawRequest(forwarder.url, { path: '/v1/users' });
      expect(answer.status).toBe(504);
      expect(answer.body).toContain('no answer');
    } finally {
      hang = false;
    }
  });
});
