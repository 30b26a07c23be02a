/** Gmail sandbox: users.messages.import in its four upload forms, dates, labels on import, limits. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';

const IMPORT_QUERY = 'internalDateSource=dateHeader&neverMarkSpam=true&processForCalendar=false';

/** A small RFC 5322 message, CRLF throughout. */
function rfc822(fields: Record<string, string>, body = 'Hello from Front.'): string {
  const head = Object.entries(fields).map(([name, value]) => `${name}: ${value}`);
  return [...head, '', body, ''].join('\r\n');
}

function sampleMessage(overrides: Record<string, string> = {}, body?: string): string {
  return rfc822(
    {
      From: 'Ada <ada@customer.example>',
      To: 'support@team.example',
      Subject: 'Invoice 42',
      Date: 'Wed, 29 Nov 2023 21:17:19 +0000',
      'Message-ID': '<front-msg_1@import.example.com>',
      ...overrides,
    },
    body,
  );
}

function multipartRelated(metadata: unknown, raw: string, boundary = 'frontimport'): string {
  return [
    `--${boundary}`,
    'Content-Type: application/json; charset=UTF-8',
    '',
    JSON.stringify(metadata),
    `--${boundary}`,
    'Content-Type: message/rfc822',
    '',
    raw,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

describe('Gmail sandbox: messages.import', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox({ maxMessageBytes: 4096 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const auth = () => ({ Authorization: `Bearer ${sandbox.token}` });

  function importMultipart(metadata: unknown, raw: string, query = IMPORT_QUERY): Promise<Response> {
    return fetch(`${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=multipart&${query}`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'multipart/related; boundary=frontimport' },
      body: multipartRelated(metadata, raw),
    });
  }

  it('parses multipart/related and answers a Message resource; the bytes are stored unchanged', async () => {
    const raw = sampleMessage();
    const response = await importMultipart({ labelIds: ['INBOX', 'UNREAD'] }, raw);
    expect(response.status).toBe(200);
    const message = (await response.json()) as { id: string; threadId: string; labelIds: string[] };
    expect(message).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      threadId: message.id,
      labelIds: ['INBOX', 'UNREAD'],
    });

    const [stored] = sandbox.messages();
    expect(stored?.raw.toString('utf8')).toBe(raw);
    expect(stored?.uploadForm).toBe('multipart');
    expect(stored?.lineEndings).toBe('crlf');
    expect(stored?.params).toMatchObject({
      neverMarkSpam: 'true',
      processForCalendar: 'false',
      internalDateSource: 'dateHeader',
    });
    expect(stored?.headers).toMatchObject({
      messageId: '<front-msg_1@import.example.com>',
      subject: 'Invoice 42',
    });
  });

  it('takes internalDate from the Date header, or the receipt time when asked or when the header is invalid', async () => {
    await importMultipart({}, sampleMessage());
    await importMultipart(
      {},
      sampleMessage({ 'Message-ID': '<b@x.example>' }),
      'internalDateSource=receivedTime',
    );
    await importMultipart({}, sampleMessage({ 'Message-ID': '<c@x.example>', Date: 'not a date' }));
    const [fromHeader, receivedTime, invalid] = sandbox.messages();
    expect(fromHeader?.internalDate).toBe(String(Date.parse('2023-11-29T21:17:19Z')));
    expect(fromHeader?.internalDateFrom).toBe('dateHeader');
    expect(receivedTime?.internalDateFrom).toBe('receivedTime');
    expect(invalid?.internalDateFrom).toBe('receivedTime');
  });

  it('decodes RFC 2047 subjects and records bare-LF messages as such', async () => {
    const raw = sampleMessage({ Subject: '=?UTF-8?B?w4ljaG8gZGUgRnJvbnQ=?=' }).replace(/\r\n/g, '\n');
    expect((await importMultipart({}, raw)).status).toBe(200);
    const [stored] = sandbox.messages();
    expect(stored?.headers.subject).toBe('Écho de Front');
    expect(stored?.lineEndings).toBe('lf');
  });

  it('accepts uploadType=media (bytes only, no labels) and the metadata URI with base64url raw', async () => {
    const media = await fetch(
      `${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=media&${IMPORT_QUERY}`,
      {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': 'message/rfc822' },
        body: sampleMessage(),
      },
    );
    expect(media.status).toBe(200);
    expect(await media.json()).toMatchObject({ labelIds: [] });

    const raw = sampleMessage({ 'Message-ID': '<json@x.example>' });
    const json = await fetch(`${sandbox.url}/gmail/v1/users/me/messages/import?${IMPORT_QUERY}`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ raw: Buffer.from(raw).toString('base64url'), labelIds: ['STARRED'] }),
    });
    expect(json.status).toBe(200);
    expect(sandbox.messages().map((m) => m.uploadForm)).toEqual(['media', 'json-raw']);
    expect(sandbox.messages()[1]?.raw.toString()).toBe(raw);
  });

  it('runs a resumable session: Location, 308 with Range for a partial chunk, then the Message', async () => {
    const raw = Buffer.from(sampleMessage());
    const start = await fetch(
      `${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=resumable&${IMPORT_QUERY}`,
      {
        method: 'POST',
        headers: {
          ...auth(),
          'Content-Type': 'application/json; charset=UTF-8',
          'X-Upload-Content-Type': 'message/rfc822',
          'X-Upload-Content-Length': String(raw.length),
        },
        body: JSON.stringify({ labelIds: ['INBOX'] }),
      },
    );
    expect(start.status).toBe(200);
    const location = start.headers.get('location') ?? '';
    expect(location).toContain('upload_id=');
    expect(location).toContain('neverMarkSpam=true');

    const half = 100;
    const first = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes 0-${half - 1}/${raw.length}` },
      body: new Uint8Array(raw.subarray(0, half)),
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${half - 1}`);
    const last = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${half}-${raw.length - 1}/${raw.length}` },
      body: new Uint8Array(raw.subarray(half)),
    });
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ labelIds: ['INBOX'] });
    expect(sandbox.messages()[0]?.raw.equals(raw)).toBe(true);
    expect(sandbox.messages()[0]?.params.neverMarkSpam).toBe('true');
  });

  it('refuses what Gmail refuses, with Google error bodies', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [importMultipart({ labelIds: ['Label_999'] }, sampleMessage()), 400, /Invalid label: Label_999/],
      [importMultipart({ labelIds: ['Front import/Support'] }, sampleMessage()), 400, /Invalid label/],
      [importMultipart({ labels: ['INBOX'] }, sampleMessage()), 400, /Unknown name "labels"/],
      [importMultipart({}, 'this is not a message'), 400, /Invalid RFC822 message/],
      [importMultipart({}, sampleMessage(), 'internalDateSource=yesterday'), 400, /internal_date_source/],
      [
        fetch(`${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=media`, {
          method: 'POST',
          headers: { ...auth(), 'Content-Type': 'text/plain' },
          body: sampleMessage(),
        }),
        400,
        /Valid media types: \[message\/\*\]/,
      ],
      [
        fetch(`${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=multipart`, {
          method: 'POST',
          headers: { ...auth(), 'Content-Type': 'multipart/related; boundary=other' },
          body: multipartRelated({}, sampleMessage()),
        }),
        400,
        /Malformed multipart/,
      ],
      [
        fetch(`${sandbox.url}/gmail/v1/users/me/messages/import`, {
          method: 'POST',
          headers: { ...auth(), 'Content-Type': 'application/json' },
          body: JSON.stringify({ labelIds: [] }),
        }),
        400,
        /'raw' RFC822 payload message string or uploading message via \/upload\/\* URL required/,
      ],
    ];
    for (const [pending, status, message] of cases) {
      const response = await pending;
      const body = (await response.json()) as { error: { code: number; message: string; status: string } };
      expect(response.status).toBe(status);
      expect(body.error.code).toBe(status);
      expect(body.error.status).toBe('INVALID_ARGUMENT');
      expect(body.error.message).toMatch(message);
    }
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('refuses messages over the size limit: 413 on /upload, 400 on the metadata URI', async () => {
    const big = sampleMessage({}, 'x'.repeat(5000));
    const upload = await importMultipart({}, big);
    expect(upload.status).toBe(413);
    const json = await fetch(`${sandbox.url}/gmail/v1/users/me/messages/import`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ raw: Buffer.from(big).toString('base64url') }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { message: string } }).error.message).toMatch(
      /exceeds the limit/,
    );
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('accepts or refuses labelIds ["SENT"] on import, as configured (an open question on real Gmail)', async () => {
    expect((await importMultipart({ labelIds: ['SENT'] }, sampleMessage())).status).toBe(200);
    sandbox.setOptions({ sentLabelOnImport: 'reject' });
    const refused = await importMultipart({ labelIds: ['SENT'] }, sampleMessage());
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { message: 'Invalid label: SENT' } });
    sandbox.setOptions({ sentLabelOnImport: 'accept' });
  });
});
