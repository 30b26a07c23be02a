/**
 * Gmail sandbox: rfc822msgid search (spam/trash, indexing lag) and the per-user quota in units per
 * rolling window. The sandbox clock is frozen and moved by hand, so nothing depends on timing.
 */
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';

const FROZEN_NOW = Date.parse('2024-03-01T12:00:00Z');

function rfc822(messageId: string): string {
  return [
    'From: ada@customer.example',
    'To: support@team.example',
    'Subject: Quota test',
    'Date: Fri, 01 Mar 2024 11:00:00 +0000',
    `Message-ID: ${messageId}`,
    '',
    'Body.',
    '',
  ].join('\r\n');
}

function multipart(raw: string, metadata: unknown = {}): string {
  return [
    '--b',
    'Content-Type: application/json',
    '',
    JSON.stringify(metadata),
    '--b',
    'Content-Type: message/rfc822',
    '',
    raw,
    '--b--',
  ].join('\r\n');
}

const IMPORT_PATH =
  '/upload/gmail/v1/users/me/messages/import?uploadType=multipart&internalDateSource=dateHeader';

describe('Gmail sandbox: search and quota', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox({ now: () => FROZEN_NOW });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    sandbox.setOptions({ quotaExceededStatus: 429, searchIndexLagMs: 0 });
  });

  const auth = () => ({ Authorization: `Bearer ${sandbox.token}` });

  function importMessage(messageId: string, metadata: unknown = {}): Promise<Response> {
    return fetch(`${sandbox.url}${IMPORT_PATH}`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'multipart/related; boundary=b' },
      body: multipart(rfc822(messageId), metadata),
    });
  }

  async function search(query: string): Promise<{ messages?: { id: string }[]; resultSizeEstimate: number }> {
    const response = await fetch(`${sandbox.url}/gmail/v1/users/me/messages?${query}`, { headers: auth() });
    expect(response.status).toBe(200);
    return (await response.json()) as { messages?: { id: string }[]; resultSizeEstimate: number };
  }

  describe('rfc822msgid search', () => {
    it('finds a message by Message-ID, with or without angle brackets', async () => {
      const imported = (await (await importMessage('<front-msg_7@import.example.com>')).json()) as {
        id: string;
      };
      for (const id of ['<front-msg_7@import.example.com>', 'front-msg_7@import.example.com']) {
        const found = await search(`q=${encodeURIComponent(`rfc822msgid:${id}`)}&includeSpamTrash=true`);
        expect(found).toEqual({
          messages: [{ id: imported.id, threadId: imported.id }],
          resultSizeEstimate: 1,
        });
      }
    });

    it('answers without `messages` when nothing matches', async () => {
      expect(await search(`q=${encodeURIComponent('rfc822msgid:<nothing@x.example>')}`)).toEqual({
        resultSizeEstimate: 0,
      });
    });

    it('leaves spam and trash out unless includeSpamTrash=true', async () => {
      await importMessage('<spam@x.example>', { labelIds: ['SPAM'] });
      const q = `q=${encodeURIComponent('rfc822msgid:<spam@x.example>')}`;
      expect((await search(q)).resultSizeEstimate).toBe(0);
      expect((await search(`${q}&includeSpamTrash=true`)).resultSizeEstimate).toBe(1);
    });

    it('does not find a message before the configured indexing lag has passed', async () => {
      sandbox.setOptions({ searchIndexLagMs: 5000 });
      await importMessage('<lagging@x.example>');
      const q = `q=${encodeURIComponent('rfc822msgid:<lagging@x.example>')}&includeSpamTrash=true`;
      expect((await search(q)).resultSizeEstimate).toBe(0);
      sandbox.advanceClock(4999);
      expect((await search(q)).resultSizeEstimate).toBe(0);
      sandbox.advanceClock(1);
      expect((await search(q)).resultSizeEstimate).toBe(1);
    });

    it('refuses queries the sandbox does not model instead of answering wrongly', async () => {
      const response = await fetch(`${sandbox.url}/gmail/v1/users/me/messages?q=from:ada`, {
        headers: auth(),
      });
      expect(response.status).toBe(400);
    });
  });

  describe('quota', () => {
    it('charges the documented units per method', async () => {
      await importMessage('<a@x.example>');
      await search('q=rfc822msgid:a@x.example');
      await fetch(`${sandbox.url}/gmail/v1/users/me/labels`, {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Front import' }),
      });
      await fetch(`${sandbox.url}/gmail/v1/users/me/labels`, { headers: auth() });
      await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, { headers: auth() });
      const units = sandbox.requests().map((r) => [r.operation, r.units]);
      expect(units).toEqual([
        ['messages.import', 25],
        ['messages.list', 5],
        ['labels.create', 5],
        ['labels.list', 1],
        ['getProfile', 1],
      ]);
      expect(sandbox.quotaUsage()).toMatchObject({
        usedInWindow: 37,
        unitsPerWindow: 15_000,
        windowMs: 60_000,
      });
    });

    it('allows exactly 600 imports (15,000 units) per minute, then answers 429 RESOURCE_EXHAUSTED', async () => {
      for (let batch = 0; batch < 30; batch += 1) {
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) => importMessage(`<q-${batch}-${i}@x.example>`)),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      }
      const refused = await importMessage('<one-too-many@x.example>');
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({
        error: {
          code: 429,
          message: 'User-rate limit exceeded.',
          errors: [
            { message: 'User-rate limit exceeded.', domain: 'usageLimits', reason: 'userRateLimitExceeded' },
          ],
          status: 'RESOURCE_EXHAUSTED',
        },
      });
      expect(sandbox.messages()).toHaveLength(600);
      sandbox.advanceClock(60_000);
      expect((await importMessage('<next-minute@x.example>')).status).toBe(200);
    });
  });
});

describe('Gmail sandbox: compressed quota window', () => {
  let sandbox: GmailSandbox;
  let clock = FROZEN_NOW;

  beforeAll(async () => {
    sandbox = await startGmailSandbox({ now: () => clock, quota: { unitsPerWindow: 100, windowMs: 1000 } });
  });
  afterAll(() => sandbox.close());

  const importMessage = (n: number) =>
    fetch(`${sandbox.url}${IMPORT_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'multipart/related; boundary=b' },
      body: multipart(rfc822(`<w-${n}@x.example>`)),
    });

  it('rolls: units leave the window one window after they were spent', async () => {
    expect([(await importMessage(1)).status, (await importMessage(2)).status]).toEqual([200, 200]);
    clock += 500;
    expect([(await importMessage(3)).status, (await importMessage(4)).status]).toEqual([200, 200]);
    expect((await importMessage(5)).status).toBe(429);
    clock += 499;
    expect((await importMessage(5)).status).toBe(429);
    clock += 1; // the first two imports (50 units) leave the window
    expect([(await importMessage(5)).status, (await importMessage(6)).status]).toEqual([200, 200]);
    expect((await importMessage(7)).status).toBe(429);
    expect(sandbox.requests().filter((r) => r.outcome === 'quota-exceeded')).toHaveLength(3);
  });

  it('can answer 403 userRateLimitExceeded instead (both are documented)', async () => {
    sandbox.reset();
    sandbox.setOptions({ quotaExceededStatus: 403 });
    for (let n = 0; n < 4; n += 1) await importMessage(n);
    const refused = await importMessage(4);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: 403, status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'userRateLimitExceeded' }] },
    });
  });
});

describe('Gmail sandbox: concurrent requests per user', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox({ maxConcurrentRequests: 1 });
  });
  afterAll(() => sandbox.close());

  it('answers 429 "Too many concurrent requests for user" while another request holds the slot', async () => {
    // An upload whose body is not finished holds its slot until the last byte arrives.
    const body = multipart(rfc822('<slow@x.example>'));
    const held = http.request(`${sandbox.url}${IMPORT_PATH}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${sandbox.token}`,
        'Content-Type': 'multipart/related; boundary=b',
        'Content-Length': String(Buffer.byteLength(body)),
      },
    });
    const heldStatus = new Promise<number>((resolve, reject) => {
      held.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      held.on('error', reject);
    });
    held.write(body.slice(0, 10));
    await vi.waitFor(() => expect(sandbox.requests()[0]?.units).toBe(25), { timeout: 10_000 });

    const refused = await fetch(`${sandbox.url}/gmail/v1/users/me/profile`, {
      headers: { Authorization: `Bearer ${sandbox.token}` },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { message: 'Too many concurrent requests for user' },
    });

    held.end(body.slice(10));
    expect(await heldStatus).toBe(200);
  });
});
