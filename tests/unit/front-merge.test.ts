import { describe, expect, it } from 'vitest';
import {
  mergeComment,
  mergeConversation,
  mergeMessage,
  parseJsonEntry,
  placeholderConversation,
} from '../../src/domain/front/index.ts';
import type { Comment, Conversation, Message } from '../../src/domain/model.ts';
import { commentFixture, conversationFixture, emailFixture } from './front-fixtures.ts';

function parseOne(path: string, value: unknown) {
  const entry = parseJsonEntry({ source: 'a.zip', path }, JSON.stringify(value));
  expect(entry.unrecognized).toEqual([]);
  return entry.objects[0]!;
}
function conversationAt(path: string, overrides: Record<string, unknown> = {}): Conversation {
  const object = parseOne(path, conversationFixture(overrides));
  if (object.type !== 'conversation') throw new Error('expected a conversation');
  return object.conversation;
}
function emailAt(path: string, overrides: Record<string, unknown> = {}): Message {
  const object = parseOne(path, emailFixture(overrides));
  if (object.type !== 'message') throw new Error('expected a message');
  return object.message;
}
function commentAt(path: string, overrides: Record<string, unknown> = {}): Comment {
  const object = parseOne(path, commentFixture(overrides));
  if (object.type !== 'comment') throw new Error('expected a comment');
  return object.comment;
}

describe('mergeConversation', () => {
  it('unites the inbox folders of a conversation shared by two inboxes', () => {
    const support = conversationAt('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const billing = conversationAt('export/Billing Team/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const { merged, conflict } = mergeConversation(support, billing);
    expect(conflict).toBeNull();
    expect(merged).toEqual({ ...support, inboxKeys: ['folder:Support', 'folder:Billing Team'] });
    expect(support.inboxKeys).toEqual(['folder:Support']); // inputs untouched
  });

  it('returns the existing object itself when the copy adds nothing', () => {
    const first = conversationAt('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const again = conversationAt('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    expect(mergeConversation(first, again)).toEqual({ merged: first, conflict: null });
    expect(mergeConversation(first, again).merged).toBe(first);
  });

  it('reports fields that differ, keeps the first copy and unites tags', () => {
    const first = conversationAt('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const later = conversationAt('export/Sales/cnv_yo1kg5q/cnv_yo1kg5q.json', {
      status: 'assigned',
      tags: [{ name: 'billing' }, { name: 'urgent' }],
    });
    const { merged, conflict } = mergeConversation(first, later);
    expect(conflict).toBe(
      'conversation cnv_yo1kg5q: copies differ in status ("archived" vs "assigned"), tags',
    );
    expect(merged.status).toBe('archived');
    expect(merged.tags).toEqual(['billing', 'urgent']);
    expect(merged.inboxKeys).toEqual(['folder:Support', 'folder:Sales']);
  });

  it('fills empty fields from the other copy without calling it a conflict', () => {
    const sparse = conversationAt('Support/cnv_yo1kg5q/cnv_yo1kg5q.json', { assignee: null, subject: '' });
    const full = conversationAt('Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const { merged, conflict } = mergeConversation(sparse, full);
    expect(conflict).toBeNull();
    expect(merged).toMatchObject({ assigneeName: 'Sam Lee', subject: 'Invoice #1042' });
  });

  it('completes a placeholder with the real conversation in either order (split zips)', () => {
    const real = conversationAt('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json');
    const placeholder = placeholderConversation('cnv_yo1kg5q', ['folder:Support', 'folder:Urgent']);
    expect(placeholder).toEqual({
      id: 'cnv_yo1kg5q',
      seen: false,
      subject: '',
      status: '',
      type: '',
      createdAt: null,
      inboxKeys: ['folder:Support', 'folder:Urgent'],
      tags: [],
      assigneeName: null,
      recipientHandle: null,
    });
    const expected = { ...real, inboxKeys: ['folder:Support', 'folder:Urgent'] };

    const placeholderFirst = mergeConversation(placeholder, real);
    expect(placeholderFirst).toEqual({ merged: expected, conflict: null });
    const realFirst = mergeConversation(real, placeholder);
    expect(realFirst).toEqual({ merged: expected, conflict: null });

    // A placeholder that adds no inbox leaves the real conversation as it is.
    expect(mergeConversation(real, placeholderConversation('cnv_yo1kg5q')).merged).toBe(real);
  });

  it('merges two placeholders by uniting their inbox keys', () => {
    const { merged } = mergeConversation(
      placeholderConversation('cnv_1', ['folder:A']),
      placeholderConversation('cnv_1', ['folder:B', 'folder:A']),
    );
    expect(merged).toMatchObject({ seen: false, inboxKeys: ['folder:A', 'folder:B'] });
  });
});

describe('mergeMessage', () => {
  it('keeps one copy of identical duplicates without conflict', () => {
    const a = emailAt('export/Support/cnv_yo1kg5q/m.json');
    const b = emailAt('export/Sales/cnv_yo1kg5q/m.json');
    expect(mergeMessage(a, b)).toEqual({ merged: a, conflict: null });
  });

  it('fills Message-ID, threading headers and the .eml ref from the other copy', () => {
    const plain = emailAt('Support/cnv_yo1kg5q/m.json');
    const withHeaders: Message = {
      ...plain,
      messageId: '<abc@x>',
      inReplyTo: '<prev@x>',
      references: ['<root@x>', '<prev@x>'],
      eml: { source: 'zip-2', path: 'Support/cnv_yo1kg5q/1701292639-msg_1q15qmtq.eml', size: 5120 },
    };
    const { merged, conflict } = mergeMessage(plain, withHeaders);
    expect(conflict).toBeNull();
    expect(merged).toEqual(withHeaders);
    // And the other way round: nothing to add.
    expect(mergeMessage(withHeaders, plain).merged).toBe(withHeaders);
  });

  it('fills attachment byte refs found for the other copy', () => {
    const plain = emailAt('Support/cnv_yo1kg5q/m.json');
    const ref = {
      source: 'zip-1',
      path: 'Support/cnv_yo1kg5q/attachments/msg_1q15qmtq/invoice.pdf',
      size: 4405,
    };
    const located: Message = { ...plain, attachments: plain.attachments.map((a) => ({ ...a, ref })) };
    const { merged, conflict } = mergeMessage(plain, located);
    expect(conflict).toBeNull();
    expect(merged.attachments[0]?.ref).toEqual(ref);
    expect(plain.attachments[0]?.ref).toBeNull();
  });

  it('reports differing copies by field name', () => {
    const a = emailAt('Support/cnv_yo1kg5q/m.json');
    const b = emailAt('Sales/cnv_yo1kg5q/m.json', {
      body: '<p>edited</p>',
      created_at: 1701292640,
      recipients: [],
    });
    const { merged, conflict } = mergeMessage(a, b);
    expect(conflict).toBe(
      'message msg_1q15qmtq: copies differ in createdAt (1701292639000 vs 1701292640000), body, recipients',
    );
    expect(merged).toBe(a);
  });
});

describe('mergeComment', () => {
  it('keeps one copy and reports differences', () => {
    const a = commentAt('Support/cnv_yo1kg5q/c.json');
    expect(mergeComment(a, commentAt('Sales/cnv_yo1kg5q/c.json'))).toEqual({ merged: a, conflict: null });
    const pinned = commentAt('Sales/cnv_yo1kg5q/c.json', { is_pinned: true, body: 'other' });
    expect(mergeComment(a, pinned).conflict).toBe(
      'comment com_1ywg3f2: copies differ in isPinned (false vs true), body',
    );
  });

  it('fills a missing author email', () => {
    const anonymous = commentAt('c.json', { author: { id: 'tea_6r55a', username: 'sam' } });
    const full = commentAt('c.json', { author: { id: 'tea_6r55a', username: 'sam', email: 'sam@acme.com' } });
    expect(mergeComment(anonymous, full)).toEqual({
      merged: { ...anonymous, authorEmail: 'sam@acme.com' },
      conflict: null,
    });
  });
});
