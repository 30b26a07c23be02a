/**
 * What an answer from Missive means for the item that was sent, and how the engine learns the
 * Missive conversation of each Front conversation.
 *
 * ## Learning the Missive conversation ID
 *
 * The ID is needed only to post comments (`POST /posts` with `conversation`). SMS never need it:
 * every SMS carries `references: ["front-<cnv_id>"]` until the ID is known, and Missive documents
 * that a message with `references: ["X"]` appends to the conversation holding a message with
 * `references: ["X"]` (the first SMS carries it).
 *
 * 1. `POST /messages` answers with a body (`{messages:{…, conversation}}`, shape undocumented, read
 *    defensively by {@link missiveIdsFromBody}): the engine stores the conversation ID in the
 *    ledger for that Front conversation. Later SMS use `conversation`, posts use it too.
 * 2. `POST /messages` answers 201 with no body (documented as possible): the SMS is done (judge by
 *    status, not body). Later SMS keep threading by `references`. For comment posts the engine
 *    resolves the ID through documented reads only, after that conversation's SMS are all in:
 *    - `GET /conversations?shared_label=<import label>&limit=50` (paged with `until`) lists the
 *      conversations the import created: every SMS carries `add_shared_labels` with the import's
 *      label, so the plan step must always set one (create "Imported from Front" when the user
 *      picks none);
 *    - for each listed conversation not yet matched, `GET /conversations/<id>/messages?limit=1`
 *      returns its newest message, whose `references` (`front-<cnv_id>`) or `external_id` (a Front
 *      message ID the ledger maps to its conversation) names the Front conversation
 *      ({@link frontConversationOfMessages}).
 *    Cost: one list page per 50 imported SMS conversations plus one read per SMS conversation
 *    with comments (the plan reports it as `conversationIdLookupsIfNoBody`). Until resolved, the
 *    comments stay pending with `PENDING_REASONS.smsConversationUnknown`.
 *
 * Rejected alternatives: post `references` are documented to match only email `Message-ID` /
 * `References` headers, and "no match" creates an orphan conversation, so a post must never rely
 * on `front-<cnv_id>`; `GET /messages?email_message_id=` is documented for email Message-IDs only;
 * creating the conversation with a post first (posts do return the conversation ID) would make the
 * SMS join a conversation that does not belong to the custom channel (undocumented behaviour).
 *
 * Open questions (verify on a real account): whether `POST /messages` ever returns a body, and
 * its shape; whether post `references` also match custom-channel `references` (if so, step 2
 * would need no reads); where SMS past 400 per conversation go (a split conversation may be listed
 * twice for one Front conversation: the newest one is used).
 */
import type { MissiveResponse } from '../../adapters/missive-client.ts';
import { backoffDelay, UNREADABLE_RETRY_AFTER_MS } from './rate-scheduler.ts';
import { PENDING_REASONS } from './reasons.ts';

/** The three requests the import makes per item. */
export type ImportRequest = 'sms-message' | 'comment-post' | 'email-lookup';

export interface MissiveIds {
  conversationId: string | null;
  messageId: string | null;
  postId: string | null;
}

export type RetryCause = 'rate_limited' | 'server' | 'network';

export type Outcome =
  /** 2xx: write "done" to the ledger (with whatever IDs came back) and never send it again. */
  | { action: 'done'; ids: MissiveIds }
  /** Not an error, not done: e.g. the email is not in Missive yet; a later run tries again. */
  | { action: 'keep-pending'; reason: string }
  /** 429, 5xx, network: send again after `delayMs` (for 429 the scheduler also holds everyone). */
  | { action: 'retry-later'; cause: RetryCause; delayMs: number; reason: string }
  /** Other 4xx: this item fails with Missive's error text; the run goes on. */
  | { action: 'fail-item'; reason: string }
  /** 413: this item is too large for Missive; the run goes on. */
  | { action: 'fail-item-too-large'; reason: string }
  /** 401: the token is wrong or revoked; pause the run and ask for a new one. */
  | { action: 'pause-for-token'; reason: string }
  /** The browser blocked the request (CORS): stop cleanly, item left pending, offer the forwarder. */
  | { action: 'stop-blocked'; reason: string };

export interface ClassifyOptions {
  /** Retries already made for this item (0 on the first failure). */
  attempt: number;
  rng: () => number;
  timeScale?: number;
}

const NO_IDS: MissiveIds = { conversationId: null, messageId: null, postId: null };

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A conversation given as `"id"` or as `{id: "id", …}` (both shapes appear in Missive's docs). */
function conversationIdOf(value: unknown): string | null {
  return text(value) ?? text(record(value)?.id);
}

/** The resource object under `key`, whether Missive wraps it as an object or a one-item array. */
function resource(body: unknown, key: string): Record<string, unknown> | null {
  const wrapped = record(body)?.[key];
  return record(Array.isArray(wrapped) ? wrapped[0] : wrapped);
}

/** IDs from a `{messages:{…}}` or `{posts:{…}}` answer; all null when there is none. */
export function missiveIdsFromBody(request: ImportRequest, body: unknown): MissiveIds {
  if (request === 'comment-post') {
    const post = resource(body, 'posts');
    return { conversationId: conversationIdOf(post?.conversation), messageId: null, postId: text(post?.id) };
  }
  const message = resource(body, 'messages');
  return {
    conversationId: conversationIdOf(message?.conversation),
    messageId: text(message?.id),
    postId: null,
  };
}

/** Missive's conversation for an email found by `GET /messages?email_message_id=`, if any. */
export function conversationIdFromLookup(body: unknown): string | null {
  const messages = record(body)?.messages;
  if (!Array.isArray(messages)) return null;
  for (const message of messages) {
    const id = conversationIdOf(record(message)?.conversation);
    if (id) return id;
  }
  return null;
}

function retryDelay(
  cause: RetryCause,
  response: { rate: { retryAfter: number | null } },
  options: ClassifyOptions,
) {
  const scale = options.timeScale ?? 1;
  if (cause === 'rate_limited') {
    const retryAfter = response.rate.retryAfter;
    // Retry-After is the server's real-time statement: honoured as-is, whatever the time scale.
    return retryAfter !== null && retryAfter >= 0 ? retryAfter * 1000 : UNREADABLE_RETRY_AFTER_MS * scale;
  }
  return backoffDelay(options.attempt, options.rng, scale);
}

/**
 * The outcome of one request. Success is judged by status, never by body: `POST /messages` may
 * answer 201 with or without a body, and both are done.
 */
export function classifyOutcome(
  request: ImportRequest,
  response: MissiveResponse<unknown>,
  options: ClassifyOptions,
): Outcome {
  if (response.ok) {
    if (request !== 'email-lookup')
      return { action: 'done', ids: missiveIdsFromBody(request, response.body) };
    const conversationId = conversationIdFromLookup(response.body);
    return conversationId
      ? { action: 'done', ids: { ...NO_IDS, conversationId } }
      : { action: 'keep-pending', reason: PENDING_REASONS.emailNotInMissive };
  }
  const retry = (cause: RetryCause): Outcome => ({
    action: 'retry-later',
    cause,
    delayMs: retryDelay(cause, response, options),
    reason: response.message,
  });
  switch (response.kind) {
    case 'unauthorized':
      return { action: 'pause-for-token', reason: response.message };
    case 'rate_limited':
      return retry('rate_limited');
    case 'server':
      return retry('server');
    case 'network':
      return retry('network');
    case 'cors':
      return { action: 'stop-blocked', reason: PENDING_REASONS.blockedByBrowser };
    case 'too_large':
      return { action: 'fail-item-too-large', reason: response.message };
    case 'forbidden':
    case 'client':
      // 408 (request timeout) says nothing about the item: retry it like a network error.
      return response.status === 408 ? retry('network') : { action: 'fail-item', reason: response.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Resolving the conversation ID when POST /messages answers without a body (step 2 above)
// ---------------------------------------------------------------------------------------------

/**
 * The `limit` asked of `GET /conversations` (its maximum; the default is 25). A page may still hold
 * more, when several conversations share its oldest `last_activity_at`.
 */
export const CONVERSATION_LIST_PAGE_SIZE = 50;

/**
 * The conversations carrying the import's shared label, newest `last_activity_at` first; `until`
 * is the oldest `last_activity_at` of the previous page, Unix seconds, passed back as Missive gave it.
 */
export function labelledConversationsPath(sharedLabelId: string, until: number | null): string {
  const params = new URLSearchParams({
    shared_label: sharedLabelId,
    limit: String(CONVERSATION_LIST_PAGE_SIZE),
  });
  if (until !== null) params.set('until', String(until));
  return `/conversations?${params.toString()}`;
}

/**
 * Conversation IDs of one page, and the `until` for the next page (null after the last): the
 * page's oldest `last_activity_at`. A page shorter than the limit is the last one.
 */
export function conversationsPage(body: unknown): { ids: string[]; nextUntil: number | null } {
  const list = record(body)?.conversations;
  if (!Array.isArray(list)) return { ids: [], nextUntil: null };
  const ids: string[] = [];
  let oldest = Infinity;
  for (const item of list) {
    const conversation = record(item);
    const id = text(conversation?.id);
    if (!id) continue;
    ids.push(id);
    const at = conversation?.last_activity_at;
    if (typeof at === 'number') oldest = Math.min(oldest, at);
  }
  const more = ids.length >= CONVERSATION_LIST_PAGE_SIZE && Number.isFinite(oldest);
  return { ids, nextUntil: more ? oldest : null };
}

/** The newest message of a conversation: enough to tell which Front conversation it holds. */
export function newestMessagePath(missiveConversationId: string): string {
  return `/conversations/${encodeURIComponent(missiveConversationId)}/messages?limit=1`;
}

/**
 * Which Front conversation a Missive conversation's messages came from: a `front-<cnv_id>`
 * reference, else an `external_id` the ledger knows (`msg_…` or `msg_…:part-n`).
 */
export function frontConversationOfMessages(
  body: unknown,
  frontConversationOfMessage: (frontMessageId: string) => string | null,
): string | null {
  const messages = record(body)?.messages;
  if (!Array.isArray(messages)) return null;
  for (const item of messages) {
    const message = record(item);
    const references = Array.isArray(message?.references) ? message.references : [];
    for (const reference of references) {
      const match = typeof reference === 'string' ? /^front-(cnv_\w+)$/.exec(reference) : null;
      if (match) return match[1]!;
    }
    const externalId = text(message?.external_id);
    const owner = externalId ? frontConversationOfMessage(externalId.replace(/:part-\d+$/, '')) : null;
    if (owner) return owner;
  }
  return null;
}
