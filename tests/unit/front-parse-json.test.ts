import { describe, expect, it } from 'vitest';
import { parseJsonEntry, toMillis } from '../../src/domain/front/index.ts';
import type { ParsedEntry, ParsedObject } from '../../src/domain/front/index.ts';
import type { Comment, Conversation, Message } from '../../src/domain/model.ts';
import {
  API,
  commentFixture,
  conversationFixture,
  emailFixture,
  smsFixture,
  withoutLinks,
} from './front-fixtures.ts';

const SOURCE = 'front-export-acme-1.zip';

function parse(path: string, value: unknown): ParsedEntry {
  return parseJsonEntry({ source: SOURCE, path }, typeof value === 'string' ? value : JSON.stringify(value));
}

function only<T extends ParsedObject['type']>(
  entry: ParsedEntry,
  type: T,
): Extract<ParsedObject, { type: T }>[] {
  return entry.objects.filter((object): object is Extract<ParsedObject, { type: T }> => object.type === type);
}

function conversations(entry: ParsedEntry): Conversation[] {
  return only(entry, 'conversation').map((object) => object.conversation);
}
function messages(entry: ParsedEntry): Message[] {
  return only(entry, 'message').map((object) => object.message);
}
function comments(entry: ParsedEntry): Comment[] {
  return only(entry, 'comment').map((object) => object.comment);
}
function reasons(entry: ParsedEntry): string[] {
  return entry.unrecognized.map((problem) => problem.reason);
}

describe('toMillis', () => {
  it('converts Unix seconds (int, decimal, numeric string) and ISO strings to milliseconds', () => {
    expect(toMillis(1701292639)).toBe(1701292639000);
    expect(toMillis(1701292702.51)).toBe(1701292702510);
    expect(toMillis(1698943401.378)).toBe(1698943401378);
    // Sub-millisecond parts round to the nearest millisecond.
    expect(toMillis(1701292639.0015)).toBe(1701292639002);
    expect(toMillis(1701292639.9996)).toBe(1701292640000);
    expect(toMillis('1701292690.112')).toBe(1701292690112);
    expect(toMillis(' 1701292639 ')).toBe(1701292639000);
    expect(toMillis('2023-11-29T21:17:19.250Z')).toBe(1701292639250);
    expect(toMillis('2023-11-29T22:17:19+01:00')).toBe(1701292639000);
  });

  it('keeps values that are already milliseconds and rejects non-timestamps', () => {
    expect(toMillis(1701292639000)).toBe(1701292639000);
    expect(toMillis('not a date')).toBeNull();
    expect(toMillis('')).toBeNull();
    expect(toMillis(null)).toBeNull();
    expect(toMillis(Number.NaN)).toBeNull();
    expect(toMillis(true)).toBeNull();
  });
});

describe('parseJsonEntry: objects', () => {
  it('normalises the §7 conversation, its inbox taken from the folder enclosing the cnv_ folder', () => {
    const entry = parse('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json', conversationFixture());
    expect(entry.unrecognized).toEqual([]);
    expect(conversations(entry)).toEqual([
      {
        id: 'cnv_yo1kg5q',
        seen: true,
        subject: 'Invoice #1042',
        status: 'archived',
        type: 'conversation',
        createdAt: 1701292639000,
        inboxKeys: ['folder:Support'],
        tags: ['billing'],
        assigneeName: 'Sam Lee',
        recipientHandle: 'pat@example.com',
      },
    ]);
  });

  it('tolerates a minimal conversation (older API objects have no type)', () => {
    const entry = parse('cnv_1.json', { id: 'cnv_1', subject: 'Hello' });
    expect(conversations(entry)).toEqual([
      {
        id: 'cnv_1',
        seen: true,
        subject: 'Hello',
        status: '',
        type: 'conversation',
        createdAt: null,
        inboxKeys: [],
        tags: [],
        assigneeName: null,
        recipientHandle: null,
      },
    ]);
  });

  it('normalises the §7 email message', () => {
    const entry = parse('export/Support/cnv_yo1kg5q/1701292639-message-msg_1q15qmtq.json', emailFixture());
    expect(entry.unrecognized).toEqual([]);
    expect(messages(entry)).toEqual([
      {
        id: 'msg_1q15qmtq',
        conversationId: 'cnv_yo1kg5q',
        kind: 'email',
        frontType: 'email',
        isInbound: true,
        isDraft: false,
        createdAt: 1701292639000,
        subject: 'Invoice #1042',
        body: '<p>Hi, could you resend the invoice?</p>',
        text: 'Hi, could you resend the invoice?',
        authorName: null,
        recipients: [
          { handle: 'pat@example.com', name: 'Pat Customer', role: 'from' },
          { handle: 'support@acme.com', name: null, role: 'to' },
        ],
        attachments: [
          {
            id: 'fil_3q8a7mby',
            filename: 'invoice.pdf',
            contentType: 'application/pdf',
            size: 4405,
            inline: false,
            cid: '526b45586d0e6b1c484afab63d1ef0be',
            ref: null,
          },
        ],
        messageId: null,
        inReplyTo: null,
        references: [],
        eml: null,
      },
    ]);
  });

  it('normalises the §7 SMS and comment', () => {
    const sms = messages(
      parse('export/SMS Line/cnv_3b9xk2/1701300000.25-message-msg_4k2p9s.json', smsFixture()),
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({
      id: 'msg_4k2p9s',
      conversationId: 'cnv_3b9xk2',
      kind: 'sms',
      createdAt: 1701300000250,
      subject: '',
      recipients: [
        { handle: '+14155550123', name: null, role: 'from' },
        { handle: '+14155559876', name: null, role: 'to' },
      ],
    });

    const entry = parse(
      'export/Support/cnv_yo1kg5q/1701292690.112-comment-com_1ywg3f2.json',
      commentFixture(),
    );
    expect(comments(entry)).toEqual([
      {
        id: 'com_1ywg3f2',
        conversationId: 'cnv_yo1kg5q',
        authorName: 'Sam Lee',
        authorEmail: 'sam@acme.com',
        body: '@alex can you check the billing system?',
        postedAt: 1701292690112,
        attachments: [],
        isPinned: false,
      },
    ]);
  });

  it('accepts every timestamp spelling on messages and comments', () => {
    const cases: [unknown, number][] = [
      [1701292639, 1701292639000],
      [1701292639.25, 1701292639250],
      ['1701292639.5', 1701292639500],
      ['2023-11-29T21:17:19Z', 1701292639000],
    ];
    for (const [createdAt, expected] of cases) {
      expect(messages(parse('m.json', emailFixture({ created_at: createdAt })))[0]?.createdAt).toBe(expected);
      expect(comments(parse('c.json', commentFixture({ posted_at: createdAt })))[0]?.postedAt).toBe(expected);
    }
  });

  it('tells SMS, email and other messages apart by Front type only', () => {
    const kindOf = (type: unknown) => messages(parse('m.json', smsFixture({ type })))[0]?.kind;
    expect(kindOf('sms')).toBe('sms');
    expect(kindOf('email')).toBe('email');
    expect(kindOf('whatsapp')).toBe('other_message');
    expect(kindOf('custom')).toBe('other_message');
    expect(kindOf('intercom')).toBe('other_message');
    const untyped = messages(parse('m.json', { ...smsFixture(), type: undefined }))[0];
    expect(untyped).toMatchObject({ kind: 'other_message', frontType: '' });
  });

  it('detects drafts from draft_mode or the older is_draft flag', () => {
    const isDraft = (overrides: Record<string, unknown>) =>
      messages(parse('m.json', emailFixture(overrides)))[0]?.isDraft;
    expect(isDraft({ draft_mode: null })).toBe(false);
    expect(isDraft({ draft_mode: 'shared' })).toBe(true);
    expect(isDraft({ draft_mode: 'private' })).toBe(true);
    expect(isDraft({ draft_mode: undefined, is_draft: true })).toBe(true);
    expect(isDraft({ draft_mode: undefined, is_draft: false })).toBe(false);
  });

  it('names authors from first/last name, else username, else email', () => {
    const authorOf = (author: unknown) => messages(parse('m.json', emailFixture({ author })))[0]?.authorName;
    expect(authorOf({ id: 'tea_1', first_name: 'Sam', last_name: 'Lee', username: 'sam' })).toBe('Sam Lee');
    expect(authorOf({ id: 'tea_1', first_name: 'Sam', last_name: null })).toBe('Sam');
    expect(authorOf({ id: 'tea_1', first_name: '', username: 'sam', email: 'sam@acme.com' })).toBe('sam');
    expect(authorOf({ id: 'tea_1', email: 'sam@acme.com' })).toBe('sam@acme.com');
    expect(authorOf(null)).toBeNull();
    const anonymous = comments(parse('c.json', commentFixture({ author: null })))[0];
    expect(anonymous).toMatchObject({ authorName: 'Unknown teammate', authorEmail: null });
  });

  it('reads threading headers from metadata.headers, adding angle brackets', () => {
    const message = messages(
      parse(
        'm.json',
        emailFixture({
          metadata: {
            headers: {
              'Message-ID': 'abc@mail.example.com',
              in_reply_to: '<prev@mail.example.com>',
              references: '<first@mail.example.com> prev@mail.example.com',
            },
          },
        }),
      ),
    )[0];
    expect(message).toMatchObject({
      messageId: '<abc@mail.example.com>',
      inReplyTo: '<prev@mail.example.com>',
      references: ['<first@mail.example.com>', '<prev@mail.example.com>'],
    });
  });

  it('keeps attachments without bytes and fills sensible defaults', () => {
    const message = messages(
      parse(
        'm.json',
        emailFixture({ attachments: [{ id: 'fil_9', size: '12', metadata: { is_inline: true } }] }),
      ),
    )[0];
    expect(message?.attachments).toEqual([
      {
        id: 'fil_9',
        filename: 'fil_9',
        contentType: 'application/octet-stream',
        size: 12,
        inline: true,
        cid: null,
        ref: null,
      },
    ]);
  });

  it('reads inboxes, channels, teammates and contacts', () => {
    const entry = parse('meta.json', [
      { id: 'inb_55', name: 'SMS Line', is_private: false },
      {
        id: 'cha_7',
        type: 'twilio',
        address: '+14155559876',
        _links: { related: { inbox: `${API}/inboxes/inb_55` } },
      },
      { id: 'tea_6r55a', email: 'sam@acme.com', username: 'sam', first_name: 'Sam', last_name: 'Lee' },
      {
        id: 'crd_8hd2k',
        name: null,
        handles: [{ handle: '+14155550123', source: 'phone' }, { handle: null }],
      },
    ]);
    expect(entry.unrecognized).toEqual([]);
    expect(entry.objects).toEqual([
      {
        type: 'inbox',
        inbox: {
          key: 'inb_55',
          frontId: 'inb_55',
          name: 'SMS Line',
          channelType: null,
          smtpForwarding: false,
        },
      },
      {
        type: 'channel',
        channel: { id: 'cha_7', type: 'twilio', inboxFrontId: 'inb_55', name: '+14155559876' },
      },
      { type: 'teammate', teammate: { id: 'tea_6r55a', email: 'sam@acme.com', name: 'Sam Lee' } },
      {
        type: 'contact',
        contact: { id: 'crd_8hd2k', name: null, handles: [{ handle: '+14155550123', source: 'phone' }] },
      },
    ]);
  });
});

describe('parseJsonEntry: containers', () => {
  it('reads a top-level array (an inbox-wide conversations file) with the file folder as inbox', () => {
    const entry = parse('Support_Team/inb_8a2k.json', [
      conversationFixture(),
      conversationFixture({ id: 'cnv_2', subject: 'Second' }),
    ]);
    expect(conversations(entry).map((c) => [c.id, c.inboxKeys])).toEqual([
      ['cnv_yo1kg5q', ['folder:Support_Team']],
      ['cnv_2', ['folder:Support_Team']],
    ]);
    // Each conversation owns its inbox key array.
    expect(conversations(entry)[0]?.inboxKeys).not.toBe(conversations(entry)[1]?.inboxKeys);
  });

  it('reads API envelopes with _results and _pagination', () => {
    const entry = parse('export/Support/cnv_yo1kg5q/messages.json', {
      _pagination: { next: `${API}/conversations/cnv_yo1kg5q/messages?page_token=abc` },
      _links: { self: `${API}/conversations/cnv_yo1kg5q/messages` },
      _results: [withoutLinks(emailFixture()), withoutLinks(emailFixture({ id: 'msg_2y67qldq' }))],
    });
    expect(entry.unrecognized).toEqual([]);
    expect(messages(entry).map((m) => [m.id, m.conversationId])).toEqual([
      ['msg_1q15qmtq', 'cnv_yo1kg5q'],
      ['msg_2y67qldq', 'cnv_yo1kg5q'],
    ]);
  });

  it('reads a conversation with embedded messages and comments, placing them in it', () => {
    const entry = parse(
      'conversations/cnv_yo1kg5q.json',
      conversationFixture({
        messages: [withoutLinks(emailFixture()), withoutLinks(smsFixture())],
        comments: { _results: [withoutLinks(commentFixture())] },
      }),
    );
    expect(entry.unrecognized).toEqual([]);
    expect(entry.objects.map((object) => object.type)).toEqual([
      'conversation',
      'message',
      'message',
      'comment',
    ]);
    expect(messages(entry).map((m) => m.conversationId)).toEqual(['cnv_yo1kg5q', 'cnv_yo1kg5q']);
    expect(comments(entry)[0]?.conversationId).toBe('cnv_yo1kg5q');
  });

  it('reads {conversation, messages, comments} files and arrays of them', () => {
    const combined = {
      conversation: conversationFixture(),
      messages: [withoutLinks(emailFixture())],
      comments: [withoutLinks(commentFixture())],
    };
    const single = parse('export/Support/combined.json', combined);
    expect(single.unrecognized).toEqual([]);
    expect(single.objects.map((object) => object.type)).toEqual(['conversation', 'message', 'comment']);
    expect(conversations(single)[0]?.inboxKeys).toEqual(['folder:Support']);
    expect(messages(single)[0]?.conversationId).toBe('cnv_yo1kg5q');

    const many = parse('all.json', [
      combined,
      { ...combined, conversation: conversationFixture({ id: 'cnv_2' }) },
    ]);
    expect(comments(many).map((c) => c.conversationId)).toEqual(['cnv_yo1kg5q', 'cnv_2']);
  });

  it('returns nothing for an empty list', () => {
    expect(parse('Support/inb_1.json', [])).toEqual({ objects: [], unrecognized: [] });
  });

  it('refuses containers nested deeper than it recurses', () => {
    const entry = parse('deep.json', [[[[emailFixture()]]]]);
    expect(entry.objects).toEqual([]);
    expect(reasons(entry)).toEqual(['nested too deeply: list at [0][0][0] is 4 containers deep']);
  });
});

describe('parseJsonEntry: parent conversation', () => {
  it('prefers _links.related.conversation (query string stripped) over the folder', () => {
    const message = emailFixture({
      _links: { related: { conversation: `${API}/conversations/cnv_linked?referer=message` } },
    });
    expect(messages(parse('export/Support/cnv_folder/m.json', message))[0]?.conversationId).toBe(
      'cnv_linked',
    );
  });

  it('falls back to the enclosing cnv_ folder', () => {
    const message = withoutLinks(emailFixture());
    expect(
      messages(parse('export/Support/cnv_folder/1701292639-message-msg_1q15qmtq.json', message))[0]
        ?.conversationId,
    ).toBe('cnv_folder');
    const comment = commentFixture({ _links: { related: { conversation: null } } });
    expect(comments(parse('Support/cnv_folder/c.json', comment))[0]?.conversationId).toBe('cnv_folder');
  });

  it('reports messages and comments with no conversation as orphans', () => {
    const entry = parse('export/loose/items.json', [
      withoutLinks(emailFixture()),
      withoutLinks(commentFixture()),
    ]);
    expect(entry.objects).toEqual([]);
    expect(entry.unrecognized).toEqual([
      {
        source: SOURCE,
        path: 'export/loose/items.json',
        reason: 'orphan: no conversation (message msg_1q15qmtq at [0])',
      },
      {
        source: SOURCE,
        path: 'export/loose/items.json',
        reason: 'orphan: no conversation (comment com_1ywg3f2 at [1])',
      },
    ]);
  });
});

describe('parseJsonEntry: problems', () => {
  it('reports malformed JSON once, with the parser message', () => {
    const entry = parse('export/Support/cnv_1/cnv_1.json', '{"id": "cnv_1", ');
    expect(entry.objects).toEqual([]);
    expect(entry.unrecognized).toHaveLength(1);
    expect(entry.unrecognized[0]).toMatchObject({ source: SOURCE, path: 'export/Support/cnv_1/cnv_1.json' });
    expect(entry.unrecognized[0]?.reason).toMatch(/^malformed JSON: \S/);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(conversations(parse('cnv_1.json', '\uFEFF{"id":"cnv_1","subject":"Hi"}'))).toHaveLength(1);
  });

  it('summarises validation failures as field paths', () => {
    const entry = parse('items.json', [
      emailFixture({ created_at: undefined }),
      smsFixture({ recipients: [{ handle: 14155550123 }], created_at: 'soon' }),
      commentFixture({ posted_at: undefined }),
      conversationFixture({ subject: 42, tags: 'billing' }),
    ]);
    expect(entry.objects).toEqual([]);
    expect(reasons(entry)).toEqual([
      'invalid message: msg_1q15qmtq at [0]: created_at: missing timestamp',
      'invalid message: msg_4k2p9s at [1]: created_at: not a timestamp ("soon"); recipients[0].handle: expected string, received number',
      'invalid comment: com_1ywg3f2 at [2]: posted_at: missing timestamp',
      'invalid conversation: cnv_yo1kg5q at [3]: subject: expected string, received number; tags: expected array, received string',
    ]);
  });

  it('confirms the ID prefix with the shape', () => {
    const entry = parse('x.json', [
      { id: 'cnv_1', name: 'not a conversation' },
      { id: 'msg_1', created_at: 1 },
      { id: 'com_1', body: 'no author, no time' },
    ]);
    expect(reasons(entry)).toEqual([
      'shape mismatch: cnv_1 at [0] has a conversation ID but none of status, subject',
      'shape mismatch: msg_1 at [1] has a message ID but none of type, recipients',
      'shape mismatch: com_1 at [2] has a comment ID but none of posted_at, author',
    ]);
  });

  it('reports objects without a known Front ID; Front objects it does not use are objects, not problems', () => {
    const entry = parse('x.json', [
      { version: 2, exported: true },
      { id: 'abc123' },
      { id: 42 },
      { id: 'tag_2oxhvy', name: 'billing' },
      'text',
      null,
      { id: 'top_b2c', name: 'JIRA-12' },
      { id: 'sts_1', name: 'Open' },
    ]);
    expect(reasons(entry)).toEqual([
      'unknown object: no id field at [0] (keys: version, exported)',
      'unknown object: id "abc123" at [1] has no known Front prefix',
      'unknown object: id at [2] is a number, not a Front ID',
      'not an object: [4] is a string',
      'not an object: [5] is null',
    ]);
    expect(only(entry, 'unused').map((object) => object.unused)).toEqual([
      { id: 'tag_2oxhvy', kind: 'tag' },
      { id: 'top_b2c', kind: 'link' },
      { id: 'sts_1', kind: 'ticket status' },
    ]);
  });

  it('identifies an object without id from its file name', () => {
    const { id: _id, ...anonymous } = emailFixture();
    const entry = parse('export/Support/cnv_yo1kg5q/1701292639-message-msg_1q15qmtq.json', anonymous);
    expect(messages(entry).map((m) => m.id)).toEqual(['msg_1q15qmtq']);
  });
});
