import { describe, expect, it } from 'vitest';
import {
  createSummaryAccumulator,
  estimateImportSeconds,
  placeholderConversation,
  reasonCategory,
} from '../../src/domain/front/index.ts';
import type { ConversationCounts, ExportSummary, SummaryAccumulator } from '../../src/domain/front/index.ts';
import type { AttachmentInfo, Comment, Conversation, Message, MessageKind } from '../../src/domain/model.ts';

function conversation(id: string, inboxKeys: string[], status = 'archived'): Conversation {
  return { ...placeholderConversation(id, inboxKeys), seen: true, status, type: 'conversation', subject: id };
}

function attachment(withBytes: boolean): AttachmentInfo {
  return {
    id: null,
    filename: 'a.pdf',
    contentType: 'application/pdf',
    size: 10,
    inline: false,
    cid: null,
    ref: withBytes ? { source: 'z', path: 'attachments/msg_x/a.pdf', size: 10 } : null,
  };
}

let sequence = 0;
function message(conversationId: string, kind: MessageKind, extra: Partial<Message> = {}): Message {
  sequence++;
  return {
    id: `msg_${sequence}`,
    conversationId,
    kind,
    frontType: kind === 'other_message' ? 'whatsapp' : kind,
    isInbound: true,
    isDraft: false,
    createdAt: 1701292639000 + sequence,
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

function comment(conversationId: string, extra: Partial<Comment> = {}): Comment {
  sequence++;
  return {
    id: `com_${sequence}`,
    conversationId,
    authorName: 'Sam Lee',
    authorEmail: null,
    body: 'note',
    postedAt: 1701292639000 + sequence,
    attachments: [],
    isPinned: false,
    ...extra,
  };
}

type Feed = (accumulator: SummaryAccumulator) => void;

function zeroCounts(): ConversationCounts {
  return {
    sms: 0,
    emails: 0,
    otherMessages: 0,
    drafts: 0,
    comments: 0,
    attachments: 0,
    attachmentsWithBytes: 0,
    emailsWithMessageId: 0,
  };
}

/** A small export: shared, SMS, comment-only, deleted, split (missing) and over-limit conversations. */
function exportFeeds(): Feed[] {
  return [
    (a) =>
      a.addInbox({
        key: 'inb_1',
        frontId: 'inb_1',
        name: 'Support',
        channelType: 'smtp',
        smtpForwarding: true,
      }),
    // cnv_email: email thread shared by Support (inbox ID key) and the Billing folder.
    (a) => a.addConversation(conversation('cnv_email', ['inb_1', 'folder:Billing'])),
    (a) =>
      a.addMessage(message('cnv_email', 'email', { messageId: '<a@x>', attachments: [attachment(true)] })),
    (a) =>
      a.addMessage(message('cnv_email', 'email', { attachments: [attachment(false), attachment(true)] })),
    (a) => a.addComment(comment('cnv_email', { attachments: [attachment(false)] })),
    // cnv_sms: one SMS and two comments, in the SMS Line folder.
    (a) => a.addComment(comment('cnv_sms')),
    (a) => a.addConversation(conversation('cnv_sms', ['folder:SMS Line'])),
    (a) => a.addMessage(message('cnv_sms', 'sms')),
    (a) => a.addComment(comment('cnv_sms')),
    // cnv_discussion: comments only; not eligible.
    (a) => a.addConversation(conversation('cnv_discussion', ['folder:Billing'])),
    (a) => a.addComment(comment('cnv_discussion')),
    // cnv_whatsapp: other message + comment (not eligible), deleted, draft.
    (a) => a.addConversation(conversation('cnv_whatsapp', ['folder:SMS Line'], 'deleted')),
    (a) => a.addMessage(message('cnv_whatsapp', 'other_message', { isDraft: true })),
    (a) => a.addComment(comment('cnv_whatsapp')),
    // cnv_split: its conversation file never arrived (an orphan SMS and comment); the placeholder
    // carries the folder they were found in.
    (a) => a.addConversation(placeholderConversation('cnv_split', ['folder:SMS Line'])),
    (a) => a.addMessage(message('cnv_split', 'sms')),
    (a) => a.addComment(comment('cnv_split')),
    // cnv_orphan: referenced by a message only, never added as a conversation.
    (a) => a.addMessage(message('cnv_orphan', 'email')),
    // cnv_empty: no messages, no comments, no inbox.
    (a) => a.addConversation(conversation('cnv_empty', [])),
    (a) => a.addUnrecognized({ source: 'z', path: 'a/b.json', reason: 'malformed JSON: Unexpected token' }),
    (a) => a.addUnrecognized({ source: 'z', path: 'a/c.json', reason: 'malformed JSON: Unexpected end' }),
    (a) =>
      a.addUnrecognized({ source: 'z', path: 'a/d.json', reason: 'orphan: no conversation (message msg_9)' }),
    (a) =>
      a.addUnrecognized({
        source: 'z',
        path: 'a/e.txt',
        reason: 'unsupported file: .txt outside any attachments folder',
      }),
    (a) => a.addUnusedObjects('tag', 3),
    (a) => a.addUnusedObjects('link', 1),
    (a) => a.addUnusedObjects('tag', 2),
    (a) => a.addIgnoredEntries(4),
  ];
}

const EXPECTED: ExportSummary = {
  conversations: 5,
  missingConversations: 2,
  sms: 2,
  emails: 3,
  otherMessages: 1,
  drafts: 1,
  comments: 6,
  attachments: { total: 4, withBytes: 2, missingBytes: 2 },
  perInbox: [
    {
      key: 'folder:Billing',
      name: 'Billing',
      conversations: 2,
      sms: 0,
      emails: 2,
      otherMessages: 0,
      comments: 2,
    },
    {
      // cnv_sms and cnv_whatsapp; cnv_split is missing: its SMS and comment count, not itself.
      key: 'folder:SMS Line',
      name: 'SMS Line',
      conversations: 2,
      sms: 2,
      emails: 0,
      otherMessages: 1,
      comments: 4,
    },
    { key: 'inb_1', name: 'Support', conversations: 1, sms: 0, emails: 2, otherMessages: 0, comments: 1 },
  ],
  conversationsWithoutInbox: 1,
  eligibleComments: 4,
  notEligibleComments: 2,
  deletedConversations: 1,
  commentOnlyConversations: 1,
  emptyConversations: 1,
  conversationsOverSmsLimit: { count: 0, ids: [] },
  emailsWithMessageId: 1,
  emailsWithoutMessageId: 2,
  // cnv_email by its own Message-ID; cnv_orphan's email has none and names no parent.
  emailConversationsLocatable: { byMessageId: 1, byInReplyToOnly: 0, notLocatable: 1 },
  orphanMessages: 2,
  orphanComments: 1,
  orphanEntries: 1,
  unusedObjects: {
    total: 6,
    kinds: [
      { kind: 'tag', count: 5 },
      { kind: 'link', count: 1 },
    ],
  },
  ignoredEntries: 4,
  unrecognized: {
    total: 4,
    groups: [
      {
        category: 'malformed JSON',
        count: 2,
        examples: [
          { source: 'z', path: 'a/b.json', reason: 'malformed JSON: Unexpected token' },
          { source: 'z', path: 'a/c.json', reason: 'malformed JSON: Unexpected end' },
        ],
      },
      {
        category: 'orphan',
        count: 1,
        examples: [{ source: 'z', path: 'a/d.json', reason: 'orphan: no conversation (message msg_9)' }],
      },
      {
        category: 'unsupported file',
        count: 1,
        examples: [
          { source: 'z', path: 'a/e.txt', reason: 'unsupported file: .txt outside any attachments folder' },
        ],
      },
    ],
  },
};

function summarize(feeds: Feed[]): ExportSummary {
  const accumulator = createSummaryAccumulator();
  for (const feed of feeds) feed(accumulator);
  return accumulator.summary();
}

describe('createSummaryAccumulator', () => {
  it('builds the Export summary', () => {
    expect(summarize(exportFeeds())).toEqual(EXPECTED);
  });

  it('says how email conversations can be found in Missive: by Message-ID, only through a reply, or not', () => {
    const byRecords = createSummaryAccumulator();
    const byCounts = createSummaryAccumulator();
    const add = (id: string, emails: Partial<Message>[]) => {
      byRecords.addConversation(conversation(id, []));
      for (const extra of emails) byRecords.addMessage(message(id, 'email', extra));
      const counts = { ...zeroCounts(), emails: emails.length };
      counts.emailsWithMessageId = emails.filter((e) => e.messageId).length;
      counts.emailsWithReplyReference = emails.filter((e) => e.inReplyTo || e.references?.length).length;
      byCounts.addConversationCounts(conversation(id, []), counts);
    };
    add('cnv_own', [{ messageId: '<a@x>' }, { inReplyTo: '<a@x>' }]);
    add('cnv_reply', [{}, { inReplyTo: '<p@x>' }]);
    add('cnv_references', [{}, { references: ['<p@x>', '<q@x>'] }]);
    add('cnv_none', [{}, {}]);
    byRecords.addConversation(conversation('cnv_sms_only', []));
    byRecords.addMessage(message('cnv_sms_only', 'sms'));
    const expected = { byMessageId: 1, byInReplyToOnly: 2, notLocatable: 1 };
    expect(byRecords.summary().emailConversationsLocatable).toEqual(expected);
    expect(byCounts.summary().emailConversationsLocatable).toEqual(expected);
  });

  it('counts orphans in the totals and their inbox folder, and their conversation as missing only', () => {
    const accumulator = createSummaryAccumulator();
    accumulator.addConversation(conversation('cnv_found', ['folder:Support']));
    accumulator.addMessage(message('cnv_found', 'email'));
    // Two orphan SMS of one conversation whose file is in a zip not dropped yet.
    accumulator.addConversation(placeholderConversation('cnv_elsewhere', ['folder:Support']));
    accumulator.addMessage(message('cnv_elsewhere', 'sms'));
    accumulator.addMessage(message('cnv_elsewhere', 'sms'));
    accumulator.addComment(comment('cnv_elsewhere'));
    const summary = accumulator.summary();
    expect(summary).toMatchObject({
      conversations: 1,
      missingConversations: 1,
      sms: 2,
      emails: 1,
      comments: 1,
      eligibleComments: 1,
      orphanMessages: 2,
      orphanComments: 1,
      commentOnlyConversations: 0,
      emptyConversations: 0,
      conversationsWithoutInbox: 0,
      unrecognized: { total: 0 },
    });
    expect(summary.perInbox).toEqual([
      {
        key: 'folder:Support',
        name: 'Support',
        conversations: 1,
        sms: 2,
        emails: 1,
        otherMessages: 0,
        comments: 1,
      },
    ]);
  });

  it('takes per-conversation counts (what the store replays) exactly as the records they count', () => {
    const fromRecords = createSummaryAccumulator();
    const fromCounts = createSummaryAccumulator();
    const counts = new Map<string, { conversation: Conversation; counts: ConversationCounts }>();
    const slot = (id: string) => {
      let entry = counts.get(id);
      if (!entry)
        counts.set(id, (entry = { conversation: placeholderConversation(id), counts: zeroCounts() }));
      return entry;
    };
    const countAttachments = (into: ConversationCounts, list: readonly AttachmentInfo[]) => {
      into.attachments += list.length;
      into.attachmentsWithBytes += list.filter((a) => a.ref !== null).length;
    };
    // Replays the same feed into both: records one by one, and folded into counts per conversation.
    const recorder: SummaryAccumulator = {
      addConversation: (c) => {
        fromRecords.addConversation(c);
        const entry = slot(c.id);
        entry.conversation = {
          ...c,
          seen: c.seen || entry.conversation.seen,
          inboxKeys: [...new Set([...entry.conversation.inboxKeys, ...c.inboxKeys])],
        };
      },
      addMessage: (m) => {
        fromRecords.addMessage(m);
        const into = slot(m.conversationId).counts;
        if (m.kind === 'sms') into.sms++;
        else if (m.kind === 'email') {
          into.emails++;
          if (m.messageId !== null) into.emailsWithMessageId++;
        } else into.otherMessages++;
        if (m.isDraft) into.drafts++;
        countAttachments(into, m.attachments);
      },
      addComment: (c) => {
        fromRecords.addComment(c);
        const into = slot(c.conversationId).counts;
        into.comments++;
        countAttachments(into, c.attachments);
      },
      addConversationCounts: () => {
        throw new Error('not fed here');
      },
      addInbox: (inbox) => {
        fromRecords.addInbox(inbox);
        fromCounts.addInbox(inbox);
      },
      addUnrecognized: (entry) => {
        fromRecords.addUnrecognized(entry);
        fromCounts.addUnrecognized(entry);
      },
      addUnusedObjects: (kind, count) => {
        fromRecords.addUnusedObjects(kind, count);
        fromCounts.addUnusedObjects(kind, count);
      },
      addIgnoredEntries: (count) => {
        fromRecords.addIgnoredEntries(count);
        fromCounts.addIgnoredEntries(count);
      },
      summary: () => fromRecords.summary(),
    };
    for (const feed of exportFeeds()) feed(recorder);
    for (const { conversation: c, counts: n } of counts.values()) fromCounts.addConversationCounts(c, n);
    expect(fromCounts.summary()).toEqual(EXPECTED);
    expect(fromRecords.summary()).toEqual(EXPECTED);
  });

  it('gives the same numbers whatever the feed order (messages before conversations, reversed)', () => {
    const feeds = exportFeeds();
    const reversed = summarize([...feeds].reverse());
    // Only the order of unrecognised groups and examples follows the feed.
    expect({ ...reversed, unrecognized: null }).toEqual({ ...EXPECTED, unrecognized: null });
    expect(reversed.unrecognized.total).toBe(4);

    const messagesFirst = summarize([...feeds.slice(2), ...feeds.slice(0, 2)]);
    expect(messagesFirst).toEqual(EXPECTED);
  });

  it('counts comments as eligible once an SMS arrives later, and not before', () => {
    const accumulator = createSummaryAccumulator();
    accumulator.addComment(comment('cnv_late'));
    expect(accumulator.summary()).toMatchObject({ eligibleComments: 0, notEligibleComments: 1 });
    accumulator.addMessage(message('cnv_late', 'sms'));
    accumulator.addConversation(conversation('cnv_late', ['folder:SMS Line']));
    expect(accumulator.summary()).toMatchObject({
      eligibleComments: 1,
      notEligibleComments: 0,
      orphanComments: 0,
    });
  });

  it('replaces a re-added conversation, keeping every inbox it was seen in', () => {
    const accumulator = createSummaryAccumulator();
    accumulator.addConversation(placeholderConversation('cnv_1', ['folder:A']));
    accumulator.addConversation(conversation('cnv_1', ['folder:B']));
    accumulator.addConversation(placeholderConversation('cnv_1', []));
    const summary = accumulator.summary();
    expect(summary).toMatchObject({ conversations: 1, missingConversations: 0 });
    expect(summary.perInbox.map((row) => [row.key, row.conversations])).toEqual([
      ['folder:A', 1],
      ['folder:B', 1],
    ]);
  });

  it('flags conversations with more than 400 SMS', () => {
    const accumulator = createSummaryAccumulator();
    for (let i = 0; i < 401; i++) accumulator.addMessage(message('cnv_big', 'sms'));
    for (let i = 0; i < 400; i++) accumulator.addMessage(message('cnv_limit', 'sms'));
    for (let i = 0; i < 500; i++) accumulator.addMessage(message('cnv_emails', 'email'));
    expect(accumulator.summary().conversationsOverSmsLimit).toEqual({ count: 1, ids: ['cnv_big'] });
  });

  it('grows past its initial capacity', () => {
    const accumulator = createSummaryAccumulator();
    for (let i = 0; i < 5000; i++) {
      accumulator.addConversation(conversation(`cnv_${i}`, ['folder:Bulk']));
      accumulator.addMessage(message(`cnv_${i}`, 'sms'));
    }
    expect(accumulator.summary()).toMatchObject({
      conversations: 5000,
      sms: 5000,
      perInbox: [{ key: 'folder:Bulk', conversations: 5000, sms: 5000 }],
    });
  });

  it('keeps at most five examples per reason category', () => {
    const accumulator = createSummaryAccumulator();
    for (let i = 0; i < 8; i++)
      accumulator.addUnrecognized({ source: 'z', path: `${i}.json`, reason: `malformed JSON: ${i}` });
    const [group] = accumulator.summary().unrecognized.groups;
    expect(group?.count).toBe(8);
    expect(group?.examples.map((e) => e.path)).toEqual(['0.json', '1.json', '2.json', '3.json', '4.json']);
  });
});

describe('reasonCategory', () => {
  it('is the reason text before the first ": "', () => {
    expect(reasonCategory('invalid message: msg_1: created_at: missing timestamp')).toBe('invalid message');
    expect(reasonCategory('no separator')).toBe('no separator');
  });
});

describe('estimateImportSeconds', () => {
  it('sends the first 900 requests as a burst at 5 per second', () => {
    expect(estimateImportSeconds(0)).toBe(0);
    expect(estimateImportSeconds(-3)).toBe(0);
    expect(estimateImportSeconds(1)).toBe(0.2);
    expect(estimateImportSeconds(300)).toBe(60);
    expect(estimateImportSeconds(900)).toBe(180);
  });

  it('then sends 900 requests per 15-minute window', () => {
    expect(estimateImportSeconds(901)).toBe(900.2);
    expect(estimateImportSeconds(1800)).toBe(1080);
    expect(estimateImportSeconds(2700)).toBe(1980);
    // 10,000 requests: 11 full windows wait 15 min each, the last 100 take 20 s.
    expect(estimateImportSeconds(10_000)).toBe(11 * 900 + 20);
    // Sustained rate tends to 1 request per second.
    expect(estimateImportSeconds(900_000) / 900_000).toBeCloseTo(1, 2);
  });
});
