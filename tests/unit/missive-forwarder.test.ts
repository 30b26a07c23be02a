import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwarder, type Forwarder } from '../../tools/missive-forwarder.ts';
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
