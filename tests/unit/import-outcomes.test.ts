import { describe, expect, it } from 'vitest';
import type {
  MissiveFailureKind,
  MissiveResponse,
  RateLimitHeaders,
} from '../../src/adapters/missive-client.ts';
import {
  classifyOutcome,
  conversationIdFromLookup,
  conversationsPage,
  frontConversationOfMessages,
  labelledConversationsPath,
  missiveIdsFromBody,
  newestMessagePath,
} from '../../src/domain/import/outcomes.ts';
import { PENDING_REASONS } from '../../src/domain/import/reasons.ts';

const noRate: RateLimitHeaders = { limit: null, remaining: null, reset: null, retryAfter: null };
const options = { attempt: 0, rng: () => 0.5 };

function ok(status: number, body: unknown): MissiveResponse<unknown> {
  return { ok: true, status, body, rate: noRate };
}

function failure(
  status: number,
  kind: MissiveFailureKind,
  rate: Partial<RateLimitHeaders> = {},
): MissiveResponse<unknown> {
  return { ok: false, status, kind, message: `HTTP ${status}: nope`, rate: { ...noRate, ...rate } };
}

describe('classifyOutcome: success', () => {
  it('POST /messages 201 with no body is done, with no IDs', () => {
    expect(classifyOutcome('sms-message', ok(201, null), options)).toStrictEqual({
      action: 'done',
      ids: { conversationId: null, messageId: null, postId: null },
    });
  });

  it('POST /messages with a body gives the conversation, as an object or a plain ID', () => {
    const nested = ok(201, { messages: { id: 'm1', conversation: { id: 'c1', subject: 's' } } });
    expect(classifyOutcome('sms-message', nested, options)).toStrictEqual({
      action: 'done',
      ids: { conversationId: 'c1', messageId: 'm1', postId: null },
    });
    expect(missiveIdsFromBody('sms-message', { messages: [{ id: 'm2', conversation: 'c2' }] })).toStrictEqual(
      {
        conversationId: 'c2',
        messageId: 'm2',
        postId: null,
      },
    );
    expect(missiveIdsFromBody('sms-message', { unexpected: true })).toStrictEqual({
      conversationId: null,
      messageId: null,
      postId: null,
    });
  });

  it('POST /posts returns the post and its conversation', () => {
    const response = ok(201, { posts: { conversation: 'c9', id: 'p9' } });
    expect(classifyOutcome('comment-post', response, options)).toStrictEqual({
      action: 'done',
      ids: { conversationId: 'c9', messageId: null, postId: 'p9' },
    });
  });

  it('email lookup: found → the conversation; not found → stays pending, never an orphan post', () => {
    const found = ok(200, { messages: [{ id: 'm', conversation: { id: 'c5' } }] });
    expect(classifyOutcome('email-lookup', found, options)).toStrictEqual({
      action: 'done',
      ids: { conversationId: 'c5', messageId: null, postId: null },
    });
    for (const body of [{ messages: [] }, null, { messages: [{ id: 'm' }] }]) {
      expect(classifyOutcome('email-lookup', ok(200, body), options)).toStrictEqual({
        action: 'keep-pending',
        reason: PENDING_REASONS.emailNotInMissive,
      });
    }
    expect(conversationIdFromLookup({ messages: [{ id: 'a' }, { conversation: 'c6' }] })).toBe('c6');
  });
});

describe('classifyOutcome: failures', () => {
  it('429: retry later after Retry-After (real seconds, never rescaled), or 60 s (scaled) when it cannot be read', () => {
    expect(
      classifyOutcome('sms-message', failure(429, 'rate_limited', { retryAfter: 30 }), options),
    ).toStrictEqual({
      action: 'retry-later',
      cause: 'rate_limited',
      delayMs: 30_000,
      reason: 'HTTP 429: nope',
    });
    // A compressed sandbox already sends compressed (fractional) seconds: taken as they are.
    const scaled = { ...options, timeScale: 0.01 };
    expect(
      classifyOutcome('comment-post', failure(429, 'rate_limited', { retryAfter: 0.3 }), scaled),
    ).toMatchObject({
      delayMs: 300,
    });
    expect(classifyOutcome('comment-post', failure(429, 'rate_limited'), scaled)).toMatchObject({
      delayMs: 600,
    });
    expect(classifyOutcome('comment-post', failure(429, 'rate_limited'), options)).toMatchObject({
      action: 'retry-later',
      delayMs: 60_000,
    });
  });

  it('5xx and network errors: retry later with jittered exponential backoff', () => {
    expect(classifyOutcome('sms-message', failure(503, 'server'), options)).toStrictEqual({
      action: 'retry-later',
      cause: 'server',
      delayMs: 750,
      reason: 'HTTP 503: nope',
    });
    expect(classifyOutcome('sms-message', failure(0, 'network'), { ...options, attempt: 3 })).toMatchObject({
      action: 'retry-later',
      cause: 'network',
      delayMs: 6_000,
    });
    expect(classifyOutcome('sms-message', failure(408, 'client'), options)).toMatchObject({
      action: 'retry-later',
      cause: 'network',
    });
  });

  it('other 4xx: the item fails with Missive’s error text', () => {
    for (const [status, kind] of [
      [400, 'client'],
      [403, 'forbidden'],
      [404, 'client'],
      [422, 'client'],
    ] as const) {
      expect(classifyOutcome('comment-post', failure(status, kind), options)).toStrictEqual({
        action: 'fail-item',
        reason: `HTTP ${status}: nope`,
      });
    }
  });

  it('413: the item is too large', () => {
    expect(classifyOutcome('sms-message', failure(413, 'too_large'), options)).toStrictEqual({
      action: 'fail-item-too-large',
      reason: 'HTTP 413: nope',
    });
  });

  it('401: pause and ask for a token', () => {
    expect(classifyOutcome('email-lookup', failure(401, 'unauthorized'), options)).toStrictEqual({
      action: 'pause-for-token',
      reason: 'HTTP 401: nope',
    });
  });

  it('CORS: stop cleanly, the item stays pending', () => {
    expect(classifyOutcome('sms-message', failure(0, 'cors'), options)).toStrictEqual({
      action: 'stop-blocked',
      reason: PENDING_REASONS.blockedByBrowser,
    });
  });
});

describe('finding the Missive conversation when POST /messages answered without a body', () => {
  it('pages the conversations carrying the import label', () => {
    expect(labelledConversationsPath('lab-1', null)).toBe('/conversations?shared_label=lab-1&limit=50');
    expect(labelledConversationsPath('lab-1', 1701300000)).toBe(
      '/conversations?shared_label=lab-1&limit=50&until=1701300000',
    );
    const full = {
      conversations: Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, last_activity_at: 1000 - i })),
    };
    expect(conversationsPage(full)).toMatchObject({ nextUntil: 951 });
    expect(conversationsPage(full).ids).toHaveLength(50);
    expect(conversationsPage({ conversations: [{ id: 'c1', last_activity_at: 5 }] })).toStrictEqual({
      ids: ['c1'],
      nextUntil: null,
    });
    expect(conversationsPage(null)).toStrictEqual({ ids: [], nextUntil: null });
  });

  it('tells the Front conversation from the newest message’s reference or external_id', () => {
    expect(newestMessagePath('c 1')).toBe('/conversations/c%201/messages?limit=1');
    const ledger = (id: string) => (id === 'msg_7' ? 'cnv_seven' : null);
    expect(frontConversationOfMessages({ messages: [{ references: ['front-cnv_3b9xk2'] }] }, ledger)).toBe(
      'cnv_3b9xk2',
    );
    expect(
      frontConversationOfMessages({ messages: [{ references: [], external_id: 'msg_7:part-2' }] }, ledger),
    ).toBe('cnv_seven');
    expect(frontConversationOfMessages({ messages: [{ external_id: 'other' }] }, ledger)).toBeNull();
    expect(frontConversationOfMessages({}, ledger)).toBeNull();
  });
});
