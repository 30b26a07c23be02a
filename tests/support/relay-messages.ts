/** Front model factories for the relay's tests and benchmark: one email, its conversation, parts. */
import type { AttachmentInfo, Conversation, Message, Recipient } from '../../src/domain/model.ts';

export const CREATED_AT = Date.UTC(2023, 10, 29, 21, 17, 19, 456);

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'cnv_1',
    seen: true,
    subject: 'Conversation subject',
    status: 'archived',
    type: 'conversation',
    createdAt: CREATED_AT,
    inboxKeys: ['inb_1'],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
    ...overrides,
  };
}

export function recipient(role: Recipient['role'], handle: string, name: string | null = null): Recipient {
  return { role, handle, name };
}

export function attachment(overrides: Partial<AttachmentInfo> = {}): AttachmentInfo {
  return {
    id: 'fil_1',
    filename: 'file.bin',
    contentType: 'application/octet-stream',
    size: 0,
    inline: false,
    cid: null,
    ref: null,
    ...overrides,
  };
}

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'msg_1',
    conversationId: 'cnv_1',
    kind: 'email',
    frontType: 'email',
    isInbound: true,
    isDraft: false,
    createdAt: CREATED_AT,
    subject: 'Quarterly numbers',
    body: '<p>Hello <b>team</b></p>',
    text: 'Hello team',
    authorName: null,
    recipients: [
      recipient('from', 'alice@example.com', 'Alice'),
      recipient('to', 'team@example.org', 'Team'),
    ],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...overrides,
  };
}
