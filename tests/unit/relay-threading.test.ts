import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import type { Conversation, Message } from '../../src/domain/model.ts';
import {
  buildRfc5322,
  derivedMessageId,
  normaliseMessageId,
  threadHeaders,
} from '../../src/domain/relay/index.ts';

const T0 = Date.UTC(2024, 0, 15, 9, 0, 0);
const HOUR = 3600_000;

const conversation: Conversation = {
  id: 'cnv_thread',
  seen: true,
  subject: 'Order #42',
  status: 'archived',
  type: 'conversation',
  createdAt: T0,
  inboxKeys: ['inb_1'],
  tags: [],
  assigneeName: null,
  recipientHandle: null,
};

function message(id: string, hoursAfterStart: number, originals: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: conversation.id,
    kind: 'email',
    frontType: 'email',
    isInbound: true,
    isDraft: false,
    createdAt: T0 + hoursAfterStart * HOUR,
    subject: 'Re: Order #42',
    body: '',
    text: `Message ${id}`,
    authorName: null,
    recipients: [
      { role: 'from', handle: 'customer@example.com', name: null },
      { role: 'to', handle: 'shop@example.com', name: null },
    ],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...originals,
  };
}

/** Five messages mixing original headers (known from the export) with derived IDs. */
const m1 = message('msg_1', 0, { messageId: '<first@customer.example>' });
const m2 = message('msg_2', 1); // sent from Front: no original headers
const m3 = message('msg_3', 2, {
  messageId: 'third@customer.example', // brackets missing in the export
  inReplyTo: '<first@customer.example>',
  references: ['<first@customer.example>'],
});
const m4 = message('msg_4', 3);
const m5 = message('msg_5', 4, {
  messageId: '<fifth@customer.example>',
  inReplyTo: '<outside@elsewhere.example>',
});
const conversationMessages = [m1, m2, m3, m4, m5];

const id2 = '<front-msg_2@front-import.invalid>';
const id4 = '<front-msg_4@front-import.invalid>';

describe('threadHeaders', () => {
  it('threads a 5-message conversation mixing original and derived Message-IDs', () => {
    const threads = threadHeaders(conversationMessages);
    expect([...threads.values()]).toEqual([
      { frontMessageId: 'msg_1', messageId: '<first@customer.example>', inReplyTo: null, references: [] },
      {
        frontMessageId: 'msg_2',
        messageId: id2,
        inReplyTo: '<first@customer.example>',
        references: ['<first@customer.example>'],
      },
      {
        // Original headers win: it answered the first message, not msg_2.
        frontMessageId: 'msg_3',
        messageId: '<third@customer.example>',
        inReplyTo: '<first@customer.example>',
        references: ['<first@customer.example>'],
      },
      {
        // Unknown parent: the previous message, with its whole chain.
        frontMessageId: 'msg_4',
        messageId: id4,
        inReplyTo: '<third@customer.example>',
        references: ['<first@customer.example>', '<third@customer.example>'],
      },
      {
        // Parent outside the conversation: the conversation chain is kept, so it still threads.
        frontMessageId: 'msg_5',
        messageId: '<fifth@customer.example>',
        inReplyTo: '<outside@elsewhere.example>',
        references: [
          '<first@customer.example>',
          '<third@customer.example>',
          id4,
          '<outside@elsewhere.example>',
        ],
      },
    ]);
  });

  it('orders oldest first whatever the input order (ties by Front ID)', () => {
    const shuffled = [m4, m1, m5, m3, m2];
    expect([...threadHeaders(shuffled).entries()]).toEqual([
      ...threadHeaders(conversationMessages).entries(),
    ]);
    const tieA = message('msg_b', 0);
    const tieB = message('msg_a', 0);
    expect([...threadHeaders([tieA, tieB]).keys()]).toEqual(['msg_a', 'msg_b']);
  });

  it('appends a known In-Reply-To missing from the original References, drops duplicates and itself', () => {
    const reply = message('msg_r', 1, {
      messageId: '<r@x.example>',
      inReplyTo: '<p@x.example>',
      references: ['<root@x.example>', '<root@x.example>', '<r@x.example>', 'not an id'],
    });
    expect(threadHeaders([reply]).get('msg_r')).toEqual({
      frontMessageId: 'msg_r',
      messageId: '<r@x.example>',
      inReplyTo: '<p@x.example>',
      references: ['<root@x.example>', '<p@x.example>'],
    });
  });

  it('builds messages that parse back with the same threading headers', async () => {
    const threads = threadHeaders(conversationMessages);
    for (const msg of conversationMessages) {
      const thread = threads.get(msg.id)!;
      const parsed = await PostalMime.parse(buildRfc5322(msg, conversation, thread, []).raw);
      expect(parsed.messageId).toBe(thread.messageId);
      expect(parsed.inReplyTo).toBe(thread.inReplyTo ?? undefined);
      expect(parsed.references?.split(/\s+/) ?? []).toEqual(thread.references);
      expect(parsed.subject).toBe('Re: Order #42');
    }
  });
});

describe('Message-IDs', () => {
  it('derives the same ID on every run, escaping what a dot-atom cannot hold', () => {
    expect(derivedMessageId('msg_1q15qmtq')).toBe('<front-msg_1q15qmtq@front-import.invalid>');
    expect(derivedMessageId('msg_a.b/c=d')).toBe('<front-msg_a=2Eb=2Fc=3Dd@front-import.invalid>');
    expect(derivedMessageId('msg_é')).toBe('<front-msg_=C3=A9@front-import.invalid>');
    expect(derivedMessageId('msg_x')).toBe(derivedMessageId('msg_x'));
  });

  it('normalises original IDs and rejects unusable ones', () => {
    expect(normaliseMessageId(' <a@b> ')).toBe('<a@b>');
    expect(normaliseMessageId('a@b')).toBe('<a@b>');
    expect(normaliseMessageId('< a@b >')).toBe('<a@b>');
    expect(normaliseMessageId('')).toBeNull();
    expect(normaliseMessageId('<>')).toBeNull();
    expect(normaliseMessageId('a b@c')).toBeNull();
    expect(normaliseMessageId('<a<b@c>')).toBeNull();
    expect(normaliseMessageId(null)).toBeNull();
  });
});
