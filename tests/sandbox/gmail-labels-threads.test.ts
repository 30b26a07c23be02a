/** Gmail sandbox: labels (system, nested user labels, conflicts) and Gmail's thread-joining rule. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';

function rfc822(fields: Record<string, string | undefined>): string {
  const head = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return [...head, '', 'Body.', ''].join('\r\n');
}

/** A message of one conversation: `n` 0 is the first, later ones reply with a full References chain. */
function conversationMessage(n: number, overrides: Record<string, string | undefined> = {}): string {
  const ids = Array.from({ length: n + 1 }, (_, index) => `<conv-1.msg-${index}@import.example.com>`);
  return rfc822({
    From: 'Ada <ada@customer.example>',
    To: 'support@team.example',
    Subject: n === 0 ? 'Broken login' : 'Re: Broken login',
    Date: `Wed, 29 Nov 2023 21:1${n}:00 +0000`,
    'Message-ID': ids[n],
    'In-Reply-To': n === 0 ? undefined : ids[n - 1],
    References: n === 0 ? undefined : ids.slice(0, n).join(' '),
    ...overrides,
  });
}

const BOUNDARY = 'frontimport';

describe('Gmail sandbox: labels and threads', () => {
  let sandbox: GmailSandbox;

  beforeAll(async () => {
    sandbox = await startGmailSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const auth = () => ({ Authorization: `Bearer ${sandbox.token}` });

  async function createLabel(name: string): Promise<Response> {
    return fetch(`${sandbox.url}/gmail/v1/users/me/labels`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, messageListVisibility: 'show', labelListVisibility: 'labelShow' }),
    });
  }

  async function importMessage(raw: string, metadata: Record<string, unknown> = {}) {
    const body = [
      `--${BOUNDARY}`,
      'Content-Type: application/json; charset=UTF-8',
      '',
      JSON.stringify(metadata),
      `--${BOUNDARY}`,
      'Content-Type: message/rfc822',
      '',
      raw,
      `--${BOUNDARY}--`,
    ].join('\r\n');
    const response = await fetch(
      `${sandbox.url}/upload/gmail/v1/users/me/messages/import?uploadType=multipart&internalDateSource=dateHeader`,
      {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': `multipart/related; boundary=${BOUNDARY}` },
        body,
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as { id: string; threadId: string; labelIds: string[] };
  }

  it('lists the system labels', async () => {
    const response = await fetch(`${sandbox.url}/gmail/v1/users/me/labels`, { headers: auth() });
    const { labels } = (await response.json()) as { labels: { id: string; type: string }[] };
    expect(labels.map((label) => label.id)).toEqual(
      expect.arrayContaining(['INBOX', 'SENT', 'UNREAD', 'SPAM', 'TRASH']),
    );
    expect(labels.every((label) => label.type === 'system')).toBe(true);
  });

  it('creates nested user labels by name and imports into them by id', async () => {
    const response = await createLabel('Front import/Support');
    expect(response.status).toBe(200);
    const label = (await response.json()) as { id: string; name: string; type: string };
    expect(label).toMatchObject({
      id: expect.stringMatching(/^Label_\d+$/),
      name: 'Front import/Support',
      type: 'user',
    });

    const imported = await importMessage(conversationMessage(0), { labelIds: [label.id] });
    expect(imported.labelIds).toEqual([label.id]);
    const counts = await fetch(`${sandbox.url}/gmail/v1/users/me/labels/${label.id}`, { headers: auth() });
    expect(await counts.json()).toMatchObject({ messagesTotal: 1, threadsTotal: 1 });
  });

  it('refuses duplicate (case-insensitive), reserved and malformed label names', async () => {
    expect((await createLabel('Front import/Support')).status).toBe(200);
    const duplicate = await createLabel('front import/support');
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({
      error: { code: 409, message: 'Label name exists or conflicts' },
    });
    for (const name of ['INBOX', 'Sent', '', 'Front import/', 'a//b']) {
      const response = await createLabel(name);
      expect(response.status, name).toBe(400);
    }
  });

  it('joins a thread given threadId, References and In-Reply-To, and a matching subject with "Re:"', async () => {
    const first = await importMessage(conversationMessage(0));
    expect(first.threadId).toBe(first.id);
    const second = await importMessage(conversationMessage(1), { threadId: first.threadId });
    const third = await importMessage(conversationMessage(2), { threadId: first.threadId });
    expect([second.threadId, third.threadId]).toEqual([first.id, first.id]);

    const thread = await fetch(`${sandbox.url}/gmail/v1/users/me/threads/${first.threadId}?format=minimal`, {
      headers: auth(),
    });
    const { messages } = (await thread.json()) as { messages: { id: string }[] };
    expect(messages.map((m) => m.id)).toEqual([first.id, second.id, third.id]);
    expect(sandbox.messages()[2]?.threading).toEqual({
      requestedThreadId: first.id,
      joined: true,
      reason: 'joined',
    });
  });

  it('starts a new thread when a documented condition is missing', async () => {
    const first = await importMessage(conversationMessage(0));
    const cases: [string, Record<string, string | undefined>, Record<string, unknown>][] = [
      ['no threadId given', {}, {}],
      ['does not exist', {}, { threadId: 'ffffffffffffffff' }],
      ['must both be present', { References: undefined }, { threadId: first.threadId }],
      [
        'not RFC 2822 compliant',
        { 'In-Reply-To': 'conv-1.msg-0@import.example.com' },
        { threadId: first.threadId },
      ],
      ['Subject does not match', { Subject: 'Re: Something else' }, { threadId: first.threadId }],
    ];
    for (const [index, [reason, headers, metadata]] of cases.entries()) {
      // Each case its own Message-ID: Gmail would merge a second import of the same one.
      const messageId = `<conv-1.case-${index}@import.example.com>`;
      const reply = await importMessage(
        conversationMessage(1, { ...headers, 'Message-ID': messageId }),
        metadata,
      );
      expect(reply.threadId, reason).toBe(reply.id);
      expect(sandbox.messages().at(-1)?.threading.reason, reason).toContain(reason);
    }
  });

  it("with threadReferences 'in-thread', also wants a referenced Message-ID inside the thread", async () => {
    sandbox.setOptions({ threadReferences: 'in-thread' });
    const first = await importMessage(conversationMessage(0));
    const stranger = await importMessage(
      conversationMessage(1, {
        'In-Reply-To': '<other@x.example>',
        References: '<other@x.example>',
        'Message-ID': '<stranger@import.example.com>',
      }),
      { threadId: first.threadId },
    );
    expect(stranger.threadId).not.toBe(first.threadId);
    const reply = await importMessage(conversationMessage(1), { threadId: first.threadId });
    expect(reply.threadId).toBe(first.threadId);
    sandbox.setOptions({ threadReferences: 'well-formed' });
  });
});
