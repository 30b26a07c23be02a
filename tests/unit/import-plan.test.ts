import { describe, expect, it } from 'vitest';
import type { AttachmentInfo, Comment, Conversation, Message } from '../../src/domain/model.ts';
import {
  DEFAULT_PLAN_CHOICES,
  PlanAccumulator,
  buildPlan,
  estimateDuration,
  formatDuration,
  isRelayConversation,
  planConversation,
  type ConversationPlan,
  type PlanChoices,
} from '../../src/domain/import/plan.ts';
import { PUBLISHED_LIMITS, scaledLimits } from '../../src/domain/import/rate-scheduler.ts';
import { FLAGS, SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import { derivedMessageId } from '../../src/domain/relay/threading.ts';

const T0 = 1_700_000_000_000;
const MB = 1_000_000;

function conversation(id: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    seen: true,
    subject: `Subject ${id}`,
    status: 'archived',
    type: 'conversation',
    createdAt: T0,
    inboxKeys: ['inb_1'],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
    ...overrides,
  };
}

let clock = 0;
function message(conversationId: string, kind: Message['kind'], overrides: Partial<Message> = {}): Message {
  clock++;
  return {
    id: `msg_${conversationId}_${clock}`,
    conversationId,
    kind,
    frontType: kind === 'other_message' ? 'whatsapp' : kind,
    isInbound: true,
    isDraft: false,
    createdAt: T0 + clock * 1000,
    subject: '',
    body: 'hello',
    text: 'hello',
    authorName: null,
    recipients: [
      { handle: '+15550001', name: null, role: 'from' },
      { handle: '+15550002', name: null, role: 'to' },
    ],
    attachments: [],
    messageId: kind === 'email' ? `<${clock}@mail.example.com>` : null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...overrides,
  };
}

function comment(conversationId: string, overrides: Partial<Comment> = {}): Comment {
  clock++;
  return {
    id: `com_${conversationId}_${clock}`,
    conversationId,
    authorName: 'Sam Lee',
    authorEmail: null,
    body: 'a note',
    postedAt: T0 + clock * 1000,
    attachments: [],
    isPinned: false,
    ...overrides,
  };
}

function photo(size: number): AttachmentInfo {
  return {
    id: null,
    filename: `p${size}.jpg`,
    contentType: 'image/jpeg',
    size,
    inline: false,
    cid: null,
    ref: { source: 'z', path: `p${size}.jpg`, size },
  };
}

/** A small export covering every routing case; request counts are worked out by hand below. */
function fixture() {
  const conversations = [
    conversation('cnv_sms', { createdAt: T0 + 1 }),
    conversation('cnv_email', { createdAt: T0 + 2 }),
    conversation('cnv_email_noid', { createdAt: T0 + 3 }),
    conversation('cnv_deleted', { createdAt: T0 + 4, status: 'deleted' }),
    conversation('cnv_discussion', { createdAt: T0 + 5, type: 'discussion' }),
    conversation('cnv_whatsapp', { createdAt: T0 + 6 }),
    conversation('cnv_mixed', { createdAt: T0 + 7 }),
    conversation('cnv_draft', { createdAt: T0 + 8 }),
  ];
  const messages = [
    message('cnv_sms', 'sms'),
    message('cnv_sms', 'sms', { attachments: [photo(3 * MB), photo(3 * MB + 1), photo(3 * MB + 2)] }), // 2 requests
    message('cnv_email', 'email'),
    message('cnv_email', 'email'),
    message('cnv_email_noid', 'email', { messageId: null }),
    message('cnv_deleted', 'sms'),
    message('cnv_whatsapp', 'other_message'),
    message('cnv_mixed', 'email'),
    message('cnv_mixed', 'sms'),
    message('cnv_draft', 'sms', { isDraft: true }),
  ];
  const comments = [
    comment('cnv_sms'),
    comment('cnv_sms'),
    comment('cnv_email'),
    comment('cnv_email_noid'),
    comment('cnv_deleted'),
    comment('cnv_discussion'),
    comment('cnv_discussion'),
    comment('cnv_whatsapp'),
    comment('cnv_mixed'),
  ];
  return { conversations, messages, comments };
}

function byId(plans: ConversationPlan[]) {
  return new Map(plans.map((p) => [p.conversation.frontId, p]));
}

describe('planConversation: statuses and reasons', () => {
  const plans = byId(buildPlan(fixture()).conversations);
  const statuses = (id: string) => {
    const plan = plans.get(id)!;
    return [plan.conversation, ...plan.items].map((a) => [a.kind, a.status, a.reason]);
  };

  it('SMS conversation: SMS and comments pending, comments go into the SMS conversation', () => {
    const plan = plans.get('cnv_sms')!;
    expect(statuses('cnv_sms')).toStrictEqual([
      ['conversation', 'pending', null],
      ['sms', 'pending', null],
      ['sms', 'pending', null],
      ['comment', 'pending', null],
      ['comment', 'pending', null],
    ]);
    expect(plan.conversation.commentRoute).toBe('sms');
    expect(plan.conversation.lookupMessageId).toBeNull();
    expect(plan.items[1]).toMatchObject({ kind: 'sms', requests: 2, flags: [FLAGS.filesSplit] });
  });

  it('email conversation: emails not pushed, comments posted after one lookup by the oldest Message-ID', () => {
    const plan = plans.get('cnv_email')!;
    expect(statuses('cnv_email')).toStrictEqual([
      ['conversation', 'pending', null],
      ['email', 'skipped', SKIP_REASONS.emailSynced],
      ['email', 'skipped', SKIP_REASONS.emailSynced],
      ['comment', 'pending', null],
    ]);
    expect(plan.conversation.commentRoute).toBe('email');
    expect(plan.conversation.lookupMessageId).toMatch(/^<\d+@mail\.example\.com>$/);
  });

  it('email conversation without any Message-ID: the comment cannot be placed', () => {
    expect(statuses('cnv_email_noid')).toStrictEqual([
      ['conversation', 'skipped', SKIP_REASONS.nothingToSend],
      ['email', 'skipped', SKIP_REASONS.emailSynced],
      ['comment', 'skipped', SKIP_REASONS.noMessageId],
    ]);
  });

  it('deleted conversation: everything skipped with the deleted reason', () => {
    expect(statuses('cnv_deleted')).toStrictEqual([
      ['conversation', 'skipped', SKIP_REASONS.deletedConversation],
      ['sms', 'skipped', SKIP_REASONS.deletedConversation],
      ['comment', 'skipped', SKIP_REASONS.deletedConversation],
    ]);
  });

  it('comment-only conversation, and one whose only message type cannot be imported', () => {
    expect(statuses('cnv_discussion')).toStrictEqual([
      ['conversation', 'skipped', SKIP_REASONS.nothingToSend],
      ['comment', 'skipped', SKIP_REASONS.commentOnlyConversation],
      ['comment', 'skipped', SKIP_REASONS.commentOnlyConversation],
    ]);
    expect(statuses('cnv_whatsapp')).toStrictEqual([
      ['conversation', 'skipped', SKIP_REASONS.nothingToSend],
      ['other_message', 'skipped', SKIP_REASONS.otherMessage],
      ['comment', 'skipped', SKIP_REASONS.commentOnlyConversation],
    ]);
    expect(plans.get('cnv_whatsapp')!.items[0]).toMatchObject({ frontType: 'whatsapp' });
  });

  it('email and SMS together: comments go into the SMS conversation, no lookup', () => {
    const plan = plans.get('cnv_mixed')!;
    expect(plan.conversation.commentRoute).toBe('sms');
    expect(plan.requests['per-comment']).toStrictEqual({
      smsMessages: 1,
      emailLookups: 0,
      commentPosts: 1,
      total: 2,
    });
  });

  it('a draft SMS is never sent', () => {
    expect(statuses('cnv_draft')).toStrictEqual([
      ['conversation', 'skipped', SKIP_REASONS.nothingToSend],
      ['sms', 'skipped', SKIP_REASONS.draft],
    ]);
  });

  it('emails of SMTP-forwarding inboxes are left to relay mode', () => {
    const { conversations, messages, comments } = fixture();
    const choices: PlanChoices = { ...DEFAULT_PLAN_CHOICES, relayInboxKeys: new Set(['inb_1']) };
    const plan = byId(buildPlan({ conversations, messages, comments }, choices).conversations).get(
      'cnv_email',
    )!;
    expect(plan.items[0]).toMatchObject({
      kind: 'email',
      status: 'skipped',
      reason: SKIP_REASONS.emailRelayed,
    });
  });

  it('relayed conversation without any Message-ID: its comments wait for the relayed copy, found by its derived Message-ID', () => {
    const choices: PlanChoices = { ...DEFAULT_PLAN_CHOICES, relayInboxKeys: new Set(['inb_1']) };
    const c = conversation('cnv_relay_noid');
    const first = message('cnv_relay_noid', 'email', { id: 'msg_relay.1', messageId: null });
    const reply = message('cnv_relay_noid', 'email', { messageId: null });
    const note = comment('cnv_relay_noid');
    const plan = planConversation(c, [reply, first], [note], choices);
    expect([plan.conversation, ...plan.items].map((a) => [a.kind, a.status, a.reason])).toStrictEqual([
      ['conversation', 'pending', null],
      ['email', 'skipped', SKIP_REASONS.emailRelayed],
      ['email', 'skipped', SKIP_REASONS.emailRelayed],
      ['comment', 'pending', null],
    ]);
    // The Message-ID relay mode gives the oldest email's copy (threading.ts relayMessageId).
    expect(plan.conversation).toMatchObject({
      commentRoute: 'email',
      lookupMessageId: derivedMessageId('msg_relay.1'),
    });
    expect(plan.conversation.lookupMessageId).toBe('<front-msg_relay=2E1@front-import.invalid>');
    expect(plan.requests['per-comment']).toMatchObject({ emailLookups: 1, commentPosts: 1 });
    // The same conversation outside relay mode: no Message-ID to look up, the comment is skipped.
    const synced = planConversation(c, [reply, first], [note], DEFAULT_PLAN_CHOICES);
    expect(synced.conversation.lookupMessageId).toBeNull();
    expect(synced.items.at(-1)).toMatchObject({ status: 'skipped', reason: SKIP_REASONS.noMessageId });
  });

  it('relayed conversation: looked up by what its oldest relayed copy carries (the original when usable)', () => {
    const choices: PlanChoices = { ...DEFAULT_PLAN_CHOICES, relayInboxKeys: new Set(['inb_2', 'inb_1']) };
    const c = conversation('cnv_relay');
    const lookup = (messages: Message[]) =>
      planConversation(c, messages, [comment('cnv_relay')], choices).conversation.lookupMessageId;
    const at = (n: number) => T0 + n * 1000;
    // The original, in canonical <…> form.
    expect(
      lookup([message('cnv_relay', 'email', { createdAt: at(1), messageId: ' orig@mail.example ' })]),
    ).toBe('<orig@mail.example>');
    // The oldest email has none, a reply has one: the oldest copy's derived ID (all copies share one thread).
    const noId = message('cnv_relay', 'email', { id: 'msg_r1', createdAt: at(1), messageId: null });
    const withId = message('cnv_relay', 'email', { createdAt: at(2), messageId: '<later@mail.example>' });
    expect(lookup([withId, noId])).toBe(derivedMessageId('msg_r1'));
    // An unusable original (whitespace inside) is replaced in the copy, so it is not looked up.
    const broken = message('cnv_relay', 'email', { id: 'msg_r2', createdAt: at(1), messageId: '<a b@x>' });
    expect(lookup([broken])).toBe(derivedMessageId('msg_r2'));
    // Drafts are never relayed: the oldest email relayed is the one after the draft.
    const draft = message('cnv_relay', 'email', { id: 'msg_r3', createdAt: at(0), isDraft: true });
    expect(lookup([draft, noId])).toBe(derivedMessageId('msg_r1'));
    // An SMS conversation of a relay inbox keeps its comments in the SMS conversation.
    expect(lookup([message('cnv_relay', 'sms'), noId])).toBeNull();
  });

  it('knows a relayed conversation from the inboxes marked SMTP forwarding only', () => {
    const c = conversation('cnv_x', { inboxKeys: ['inb_a', 'inb_b'] });
    expect(isRelayConversation(c, DEFAULT_PLAN_CHOICES)).toBe(false);
    expect(isRelayConversation(c, { relayInboxKeys: new Set() })).toBe(false);
    expect(isRelayConversation(c, { relayInboxKeys: new Set(['inb_c']) })).toBe(false);
    expect(isRelayConversation(c, { relayInboxKeys: new Set(['inb_b']) })).toBe(true);
  });

  it('sends items oldest first whatever the input order', () => {
    const c = conversation('cnv_order');
    const late = message('cnv_order', 'sms', { id: 'msg_late', createdAt: T0 + 9e6 });
    const early = message('cnv_order', 'sms', { id: 'msg_early', createdAt: T0 });
    const plan = planConversation(c, [late, early], []);
    expect(plan.items.map((a) => a.frontId)).toStrictEqual(['msg_early', 'msg_late']);
  });
});

describe('request counts', () => {
  it('counts exactly, for both comment modes', () => {
    const { summary } = buildPlan(fixture());
    // SMS: cnv_sms 1 + 2 (MMS split in two) + cnv_mixed 1. Lookups: cnv_email. Posts per comment:
    // cnv_sms 2 + cnv_email 1 + cnv_mixed 1; per conversation: one post each for those three.
    expect(summary.requests).toStrictEqual({
      'per-comment': { smsMessages: 4, emailLookups: 1, commentPosts: 4, total: 9 },
      'per-conversation': { smsMessages: 4, emailLookups: 1, commentPosts: 3, total: 8 },
    });
    expect(summary.estimatedMs).toStrictEqual({ 'per-comment': 1800, 'per-conversation': 1600 });
  });

  it('counts deleted conversations when asked to include them', () => {
    const choices = { ...DEFAULT_PLAN_CHOICES, includeDeleted: true };
    const { summary } = buildPlan(fixture(), choices);
    expect(summary.requests['per-comment']).toStrictEqual({
      smsMessages: 5,
      emailLookups: 1,
      commentPosts: 5,
      total: 11,
    });
  });

  it('counts extra posts for comments too long for one, and packs per conversation', () => {
    const c = conversation('cnv_long');
    const comments = [
      comment('cnv_long', { body: 'word '.repeat(3000) }), // ≈ 15,000 chars: 2 posts in either mode
      comment('cnv_long'),
      comment('cnv_long'),
    ];
    const plan = planConversation(c, [message('cnv_long', 'sms')], comments);
    expect(plan.requests['per-comment'].commentPosts).toBe(4);
    expect(plan.requests['per-conversation'].commentPosts).toBe(3);
    expect(plan.items[1]).toMatchObject({ kind: 'comment', posts: 2, flags: [FLAGS.commentSplit] });
  });

  it('email conversation: every Message-ID is a lookup candidate, the oldest first, then newest first, then parents', () => {
    const c = conversation('cnv_thread');
    const first = message('cnv_thread', 'email', { messageId: '<1@x>' });
    const second = message('cnv_thread', 'email', { messageId: '<2@x>', inReplyTo: '<1@x>' });
    const third = message('cnv_thread', 'email', {
      messageId: '<3@x>',
      inReplyTo: '<2@x>',
      references: ['<0@x>', '<1@x>', '<2@x>'],
    });
    const plan = planConversation(c, [third, first, second], [comment('cnv_thread')]);
    expect(plan.conversation.lookupMessageId).toBe('<1@x>');
    expect(plan.conversation.lookupMessageIds).toStrictEqual(['<1@x>', '<3@x>', '<2@x>', '<0@x>']);
    // The plan counts one lookup, and up to three more if Missive holds only part of the thread.
    expect(plan.requests['per-comment'].emailLookups).toBe(1);
    const { summary } = buildPlan({
      conversations: [c],
      messages: [first, second, third],
      comments: [comment('cnv_thread')],
    });
    expect(summary.emailLookupsIfFirstNotFound).toBe(3);
  });

  it('email conversation without Message-IDs: located through a reply’s In-Reply-To and References', () => {
    const c = conversation('cnv_reply_only');
    const parent = message('cnv_reply_only', 'email', { messageId: null });
    const reply = message('cnv_reply_only', 'email', {
      messageId: null,
      inReplyTo: '<parent@x>',
      references: ['<root@x>', '<parent@x>'],
    });
    const plan = planConversation(c, [parent, reply], [comment('cnv_reply_only')]);
    expect(plan.conversation).toMatchObject({
      status: 'pending',
      commentRoute: 'email',
      lookupMessageId: '<parent@x>',
      lookupMessageIds: ['<parent@x>', '<root@x>'],
    });
    expect(plan.items.at(-1)).toMatchObject({ kind: 'comment', status: 'pending' });
  });

  it('flags conversations with more than 400 SMS and imports them in full', () => {
    const c = conversation('cnv_big');
    const messages = Array.from({ length: 401 }, () => message('cnv_big', 'sms'));
    const { summary, conversations } = buildPlan({ conversations: [c], messages, comments: [] });
    expect(conversations[0]!.conversation.flags).toStrictEqual([FLAGS.over400Sms]);
    expect(summary.over400SmsConversationIds).toStrictEqual(['cnv_big']);
    expect(summary.requests['per-comment'].smsMessages).toBe(401);
    expect(summary.counts.sms).toStrictEqual({ pending: 401, skipped: 0 });
  });

  it('totals counts per kind, status and reason', () => {
    const { summary } = buildPlan(fixture());
    expect(summary.conversations).toBe(8);
    expect(summary.counts).toStrictEqual({
      conversation: { pending: 3, skipped: 5 },
      sms: { pending: 3, skipped: 2 },
      comment: { pending: 4, skipped: 5 },
      email: { pending: 0, skipped: 4 },
      other_message: { pending: 0, skipped: 1 },
    });
    expect(summary.skippedByReason.comment).toStrictEqual({
      [SKIP_REASONS.noMessageId]: 1,
      [SKIP_REASONS.deletedConversation]: 1,
      [SKIP_REASONS.commentOnlyConversation]: 3,
    });
    expect(summary.flagged).toStrictEqual({ [FLAGS.filesSplit]: 1 });
    // cnv_sms and cnv_mixed have comments: one list page plus one read each.
    expect(summary.conversationIdLookupsIfNoBody).toBe(3);
    // cnv_email has two emails: the second is looked up when the first is not in Missive.
    expect(summary.emailLookupsIfFirstNotFound).toBe(1);
  });
});

describe('trial selection', () => {
  it('takes the first 5 conversations with something to send, oldest first', () => {
    const { summary } = buildPlan(fixture(), { ...DEFAULT_PLAN_CHOICES, trialCount: 2 });
    expect(summary.trialConversationIds).toStrictEqual(['cnv_sms', 'cnv_email']);

    const conversations = Array.from({ length: 9 }, (_, i) =>
      conversation(`cnv_t${i}`, { createdAt: T0 + (i % 2 === 0 ? 100 - i : 1000 + i) }),
    );
    const messages = conversations.map((c) => message(c.id, c.id === 'cnv_t8' ? 'email' : 'sms'));
    const trial = buildPlan({ conversations, messages, comments: [] }).summary.trialConversationIds;
    // Even indexes are oldest (t8 first, but it has nothing to send), then the odd ones.
    expect(trial).toStrictEqual(['cnv_t6', 'cnv_t4', 'cnv_t2', 'cnv_t0', 'cnv_t1']);
  });

  it('streams: an accumulator fed in any order agrees with the array plan', () => {
    const input = fixture();
    const reference = buildPlan(input).summary;
    const accumulator = new PlanAccumulator();
    for (const c of [...input.conversations].reverse()) {
      accumulator.add(
        c,
        input.messages.filter((m) => m.conversationId === c.id),
        input.comments.filter((x) => x.conversationId === c.id),
      );
    }
    expect(accumulator.summary()).toStrictEqual(reference);
  });

  it('uses the first item time when the conversation file is missing from the export', () => {
    const messages = [message('cnv_orphan', 'sms', { createdAt: T0 - 5 })];
    const { conversations, summary } = buildPlan({
      conversations: [conversation('cnv_x')],
      messages,
      comments: [],
    });
    expect(conversations[0]!.startedAt).toBe(T0 - 5);
    expect(summary.trialConversationIds).toStrictEqual(['cnv_orphan']);
  });
});

describe('estimateDuration', () => {
  it('bursts the first 900 at 300/min, then 900 per 15 minutes', () => {
    const min = 60_000;
    expect(estimateDuration(0)).toBe(0);
    expect(estimateDuration(1)).toBe(200);
    expect(estimateDuration(300)).toBe(1 * min);
    expect(estimateDuration(900)).toBe(3 * min);
    expect(estimateDuration(901)).toBe(15 * min + 200);
    expect(estimateDuration(3600)).toBe(48 * min);
    expect(estimateDuration(10_000)).toBe(165 * min + 20_000);
  });

  it('scales with compressed limits, and falls back to the burst rate when 15 minutes never bind', () => {
    expect(estimateDuration(901, scaledLimits(0.01))).toBe(9_000 + 2);
    expect(estimateDuration(2000, { ...PUBLISHED_LIMITS, perMinute: 50 })).toBe(40 * 60_000);
  });

  it('formats for people', () => {
    expect(formatDuration(1800)).toBe('2 s');
    expect(formatDuration(48 * 60_000)).toBe('48 min');
    expect(formatDuration(165 * 60_000 + 20_000)).toBe('2 h 45 min');
    expect(formatDuration(120 * 60_000)).toBe('2 h');
  });
});
