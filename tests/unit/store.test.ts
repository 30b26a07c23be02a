import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DB_VERSION,
  ExportStore,
  IndexBatch,
  MIGRATIONS,
  StoreQuotaError,
  isQuotaError,
} from '../../src/adapters/store.ts';
import { computeSummary } from '../../src/adapters/store-summary.ts';
import { createSummaryAccumulator, placeholderConversation } from '../../src/domain/front/index.ts';
import type { Comment, Conversation, Message, SourceFile } from '../../src/domain/model.ts';

let store: ExportStore;
let dbName: string;
let counter = 0;

beforeEach(async () => {
  dbName = `store-test-${++counter}`;
  store = await ExportStore.open({ name: dbName });
});

afterEach(async () => {
  store.close();
  await ExportStore.destroy(dbName);
});

function conv(id: string, inboxKeys: string[], extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    seen: true,
    subject: `S ${id}`,
    status: 'archived',
    type: 'conversation',
    createdAt: 1,
    inboxKeys,
    tags: [],
    assigneeName: null,
    recipientHandle: null,
    ...extra,
  };
}

function msg(
  id: string,
  conversationId: string,
  kind: Message['kind'],
  extra: Partial<Message> = {},
): Message {
  return {
    id,
    conversationId,
    kind,
    frontType: kind === 'other_message' ? 'custom' : kind,
    isInbound: true,
    isDraft: false,
    createdAt: 1000,
    subject: '',
    body: '',
    text: '',
    authorName: null,
    recipients: [],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...extra,
  };
}

function com(id: string, conversationId: string): Comment {
  return {
    id,
    conversationId,
    authorName: 'Sam',
    authorEmail: null,
    body: 'note',
    postedAt: 2000,
    attachments: [],
    isPinned: false,
  };
}

async function write(fill: (batch: IndexBatch) => void) {
  const batch = new IndexBatch();
  fill(batch);
  return store.writeBatch(batch);
}

describe('export store', () => {
  it('has a versioned schema that later issues extend by appending a migration', () => {
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    expect([...store.db.objectStoreNames].sort()).toEqual(
      [
        'channels',
        'comments',
        'contacts',
        'conversations',
        'fileRefs',
        'inboxes',
        'messages',
        'meta',
        'sources',
        'teammates',
        'unrecognized',
        'unusedObjects',
      ].sort(),
    );
  });

  it('merges a conversation met in two inboxes into one row with both inbox keys', async () => {
    await write((b) => b.addConversation(conv('cnv_1', ['folder:Support'])));
    await write((b) => b.addConversation(conv('cnv_1', ['folder:Billing'])));
    const row = await store.getConversation('cnv_1');
    expect(row!.inboxKeys).toEqual(['folder:Support', 'folder:Billing']);
    expect(await store.count('conversations')).toBe(1);
    const inboxes = (await store.listInboxes()).map((i) => i.name).sort();
    expect(inboxes).toEqual(['Billing', 'Support']);
  });

  it('creates a placeholder for a message whose conversation comes later, then completes it', async () => {
    await write((b) => b.addMessage(msg('msg_1', 'cnv_1', 'sms')));
    expect(await store.getConversation('cnv_1')).toMatchObject({ seen: false, stats: { sms: 1 } });
    await write((b) => b.addConversation(conv('cnv_1', ['folder:SMS'])));
    expect(await store.getConversation('cnv_1')).toMatchObject({
      seen: true,
      subject: 'S cnv_1',
      stats: { sms: 1, emails: 0 },
    });
  });

  it('keeps per-conversation counts exact when the same records are written again', async () => {
    const fill = (b: IndexBatch) => {
      b.addConversation(conv('cnv_1', ['folder:A']));
      b.addMessage(msg('msg_1', 'cnv_1', 'email', { isDraft: true }));
      b.addMessage(msg('msg_2', 'cnv_1', 'other_message'));
      b.addComment(com('com_1', 'cnv_1'));
    };
    await write(fill);
    await write(fill);
    await write(fill);
    expect((await store.getConversation('cnv_1'))!.stats).toEqual({
      sms: 0,
      emails: 1,
      otherMessages: 1,
      drafts: 1,
      comments: 1,
      attachments: 0,
      attachmentsWithBytes: 0,
      emailsWithMessageId: 0,
      emailsWithReplyReference: 0,
    });
  });

  it('folds an .eml and attachment bytes seen before their message into it', async () => {
    const ref = (path: string, size = 10) => ({ source: 'a.zip|1|1', path, size });
    await write((b) => {
      b.addEml('msg_1', ref('x/msg_1.eml'), { messageId: '<m@x>', inReplyTo: null, references: [] });
      b.addAttachmentFile('msg_1', 'photo.jpg', ref('x/attachments/msg_1/photo.jpg', 42));
    });
    await write((b) =>
      b.addMessage(
        msg('msg_1', 'cnv_1', 'email', {
          attachments: [
            {
              id: 'fil_1',
              filename: 'photo.jpg',
              contentType: 'image/jpeg',
              size: 42,
              inline: false,
              cid: null,
              ref: null,
            },
          ],
        }),
      ),
    );
    const stored = (await store.getMessage('msg_1'))!;
    expect(stored.messageId).toBe('<m@x>');
    expect(stored.eml).toEqual(ref('x/msg_1.eml'));
    expect(stored.attachments[0]!.ref).toEqual(ref('x/attachments/msg_1/photo.jpg', 42));
    expect((await store.getConversation('cnv_1'))!.stats).toMatchObject({
      attachments: 1,
      attachmentsWithBytes: 1,
      emailsWithMessageId: 1,
    });
  });

  it('stores the SMTP-forwarding mark, keeps it across merges, and clears everything', async () => {
    await write((b) => b.addConversation(conv('cnv_1', ['folder:Support'])));
    await store.setSmtpForwarding('folder:Support', true);
    await write((b) => b.addConversation(conv('cnv_2', ['folder:Support'])));
    expect((await store.listInboxes())[0]).toMatchObject({ key: 'folder:Support', smtpForwarding: true });
    await store.clear();
    expect(await store.count('conversations')).toBe(0);
    expect(await store.listInboxes()).toEqual([]);
  });

  it('resolves channel types onto inbox folders matched to inbox objects', async () => {
    await write((b) => {
      b.addConversation(conv('cnv_1', ['folder:SMS_Line']));
      b.addConversation(conv('cnv_2', ['folder:Support']));
      b.addInbox({
        key: 'inb_1',
        frontId: 'inb_1',
        name: 'SMS Line',
        channelType: null,
        smtpForwarding: false,
      });
      b.addInbox({
        key: 'inb_2',
        frontId: 'inb_2',
        name: 'Support',
        channelType: null,
        smtpForwarding: false,
      });
      b.addChannel({ id: 'cha_1', type: 'twilio', inboxFrontId: 'inb_1', name: '+1415' });
      b.addChannel({ id: 'cha_3', type: 'twilio_whatsapp', inboxFrontId: 'inb_1', name: 'WhatsApp' });
      // An inbox with several channels: SMTP forwarding as soon as one of them is `smtp`.
      b.addChannel({ id: 'cha_2', type: 'smtp', inboxFrontId: 'inb_2', name: 'support@acme.com' });
      b.addChannel({ id: 'cha_4', type: 'gmail', inboxFrontId: 'inb_2', name: 'help@acme.com' });
    });
    const { inboxes } = await computeSummary(store, true);
    expect(inboxes.map((i) => [i.key, i.name, i.channelType, i.smtpForwarding, i.conversations])).toEqual([
      ['folder:SMS_Line', 'SMS Line', 'twilio, twilio_whatsapp', false, 1],
      ['folder:Support', 'Support', 'gmail, smtp', true, 1],
    ]);
    // Written back, so later steps read the resolved rows directly.
    expect((await store.listInboxes()).find((i) => i.key === 'folder:Support')!.smtpForwarding).toBe(true);
  });

  it('summarises from its per-conversation counts exactly as from the records themselves', async () => {
    const conversations = [
      conv('cnv_1', ['folder:Support', 'folder:Billing']),
      conv('cnv_2', ['folder:SMS'], { status: 'deleted' }),
      conv('cnv_3', ['folder:Support'], { type: 'discussion' }),
    ];
    const messages = [
      msg('msg_1', 'cnv_1', 'email', { messageId: '<1@x>' }),
      msg('msg_2', 'cnv_1', 'email', { isDraft: true }),
      msg('msg_3', 'cnv_2', 'sms'),
      msg('msg_4', 'cnv_2', 'other_message'),
      // Orphans: cnv_9 is never written, only its messages and comments.
      msg('msg_5', 'cnv_9', 'sms'),
    ];
    const comments = [com('com_1', 'cnv_1'), com('com_2', 'cnv_3'), com('com_3', 'cnv_9')];
    // Written over several batches, some rows twice, messages before their conversations.
    await write((b) => {
      for (const m of messages.slice(0, 3)) b.addMessage(m);
      b.addComment(comments[2]!);
    });
    await write((b) => {
      for (const c of conversations) b.addConversation(c);
      for (const m of messages) b.addMessage(m);
      for (const c of comments) b.addComment(c);
    });
    await write((b) => b.addConversation(placeholderConversation('cnv_9', ['folder:SMS'])));

    const fromRecords = createSummaryAccumulator();
    for (const inbox of await store.listInboxes()) fromRecords.addInbox(inbox);
    for (const c of conversations) fromRecords.addConversation(c);
    fromRecords.addConversation(placeholderConversation('cnv_9', ['folder:SMS']));
    for (const m of messages) fromRecords.addMessage(m);
    for (const c of comments) fromRecords.addComment(c);
    const expected = fromRecords.summary();
    expect(expected).toMatchObject({ conversations: 3, missingConversations: 1, sms: 2, comments: 3 });
    expect((await computeSummary(store, true)).summary).toEqual(expected);
  });

  it('counts Front objects the import does not use once per ID, by kind', async () => {
    await write((b) => {
      b.addUnusedObject({ id: 'tag_1', kind: 'tag' });
      b.addUnusedObject({ id: 'top_1', kind: 'link' });
    });
    await write((b) => b.addUnusedObject({ id: 'tag_1', kind: 'tag' }));
    expect(await store.countUnusedObjectsByKind()).toEqual(
      new Map([
        ['tag', 1],
        ['link', 1],
      ]),
    );
    await store.clear();
    expect(await store.countUnusedObjectsByKind()).toEqual(new Map());
  });

  it('caches the summary until the next write', async () => {
    await write((b) => b.addConversation(conv('cnv_1', ['folder:A'])));
    expect((await computeSummary(store)).summary!.conversations).toBe(1);
    await write((b) => b.addConversation(conv('cnv_2', ['folder:A'])));
    expect((await computeSummary(store)).summary!.conversations).toBe(2);
    expect((await computeSummary(new Proxy(store, {}), false)).summary!.conversations).toBe(2);
  });

  it('turns a quota failure into StoreQuotaError and writes nothing of the batch', async () => {
    const put = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'messages') throw new DOMException('Quota exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const source: SourceFile = {
      id: 'a|1|1',
      name: 'a.zip',
      size: 1,
      lastModified: 1,
      status: 'indexing',
      checkpoint: 5,
      entries: 10,
      bytesDone: 1,
      error: null,
    };
    try {
      await expect(
        write((b) => {
          b.addConversation(conv('cnv_1', []));
          b.addMessage(msg('msg_1', 'cnv_1', 'sms'));
          b.source = source;
        }),
      ).rejects.toBeInstanceOf(StoreQuotaError);
    } finally {
      spy.mockRestore();
    }
    expect(await store.getConversation('cnv_1')).toBeUndefined();
    expect(await store.getSource('a|1|1')).toBeUndefined();
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('x'))).toBe(false);
  });

  it('leaves no rejection unobserved when a batch fails while its reads are under way', async () => {
    // The second read throws while the first is still pending: the abort then rejects the first
    // with AbortError, which must be awaited by the store, not surface as an unhandled rejection.
    const get = IDBObjectStore.prototype.get;
    let reads = 0;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['get']>
    ) {
      if (this.name === 'messages' && ++reads === 2) throw new DOMException('read refused', 'UnknownError');
      return get.apply(this, args);
    });
    try {
      await expect(
        write((b) => {
          b.addConversation(conv('cnv_1', []));
          for (const id of ['msg_1', 'msg_2', 'msg_3']) b.addMessage(msg(id, 'cnv_1', 'sms'));
        }),
      ).rejects.toThrow('read refused');
    } finally {
      spy.mockRestore();
    }
    // The abort's tasks have all run by now: an unobserved rejection would have been reported.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.getConversation('cnv_1')).toBeUndefined();
    expect(await store.count('messages')).toBe(0);
  });

  it('walks conversations a page at a time and lists unrecognised entries by page', async () => {
    await write((b) => {
      for (let i = 0; i < 25; i++) b.addConversation(conv(`cnv_${String(i).padStart(2, '0')}`, []));
      for (let i = 0; i < 7; i++) b.addUnrecognized('s', { source: 'a.zip', path: `p${i}`, reason: 'junk' });
    });
    const ids: string[] = [];
    await store.forEachConversation((row) => ids.push(row.id), 10);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    expect((await store.listUnrecognized(5, 10)).map((r) => r.path)).toEqual(['p5', 'p6']);
  });
});
