/** JMAP sandbox: the Session resource, auth, CORS, blob upload (dedupe by content), download. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJmapSandbox, type JmapSandbox } from '../../testbed/jmap-sandbox/server.ts';

const CORE = 'urn:ietf:params:jmap:core';
const MAIL = 'urn:ietf:params:jmap:mail';

function rfc822(messageId: string, body = 'Hello from Front.'): string {
  return [
    'From: Ada <ada@customer.example>',
    'To: support@team.example',
    'Subject: Invoice 42',
    'Date: Wed, 29 Nov 2023 21:17:19 +0000',
    `Message-ID: ${messageId}`,
    '',
    body,
    '',
  ].join('\r\n');
}

interface Session {
  apiUrl: string;
  uploadUrl: string;
  downloadUrl: string;
  primaryAccounts: Record<string, string>;
  accounts: Record<string, { isPersonal: boolean; isReadOnly: boolean }>;
  capabilities: Record<string, Record<string, unknown>>;
  state: string;
}

describe('JMAP sandbox: session and blobs', () => {
  let sandbox: JmapSandbox;

  beforeAll(async () => {
    sandbox = await startJmapSandbox({
      limits: { maxSizeUpload: 2048, maxConcurrentRequests: 2, maxObjectsInSet: 25 },
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const auth = (token = sandbox.token) => ({ Authorization: `Bearer ${token}` });

  async function session(): Promise<Session> {
    const response = await fetch(sandbox.sessionUrl, { headers: auth() });
    expect(response.status).toBe(200);
    return (await response.json()) as Session;
  }

  async function upload(raw: string, accountId = sandbox.accountId): Promise<Response> {
    const { uploadUrl } = await session();
    return fetch(uploadUrl.replace('{accountId}', accountId), {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'message/rfc822' },
      body: raw,
    });
  }

  it('serves a session with the URLs, the primary mail account and the configured core limits', async () => {
    const body = await session();
    expect(body.apiUrl).toBe(`${sandbox.origin}/jmap/api/`);
    expect(body.uploadUrl).toBe(`${sandbox.origin}/jmap/upload/{accountId}/`);
    expect(body.downloadUrl).toContain('{accountId}/{blobId}/{name}');
    expect(body.primaryAccounts[MAIL]).toBe(sandbox.accountId);
    expect(body.accounts[sandbox.accountId]).toMatchObject({ isPersonal: true, isReadOnly: false });
    expect(body.capabilities[CORE]).toMatchObject({
      maxSizeUpload: 2048,
      maxConcurrentUpload: 4,
      maxSizeRequest: 10_000_000,
      maxConcurrentRequests: 2,
      maxCallsInRequest: 16,
      maxObjectsInGet: 500,
      maxObjectsInSet: 25,
    });
    expect(body.capabilities[MAIL]).toEqual({});
    expect(typeof body.state).toBe('string');
  });

  it('redirects /.well-known/jmap to the session', async () => {
    const response = await fetch(`${sandbox.origin}/.well-known/jmap`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(sandbox.sessionUrl);
  });

  it('answers 401 for a missing, unknown or expired token, and accepts an issued one', async () => {
    for (const headers of [{}, auth('fmu1-made-up')]) {
      const response = await fetch(sandbox.sessionUrl, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const fresh = sandbox.issueToken();
    sandbox.expireToken(sandbox.token);
    expect((await fetch(sandbox.sessionUrl, { headers: auth() })).status).toBe(401);
    const api = await fetch(sandbox.apiUrl, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ using: [CORE], methodCalls: [['Core/echo', {}, '0']] }),
    });
    expect(api.status).toBe(401);
    expect((await fetch(sandbox.sessionUrl, { headers: auth(fresh) })).status).toBe(200);
  });

  it('answers CORS preflights for the API and upload URLs', async () => {
    for (const url of [sandbox.apiUrl, `${sandbox.origin}/jmap/upload/${sandbox.accountId}/`]) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://127.0.0.1:4173',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    }
  });

  it('uploads message/rfc822 bytes and answers {accountId, blobId, type, size}; identical bytes get the same blobId', async () => {
    const raw = rfc822('<a@x.example>');
    const first = await upload(raw);
    expect(first.status).toBe(201);
    const blob = (await first.json()) as { accountId: string; blobId: string; type: string; size: number };
    expect(blob).toEqual({
      accountId: sandbox.accountId,
      blobId: expect.any(String),
      type: 'message/rfc822',
      size: Buffer.byteLength(raw),
    });
    const again = (await (await upload(raw)).json()) as { blobId: string };
    const other = (await (await upload(rfc822('<b@x.example>'))).json()) as { blobId: string };
    expect(again.blobId).toBe(blob.blobId);
    expect(other.blobId).not.toBe(blob.blobId);
    expect(sandbox.blobs()).toHaveLength(2);

    const { downloadUrl } = await session();
    const url = downloadUrl
      .replace('{accountId}', sandbox.accountId)
      .replace('{blobId}', blob.blobId)
      .replace('{name}', 'message.eml')
      .replace('{type}', encodeURIComponent('message/rfc822'));
    const downloaded = await fetch(url, { headers: auth() });
    expect(downloaded.headers.get('content-type')).toBe('message/rfc822');
    expect(await downloaded.text()).toBe(raw);
  });

  it('refuses uploads over maxSizeUpload with a limit problem, and uploads to another account with 404', async () => {
    const tooBig = await upload(rfc822('<big@x.example>', 'x'.repeat(3000)));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({
      type: 'urn:ietf:params:jmap:error:limit',
      limit: 'maxSizeUpload',
    });
    expect(sandbox.blobs()).toHaveLength(0);
    expect((await upload(rfc822('<c@x.example>'), 'someone-else')).status).toBe(404);
  });
});
