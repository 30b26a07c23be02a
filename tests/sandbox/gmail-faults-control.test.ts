/** Gmail sandbox: injected and random faults (including writes that happen but whose answer is lost) and /__sandbox/. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';

function multipartImport(messageId: string): string {
  const raw = [
    'From: ada@customer.example',
    'Subject: Faults',
    'Date: Fri, 01 Mar 2024 11:00:00 +0000',
    `Message-ID: ${messageId}`,
    '',
    'Body.',
    '',
  ].join('\r\n');
  return [
    '--b',
    'Content-Type: application/json',
    '',
    '{}',
    '--b',
    'Content-Type: message/rfc822',
    '',
    raw,
    '--b--',
  ].join('\r\n');
}

describe('Gmail sandbox: faults and control API', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    sandbox.setFaults(undefined);
  });

  const importMessage = (messageId: string) =>
    fetch(`${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=multipart`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'multipart/related; boundary=b' },
      body: multipartImport(messageId),
    });

  const searchCount = async (messageId: string) => {
    const response = await fetch(
      `${sandbox.url}/gmail/v1/users/me/messages?q=${encodeURIComponent(`rfc822msgid:${messageId}`)}&includeSpamTrash=true`,
      { headers: { Authorization: `Bearer ${sandbox.token}` } },
    );
    return ((await response.json()) as { resultSizeEstimate: number }).resultSizeEstimate;
  };

  it('answers injected statuses with Google error bodies, then recovers', async () => {
    sandbox.injectResponses({ status: 503, count: 1, paths: /messages\/import/ });
    sandbox.injectResponses({ status: 429, count: 1 });
    const unavailable = await importMessage('<a@x.example>');
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({
      error: { code: 503, errors: [{ reason: 'backendError' }] },
    });
    const limited = await importMessage('<a@x.example>');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { errors: [{ reason: 'userRateLimitExceeded' }] } });
    expect((await importMessage('<a@x.example>')).status).toBe(200);
    expect(sandbox.messages()).toHaveLength(1);
  });

  it('can store an import and then drop the connection: the client sees a network error, search finds the message', async () => {
    sandbox.injectResponses({ status: 0, count: 1, paths: /messages\/import/, afterWrite: true });
    await expect(importMessage('<unknown-outcome@x.example>')).rejects.toThrow();
    expect(sandbox.messages()).toHaveLength(1);
    expect(await searchCount('<unknown-outcome@x.example>')).toBe(1);
    expect(sandbox.requests()[0]?.outcome).toBe('injected');
  });

  it('drops connections or answers 5xx at the configured rates, before or after the write', async () => {
    sandbox.setFaults({ dropRate: 1, faultAfterWriteRate: 0 });
    await expect(importMessage('<dropped@x.example>')).rejects.toThrow();
    sandbox.setFaults({ serverErrorRate: 1, faultAfterWriteRate: 0 });
    expect([500, 503]).toContain((await importMessage('<before@x.example>')).status);
    expect(sandbox.messages()).toHaveLength(0);
    sandbox.setFaults({ serverErrorRate: 1, faultAfterWriteRate: 1 });
    expect([500, 503]).toContain((await importMessage('<after@x.example>')).status);
    expect(sandbox.messages().map((m) => m.headers.messageId)).toEqual(['<after@x.example>']);
  });

  it('offers the same controls over HTTP under /__sandbox/', async () => {
    const control = (path: string, body?: unknown) =>
      fetch(`${sandbox.origin}/__sandbox/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const issued = (await (await control('tokens', {})).json()) as { token: string };
    expect((await control('expire-token', { token: sandbox.token })).status).toBe(200);
    const expired = await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, {
      headers: { Authorization: `Bearer ${sandbox.token}` },
    });
    expect(expired.status).toBe(401);
    const withIssued = await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, {
      headers: { Authorization: `Bearer ${issued.token}` },
    });
    expect(withIssued.status).toBe(200);

    await control('reset', {});
    expect((await importMessage('<c@x.example>')).status).toBe(200);
    const { messages } = (await (await control('messages?raw=1')).json()) as { messages: { raw: string }[] };
    expect(Buffer.from(messages[0]?.raw ?? '', 'base64url').toString()).toContain(
      'Message-ID: <c@x.example>',
    );

    expect((await control('inject', { status: 500, count: 1 })).status).toBe(200);
    expect((await importMessage('<d@x.example>')).status).toBe(500);
    expect((await control('clock', { advanceMs: 60_000 })).status).toBe(200);

    const state = (await (await control('state')).json()) as {
      messages: unknown[];
      clockOffsetMs: number;
      quota: { usedInWindow: number };
    };
    expect(state).toMatchObject({ clockOffsetMs: 60_000, quota: { usedInWindow: 0 } });
    expect(state.messages).toHaveLength(1);
    const log = (await (await control('requests?since=1')).json()) as {
      requests: { seq: number }[];
      next: number;
    };
    expect(log.requests[0]?.seq).toBe(1);
    expect((await control('nothing-here')).status).toBe(404);
  });
});
