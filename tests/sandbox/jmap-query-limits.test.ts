/**
 * JMAP sandbox: Email/query by Message-ID (with a result reference into Email/get), request-level
 * and method-level errors, the core limits, faults and the control API.
 */
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startJmapSandbox, type JmapSandbox } from '../../testbed/jmap-sandbox/server.ts';

const CORE = 'urn:ietf:params:jmap:core';
const MAIL = 'urn:ietf:params:jmap:mail';

type Invocation = [string, Record<string, unknown>, string];

function rfc822(messageId: string): string {
  return [
    'From: ada@customer.example',
    'Subject: Query test',
    'Date: Wed, 29 Nov 2023 21:17:19 +0000',
    `Message-ID: ${messageId}`,
    '',
    'Body.',
    '',
  ].join('\r\n');
}

describe('JMAP sandbox: query, errors, limits', () => {
  let sandbox: JmapSandbox;

  beforeAll(async () => {
    sandbox = await startJmapSandbox({
      limits: {
        maxCallsInRequest: 4,
        maxSizeRequest: 4096,
        maxObjectsInSet: 2,
        maxObjectsInGet: 2,
        maxConcurrentRequests: 1,
      },
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    sandbox.setFaults(undefined);
  });

  function post(body: unknown, contentType = 'application/json'): Promise<Response> {
    return fetch(sandbox.apiUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function api(methodCalls: Invocation[], using = [CORE, MAIL]): Promise<Invocation[]> {
    const response = await post({ using, methodCalls });
    expect(response.status).toBe(200);
    return ((await response.json()) as { methodResponses: Invocation[] }).methodResponses;
  }

  async function importMessage(messageId: string): Promise<Response> {
    const uploaded = await fetch(`${sandbox.origin}/jmap/upload/${sandbox.accountId}/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'message/rfc822' },
      body: rfc822(messageId),
    });
    const { blobId } = (await uploaded.json()) as { blobId: string };
    const inbox = sandbox.mailboxes()[0]?.id ?? '';
    return post({
      using: [CORE, MAIL],
      methodCalls: [
        [
          'Email/import',
          { accountId: sandbox.accountId, emails: { c: { blobId, mailboxIds: { [inbox]: true } } } },
          '0',
        ],
      ],
    });
  }

  const queryByMessageId = (messageId: string): Invocation => [
    'Email/query',
    { accountId: sandbox.accountId, filter: { header: ['Message-ID', messageId] } },
    'q',
  ];

  it('finds an email by Message-ID and reads it through a result reference', async () => {
    await importMessage('<front-msg_1@import.example.com>');
    await importMessage('<front-msg_2@import.example.com>');
    const [query, get] = await api([
      queryByMessageId('<front-msg_2@import.example.com>'),
      [
        'Email/get',
        {
          accountId: sandbox.accountId,
          '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
          properties: ['messageId'],
        },
        'g',
      ],
    ]);
    expect(query?.[1]).toMatchObject({
      ids: [sandbox.emails()[1]?.id],
      position: 0,
      canCalculateChanges: false,
    });
    expect(get?.[1]).toMatchObject({
      list: [{ id: sandbox.emails()[1]?.id, messageId: ['front-msg_2@import.example.com'] }],
    });

    const [missing] = await api([queryByMessageId('<never-sent@import.example.com>')]);
    expect(missing?.[1]).toMatchObject({ ids: [] });
  });

  it('answers request-level problems: notJSON, notRequest, unknownCapability, maxCallsInRequest, maxSizeRequest', async () => {
    const cases: [Promise<Response>, number, string, string?][] = [
      [post('{not json'), 400, 'notJSON'],
      [post({ using: [CORE] }, 'text/plain'), 400, 'notJSON'],
      [post({ methodCalls: [] }), 400, 'notRequest'],
      [post({ using: ['urn:example:nope'], methodCalls: [] }), 400, 'unknownCapability'],
      [
        post({ using: [CORE], methodCalls: Array(5).fill(['Core/echo', {}, 'e']) }),
        400,
        'limit',
        'maxCallsInRequest',
      ],
      [
        post({ using: [CORE], methodCalls: [['Core/echo', { pad: 'x'.repeat(5000) }, 'e']] }),
        400,
        'limit',
        'maxSizeRequest',
      ],
    ];
    for (const [pending, status, type, limit] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { type: string; limit?: string; status: number };
      expect(problem.type).toBe(`urn:ietf:params:jmap:error:${type}`);
      expect(problem.status).toBe(status);
      if (limit) expect(problem.limit).toBe(limit);
    }
  });

  it('answers method-level errors in place of the response', async () => {
    const responses = await api(
      [
        ['Email/query', { accountId: sandbox.accountId }, 'needs-mail'],
        ['Core/echo', { hello: 'world' }, 'echo'],
      ],
      [CORE],
    );
    expect(responses).toEqual([
      ['error', { type: 'unknownMethod', description: 'Unknown method Email/query' }, 'needs-mail'],
      ['Core/echo', { hello: 'world' }, 'echo'],
    ]);
    const errors = await api([
      ['Email/query', { accountId: 'someone-else' }, 'a'],
      ['Email/query', { accountId: sandbox.accountId, filter: { wibble: 1 } }, 'b'],
      [
        'Email/get',
        { accountId: sandbox.accountId, '#ids': { resultOf: 'zz', name: 'Email/query', path: '/ids' } },
        'c',
      ],
      ['Email/import', { accountId: sandbox.accountId, ifInState: 'old', emails: {} }, 'd'],
    ]);
    expect(errors.map(([name, args, callId]) => [name, args.type, callId])).toEqual([
      ['error', 'accountNotFound', 'a'],
      ['error', 'unsupportedFilter', 'b'],
      ['error', 'invalidResultReference', 'c'],
      ['error', 'stateMismatch', 'd'],
    ]);
  });

  it('answers requestTooLarge over maxObjectsInSet and maxObjectsInGet', async () => {
    const three = { a: { name: 'A' }, b: { name: 'B' }, c: { name: 'C' } };
    const [set, get] = await api([
      ['Mailbox/set', { accountId: sandbox.accountId, create: three }, 's'],
      ['Mailbox/get', { accountId: sandbox.accountId, ids: ['1', '2', '3'] }, 'g'],
    ]);
    expect(set).toEqual(['error', expect.objectContaining({ type: 'requestTooLarge' }), 's']);
    expect(get).toEqual(['error', expect.objectContaining({ type: 'requestTooLarge' }), 'g']);
    const [imports] = await api([
      ['Email/import', { accountId: sandbox.accountId, emails: { a: {}, b: {}, c: {} } }, 'i'],
    ]);
    expect(imports?.[1].type).toBe('requestTooLarge');
  });

  it('refuses a request over maxConcurrentRequests with 429 and the limit problem (or 400 when configured)', async () => {
    // A request whose body is not finished holds its slot until the last byte arrives.
    const body = JSON.stringify({ using: [CORE], methodCalls: [['Core/echo', {}, 'held']] });
    const held = http.request(sandbox.apiUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${sandbox.token}`,
        'Content-Type': 'application/json',
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
    held.write(body.slice(0, 5));
    const heldIsAdmitted = () => sandbox.requests().some((r) => r.kind === 'api' && r.status === 0);
    await vi.waitFor(() => expect(heldIsAdmitted()).toBe(true), { timeout: 10_000 });

    const refused = await post({ using: [CORE], methodCalls: [] });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      type: 'urn:ietf:params:jmap:error:limit',
      limit: 'maxConcurrentRequests',
    });
    sandbox.setOptions({ concurrencyRefusalStatus: 400 });
    expect((await post({ using: [CORE], methodCalls: [] })).status).toBe(400);
    sandbox.setOptions({ concurrencyRefusalStatus: 429 });

    held.end(body.slice(5));
    expect(await heldStatus).toBe(200);
    expect((await post({ using: [CORE], methodCalls: [] })).status).toBe(200);
  });

  it('can store an import and lose the answer; Email/query by Message-ID then finds it', async () => {
    sandbox.injectResponses({ status: 0, count: 1, paths: /\/jmap\/api/, afterWrite: true });
    await expect(importMessage('<unknown-outcome@x.example>')).rejects.toThrow();
    expect(sandbox.emails()).toHaveLength(1);
    const [query] = await api([queryByMessageId('<unknown-outcome@x.example>')]);
    expect(query?.[1].ids).toEqual([sandbox.emails()[0]?.id]);
  });

  it('answers injected and random 5xx with problem details', async () => {
    sandbox.injectResponses({ status: 503, count: 1, paths: /\/upload\// });
    const upload = await fetch(`${sandbox.origin}/jmap/upload/${sandbox.accountId}/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'message/rfc822' },
      body: rfc822('<x@x.example>'),
    });
    expect(upload.status).toBe(503);
    expect(await upload.json()).toMatchObject({ status: 503 });
    sandbox.setFaults({ serverErrorRate: 1, faultAfterWriteRate: 0 });
    expect([500, 503]).toContain((await post({ using: [CORE], methodCalls: [] })).status);
  });

  it('offers the controls over HTTP under /__sandbox/', async () => {
    const control = (path: string, body?: unknown) =>
      fetch(`${sandbox.origin}/__sandbox/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await importMessage('<c@x.example>');
    const { emails } = (await (await control('emails?raw=1')).json()) as {
      emails: { raw: string; messageId: string[] }[];
    };
    expect(emails[0]?.messageId).toEqual(['c@x.example']);
    expect(Buffer.from(emails[0]?.raw ?? '', 'base64url').toString()).toContain('Message-ID: <c@x.example>');
    const { token } = (await (await control('tokens', {})).json()) as { token: string };
    expect((await control('expire-token', { token })).status).toBe(200);
    expect((await control('options', { duplicates: 'rejectSameMessageId' })).status).toBe(200);
    expect((await control('reset', {})).status).toBe(200);
    const state = (await (await control('state')).json()) as { emails: unknown[]; mailboxes: unknown[] };
    expect(state.emails).toHaveLength(0);
    expect(state.mailboxes).toHaveLength(6);
    sandbox.setOptions({ duplicates: 'allow' });
  });
});
