/** Gmail sandbox: Bearer tokens, expiry and re-authorisation, scopes, CORS, the GIS stand-in. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GMAIL_SCOPES, startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';

interface GoogleError {
  error: { code: number; message: string; status: string; errors: { reason: string }[] };
}

describe('Gmail sandbox: auth and CORS', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox({ emailAddress: 'owner@customer.example' });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const profile = (token?: string, user = 'me') =>
    fetch(`${sandbox.url}/gmail/v1/users/${user}/profile`, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    });

  it('answers the profile with a valid token', async () => {
    const response = await profile(sandbox.token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ emailAddress: 'owner@customer.example', messagesTotal: 0 });
  });

  it("answers 401 in Google's shape for a missing, unknown or expired token", async () => {
    for (const response of [await profile(), await profile('ya29.made-up')]) {
      expect(response.status).toBe(401);
      const body = (await response.json()) as GoogleError;
      expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      expect(body.error.message).toMatch(/authentication credential/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }

    sandbox.expireToken(sandbox.token);
    const expired = await profile(sandbox.token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as GoogleError).error.status).toBe('UNAUTHENTICATED');
    expect(sandbox.requests().at(-1)?.outcome).toBe('unauthenticated');
  });

  it('accepts a newly issued token after expiry (the "Continue" flow), and reset() restores the first', async () => {
    sandbox.expireToken(sandbox.token);
    const fresh = sandbox.issueToken();
    expect((await profile(fresh)).status).toBe(200);
    sandbox.reset();
    expect((await profile(sandbox.token)).status).toBe(200);
    expect((await profile(fresh)).status).toBe(401);
  });

  it('checks scopes per method as Google documents them', async () => {
    const insertOnly = sandbox.issueToken([GMAIL_SCOPES.insert, GMAIL_SCOPES.labels]);
    const search = await fetch(`${sandbox.url}/gmail/v1/users/me/messages?q=rfc822msgid:a@b`, {
      headers: { Authorization: `Bearer ${insertOnly}` },
    });
    expect(search.status).toBe(403);
    const body = (await search.json()) as GoogleError;
    expect(body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: 'Request had insufficient authentication scopes.',
    });
    expect((await profile(insertOnly)).status).toBe(403);
    const labels = await fetch(`${sandbox.url}/gmail/v1/users/me/labels`, {
      headers: { Authorization: `Bearer ${insertOnly}` },
    });
    expect(labels.status).toBe(200);

    const metadataOnly = sandbox.issueToken([GMAIL_SCOPES.metadata]);
    const withQ = await fetch(`${sandbox.url}/gmail/v1/users/me/messages?q=rfc822msgid:a@b`, {
      headers: { Authorization: `Bearer ${metadataOnly}` },
    });
    expect(withQ.status).toBe(403);
    expect(((await withQ.json()) as GoogleError).error.message).toBe(
      "Metadata scope does not support 'q' parameter",
    );
  });

  it('answers for "me" or the owner address, and denies other users', async () => {
    expect((await profile(sandbox.token, 'owner%40customer.example')).status).toBe(200);
    const other = await profile(sandbox.token, 'someone%40else.example');
    expect(other.status).toBe(403);
  });

  it('answers CORS preflights and exposes the headers a browser client needs', async () => {
    const preflight = await fetch(
      `${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=multipart`,
      {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://127.0.0.1:4173',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type',
        },
      },
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const answer = await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, {
      headers: { Origin: 'http://127.0.0.1:4173', Authorization: `Bearer ${sandbox.token}` },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
    expect(answer.headers.get('access-control-expose-headers')).toContain('Location');

    sandbox.setOptions({ exposeUploadLocation: false });
    const hidden = await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, {
      headers: { Origin: 'http://127.0.0.1:4173' },
    });
    expect(hidden.headers.get('access-control-expose-headers')).not.toContain('Location');
    sandbox.setOptions({ exposeUploadLocation: true });
  });

  it('serves a GIS token-client stand-in whose token endpoint issues working tokens', async () => {
    const script = await fetch(sandbox.gisClientUrl);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('initTokenClient');

    const granted = await fetch(`${sandbox.origin}/__sandbox/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ client_id: 'x.apps.googleusercontent.com', scope: GMAIL_SCOPES.insert }),
    });
    const token = (await granted.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    // Insert-only: import is allowed, reading the profile is not.
    expect((await profile(token.access_token)).status).toBe(403);
  });
});
