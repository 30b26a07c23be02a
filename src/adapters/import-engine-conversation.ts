/**
 * The import of one Front conversation, in order: first whatever was left in flight (checked with
 * Missive before anything is sent again), then its SMS oldest first (the first one opens the Missive
 * conversation, the others join it), then its comments as posts once the Missive conversation is known.
 *
 * Conversations run in parallel; inside one, requests go one after the other.
 */
import {
  commentPostPayloads,
  emailLookupPath,
  planSmsParts,
  smsMessagePayload,
  type EncodedFile,
  type ImportTarget,
  type PostsRequestBody,
  type ReopenReading,
  type SmsPart,
} from '../domain/import/missive-payloads.ts';
import {
  classifyOutcome,
  conversationIdFromLookup,
  type ImportRequest,
  type MissiveIds,
} from '../domain/import/outcomes.ts';
import {
  MISSIVE_MESSAGES_PER_CONVERSATION,
  planConversation,
  type ConversationPlan,
  type PlanChoices,
} from '../domain/import/plan.ts';
import type { SchedulerClock } from '../domain/import/rate-scheduler.ts';
import { PENDING_REASONS } from '../domain/import/reasons.ts';
import { unixSeconds } from '../domain/import/text.ts';
import type { AttachmentInfo, Comment, Conversation, EntryRef, Message } from '../domain/model.ts';
import type { Requester } from './import-engine-requests.ts';
import { ConversationResolver, missiveWebUrl } from './import-engine-resolve.ts';
import {
  commentFooter,
  findPostInConversation,
  findSmsInConversation,
  type Check,
} from './import-engine-verify.ts';
import {
  conversationStatusOf,
  type Attempt,
  type Ledger,
  type LedgerConversation,
  type LedgerItem,
} from './ledger.ts';
import { readConversation, type ExportReader } from './import-engine-export.ts';

/** Sends of one item that end in a 5xx or a dropped connection, each checked, before it fails. */
export const MAX_WRITE_ATTEMPTS = 8;

/** Bytes of an attachment from the export files dropped in this tab, or null when not at hand. */
export type ReadFile = (ref: EntryRef) => Promise<Uint8Array | null>;

/** What a conversation tells the run as it goes. */
export interface RunEvents {
  /** A planned request reached its end (imported or failed): one less to make. */
  requestSettled(): void;
  /** These export files must be dropped again for the pictures of a pending SMS. */
  filesNeeded(names: string[]): void;
  /** Something changed worth showing. */
  changed(): void;
}

export interface RunContext {
  ledger: Ledger;
  store: ExportReader;
  requester: Requester;
  resolver: ConversationResolver;
  target: ImportTarget;
  choices: PlanChoices;
  readFile: ReadFile;
  clock: SchedulerClock;
  /** Wall clock (Unix ms), recorded with each attempt. */
  epochNow: () => number;
  events: RunEvents;
  reopen: ReopenKnowledge;
}

/**
 * How a post treats a closed conversation on this account (see {@link ReopenReading}): null until
 * observed; `observe` stores what a probe saw with the import. Shared by all lanes of a run.
 */
export interface ReopenKnowledge {
  reading: ReopenReading | null;
  /** True once a lane has started the probe: the others do not probe too. */
  probing: boolean;
  /** Front conversations whose comments wait for the reading: tried again once it is observed. */
  waiting: Set<string>;
  observe(reading: ReopenReading, missiveConversationId: string): Promise<void>;
}

/** Whether anyone has the conversation closed, from `GET /conversations/:id` (per-user `closed`). */
export function conversationClosed(body: unknown): boolean | null {
  const conversations = record(body)?.conversations;
  const conversation = record(Array.isArray(conversations) ? conversations[0] : conversations);
  const users = conversation?.users;
  if (!Array.isArray(users)) return null;
  return users.some((user) => record(user)?.closed === true);
}

/**
 * - `complete`: nothing more to do for it in this run (some items may stay pending, with a reason);
 * - `deferred`: it needs its Missive conversation ID, found by the resolver's next pass;
 * - `stopped`: the run is pausing or stopping.
 */
export type TaskResult = 'complete' | 'deferred' | 'stopped';

/** Internal step result: go on, or end the conversation's turn with this result. */
type Step = 'continue' | TaskResult;

type WriteResult =
  | { kind: 'done'; ids: MissiveIds }
  | { kind: 'failed' }
  | { kind: 'held' }
  | { kind: 'deferred' }
  | { kind: 'stopped' };

function randomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}

/** Base64 of file bytes, in chunks (a spread of millions of arguments would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

function sourceName(ref: EntryRef): string {
  return ref.source.split('|')[0] ?? ref.source;
}

/** Which chunk of its comment a post carries (1 unless the comment was split over several posts). */
function partOfPost(post: PostsRequestBody): number {
  const footer = post.posts.attachments[0]?.footer ?? '';
  const match = /, part (\d+) of \d+$/.exec(footer);
  return match ? Number(match[1]) : 1;
}

export class ConversationTask {
  readonly #ctx: RunContext;
  readonly #id: string;
  #row!: LedgerConversation;
  #conversation!: Conversation;
  #messages = new Map<string, Message>();
  #comments = new Map<string, Comment>();
  #items = new Map<string, LedgerItem>();
  /** The last SMS part waits for the comments: a post may change the state, it closes again. */
  #lastSmsHeld = false;

  constructor(ctx: RunContext, frontConversationId: string) {
    this.#ctx = ctx;
    this.#id = frontConversationId;
  }

  async run(): Promise<TaskResult> {
    const { ledger, store, choices } = this.#ctx;
    const [row, { conversation, messages, comments }, items] = await Promise.all([
      ledger.getConversation(this.#id),
      readConversation(store, this.#id),
      ledger.itemsOf(this.#id),
    ]);
    if (!row) return 'complete';
    this.#row = row;
    this.#conversation = conversation;
    this.#messages = new Map(messages.map((m) => [m.id, m]));
    this.#comments = new Map(comments.map((c) => [c.id, c]));
    this.#items = new Map(items.map((i) => [i.frontId, i]));
    const plan = planConversation(this.#conversation, messages, comments, choices);

    // Unknown reading, "keep closed": the last SMS waits until the comments are in, so whatever a
    // post does to this closed conversation the import created, the last SMS (with `close`) ends it
    // closed; the first such post is the probe.
    const holdLastSms =
      this.#ctx.reopen.reading === null &&
      this.#ctx.target.placement === 'closed' &&
      this.#hasPendingComments(plan);
    for (const step of [() => this.#settleInFlight(plan), () => this.#sendSms(plan, holdLastSms)]) {
      const result = await step();
      if (result !== 'continue') {
        await this.#finish(plan);
        return result;
      }
    }
    const posted = await this.#sendComments(plan);
    // Comments that wait ('complete') do not keep the held SMS back: it goes, and closes.
    const rest = posted === 'stopped' || posted === 'deferred' ? posted : await this.#sendSms(plan, false);
    await this.#finish(plan);
    if (rest !== 'continue') return rest;
    return posted === 'continue' ? 'complete' : posted;
  }

  // ---- Items left in flight ----------------------------------------------------------------------

  /** Items found in flight (a closed tab, an answer lost): asked of Missive before anything else. */
  async #settleInFlight(plan: ConversationPlan): Promise<Step> {
    for (const action of plan.items) {
      const item = this.#items.get(action.frontId);
      if (item?.status !== 'in_flight' || !item.attempt) continue;
      if (item.attempt.unknown) return 'complete'; // waits for the user's choice; order is kept
      const carried = this.#carried(item.attempt);
      const check = await this.#check(item, item.attempt);
      switch (check.kind) {
        case 'stored':
          await this.#markSent(carried, item.attempt.part, {
            conversationId: this.#row.missiveConversationId,
            messageId: check.messageId,
            postId: check.postId,
          });
          break;
        case 'not-stored':
          await this.#update(carried, () => ({ status: 'pending', attempt: null, reason: null }));
          break;
        case 'unknown':
          await this.#markUnknown(carried, item.attempt);
          return 'complete';
        case 'deferred':
          return 'deferred';
        case 'stopped':
          return 'stopped';
      }
    }
    return 'continue';
  }

  #carried(attempt: Attempt): LedgerItem[] {
    return attempt.carriedIds
      .map((id) => this.#items.get(id))
      .filter((item): item is LedgerItem => item !== undefined && item.status === 'in_flight');
  }

  async #check(item: LedgerItem, attempt: Attempt): Promise<Check | { kind: 'deferred' }> {
    if (attempt.request === 'sms-message') {
      const message = this.#messages.get(item.frontId);
      const part = message ? planSmsParts(message, this.#conversation).parts[attempt.part - 1] : undefined;
      if (!message || !part) return { kind: 'unknown', reason: 'the SMS is no longer in the export' };
      return this.#checkSms(message, part, attempt.sentAt);
    }
    const conversationId = this.#row.missiveConversationId;
    if (!conversationId) return { kind: 'unknown', reason: 'the Missive conversation is not known' };
    const footer = commentFooter(attempt.carriedIds[0] ?? item.frontId, attempt.part, item.parts);
    return findPostInConversation(
      this.#ctx.requester,
      conversationId,
      { footer, markdown: null },
      attempt.sentAt,
    );
  }

  async #checkSms(message: Message, part: SmsPart, sentAtMs: number): Promise<Check | { kind: 'deferred' }> {
    let conversationId = this.#row.missiveConversationId;
    if (!conversationId) {
      const found = this.#ctx.resolver.result(this.#id);
      if (!found) return { kind: 'deferred' };
      if (found.kind === 'absent') return { kind: 'not-stored' };
      if (found.kind === 'unavailable') return { kind: 'unknown', reason: found.message };
      conversationId = found.missiveConversationId;
      await this.#setMissiveConversation(conversationId, null);
    }
    const check = await findSmsInConversation(
      this.#ctx.requester,
      conversationId,
      part.externalId,
      unixSeconds(message.createdAt),
      sentAtMs,
    );
    // Near Missive's 400-message cap the SMS may have started a new conversation: not provable.
    if (check.kind === 'not-stored' && this.#row.smsSent >= MISSIVE_MESSAGES_PER_CONVERSATION - 1) {
      return {
        kind: 'unknown',
        reason: 'near the 400-message cap, Missive may have started a new conversation',
      };
    }
    return check;
  }

  // ---- SMS -------------------------------------------------------------------------------------

  #hasPendingComments(plan: ConversationPlan): boolean {
    return plan.items.some(
      (action) => action.kind === 'comment' && this.#items.get(action.frontId)?.status === 'pending',
    );
  }

  /** SMS parts still to send, in order. */
  #pendingSmsParts(plan: ConversationPlan): { message: Message; part: SmsPart }[] {
    const parts: { message: Message; part: SmsPart }[] = [];
    for (const action of plan.items) {
      if (action.kind !== 'sms') continue;
      const item = this.#items.get(action.frontId);
      const message = this.#messages.get(action.frontId);
      if (item?.status !== 'pending' || !message) continue;
      for (const part of planSmsParts(message, this.#conversation).parts.slice(item.partsDone)) {
        parts.push({ message, part });
      }
    }
    return parts;
  }

  /** Sends the pending SMS in order; `holdLast` keeps the last part back (see run()). */
  async #sendSms(plan: ConversationPlan, holdLast: boolean): Promise<Step> {
    const parts = this.#pendingSmsParts(plan);
    // Held only when the conversation exists without it (a post needs somewhere to go).
    this.#lastSmsHeld = holdLast && parts.length > 0 && this.#row.smsSent + parts.length > 1;
    for (const { message, part } of this.#lastSmsHeld ? parts.slice(0, -1) : parts) {
      if (this.#items.get(message.id)?.status !== 'pending') continue; // failed on an earlier part
      const step = await this.#sendSmsPart(message, part);
      if (step !== 'continue') return step;
    }
    return 'continue';
  }

  async #sendSmsPart(message: Message, part: SmsPart): Promise<Step> {
    const files = await this.#encodeFiles(part.attachments);
    if (!files) {
      const item = this.#items.get(message.id)!;
      await this.#update([item], () => ({ reason: PENDING_REASONS.filesNotAvailable }));
      return 'complete'; // later SMS wait: they must arrive after this one
    }
    const body = smsMessagePayload(
      message,
      this.#conversation,
      {
        ...this.#ctx.target,
        thread: {
          missiveConversationId: this.#row.missiveConversationId,
          firstOfConversation: this.#row.smsSent === 0,
        },
      },
      { part, files },
    );
    this.#ctx.resolver.forget(this.#id);
    const result = await this.#write(
      'sms-message',
      [this.#items.get(message.id)!],
      part.index,
      '/messages',
      body,
    );
    return this.#stepAfter(result);
  }

  async #encodeFiles(files: readonly AttachmentInfo[]): Promise<EncodedFile[] | null> {
    const encoded: EncodedFile[] = [];
    const missing = new Set<string>();
    for (const file of files) {
      const bytes = file.ref ? await this.#ctx.readFile(file.ref) : null;
      if (!bytes) {
        if (file.ref) missing.add(sourceName(file.ref));
        continue;
      }
      encoded.push({ filename: file.filename, base64: bytesToBase64(bytes) });
    }
    if (missing.size === 0) return encoded;
    this.#ctx.events.filesNeeded([...missing]);
    return null;
  }

  // ---- Comments ----------------------------------------------------------------------------------

  async #sendComments(plan: ConversationPlan): Promise<Step> {
    const pending = plan.items
      .filter((action) => action.kind === 'comment' && this.#items.get(action.frontId)?.status === 'pending')
      .map((action) => this.#comments.get(action.frontId))
      .filter((comment): comment is Comment => comment !== undefined);
    if (pending.length === 0) return 'continue';
    const located = await this.#locate(pending, plan);
    if (located !== 'continue') return located;
    const { organization } = this.#ctx.target;
    const conversationId = this.#row.missiveConversationId!;
    const probing = this.#ctx.reopen.reading === null && this.#lastSmsHeld && !this.#ctx.reopen.probing;
    if (probing) this.#ctx.reopen.probing = true;
    try {
      if (!probing && this.#ctx.reopen.reading === null) {
        const gate = await this.#openBeforeReadingKnown(conversationId, pending);
        if (gate !== 'continue') return gate;
      }
      let probePending = probing;
      for (const post of commentPostPayloads(
        pending,
        { missiveConversationId: conversationId },
        {
          organization,
          reopen: probePending || this.#ctx.reopen.reading === 'flag-keeps-closed',
          commentMode: this.#ctx.choices.commentMode,
        },
      )) {
        const reading = this.#ctx.reopen.reading;
        // The payloads were built before the probe: the flag follows what it observed.
        if (!probePending && reading === 'flag-keeps-closed') post.body.posts.reopen = true;
        if (!probePending && reading === 'flag-reopens') delete post.body.posts.reopen;
        const carried = post.commentIds.map((id) => this.#items.get(id)!);
        const part = partOfPost(post.body);
        if (carried.some((item) => item.status !== 'pending' || part <= item.partsDone)) continue;
        const result = await this.#write('comment-post', carried, part, '/posts', post.body);
        if (probePending && result.kind === 'done') {
          probePending = false;
          const observed = await this.#observeReopen(conversationId);
          if (observed !== 'continue') return observed;
        }
        const step = this.#stepAfter(result);
        if (step !== 'continue') return step;
      }
      return 'continue';
    } finally {
      if (probing && this.#ctx.reopen.reading === null) this.#ctx.reopen.probing = false;
    }
  }

  /**
   * The probe: a post with `reopen: true` went into this conversation the import created and
   * closed (its last SMS, with `close`, is still to come). Still closed: the flag keeps it closed
   * (the attribute note); open: the flag reopens (the action table).
   */
  async #observeReopen(conversationId: string): Promise<Step> {
    const read = await this.#ctx.requester.read(`/conversations/${encodeURIComponent(conversationId)}`);
    if (!read.ok) return read.why === 'stopped' ? 'stopped' : 'continue';
    const closed = conversationClosed(read.body);
    if (closed === null) return 'continue';
    const reading: ReopenReading = closed ? 'flag-keeps-closed' : 'flag-reopens';
    this.#ctx.reopen.reading = reading;
    await this.#ctx.reopen.observe(reading, conversationId);
    return 'continue';
  }

  /**
   * Before the reading is known a post goes only into an open conversation (a plain post leaves an
   * open one open under both readings); a closed one waits for the probe.
   */
  async #openBeforeReadingKnown(conversationId: string, pending: readonly Comment[]): Promise<Step> {
    const items = pending.map((c) => this.#items.get(c.id)!);
    const read = await this.#ctx.requester.read(`/conversations/${encodeURIComponent(conversationId)}`);
    if (!read.ok) {
      if (read.why === 'stopped') return 'stopped';
      await this.#update(items, () => ({
        reason: `${PENDING_REASONS.conversationStateUnreadable}: ${read.message}`,
      }));
      return 'complete';
    }
    const closed = conversationClosed(read.body);
    if (closed === false) return 'continue';
    if (closed) this.#ctx.reopen.waiting.add(this.#id);
    await this.#update(items, () => ({
      reason:
        closed === null
          ? PENDING_REASONS.conversationStateUnreadable
          : PENDING_REASONS.closedBeforeReopenKnown,
    }));
    return 'complete';
  }

  /** Makes sure the Missive conversation of the comments is known; otherwise they wait, with why. */
  async #locate(pending: readonly Comment[], plan: ConversationPlan): Promise<Step> {
    if (this.#row.missiveConversationId) return 'continue';
    const items = pending.map((c) => this.#items.get(c.id)!);
    if (this.#row.commentRoute === 'email' && this.#row.lookupMessageId) {
      return this.#locateEmail(items, plan.conversation.lookupMessageIds);
    }
    if (this.#row.smsSent === 0) {
      await this.#update(items, () => ({ reason: PENDING_REASONS.smsNotInMissive }));
      return 'complete';
    }
    const found = this.#ctx.resolver.result(this.#id);
    if (!found) return 'deferred';
    if (found.kind !== 'found') {
      const detail = found.kind === 'unavailable' ? ` (${found.message})` : '';
      await this.#update(items, () => ({ reason: PENDING_REASONS.smsConversationUnknown + detail }));
      return 'complete';
    }
    await this.#setMissiveConversation(found.missiveConversationId, null);
    return 'continue';
  }

  /**
   * Finds the email conversation by each of its Message-IDs in turn (the ledger's first, then the
   * plan's others): Missive often holds only part of a thread. The comments wait only when none is in.
   */
  async #locateEmail(items: LedgerItem[], planned: readonly string[]): Promise<Step> {
    const first = this.#row.lookupMessageId!;
    for (const messageId of [first, ...planned.filter((id) => id !== first)]) {
      const lookup = await this.#ctx.requester.read(emailLookupPath(messageId));
      if (!lookup.ok) {
        if (lookup.why === 'stopped') return 'stopped';
        await this.#update(items, () => ({ reason: `the email lookup failed: ${lookup.message}` }));
        return 'complete';
      }
      const conversationId = conversationIdFromLookup(lookup.body);
      if (conversationId) {
        await this.#setMissiveConversation(conversationId, webUrlFromBody(lookup.body));
        return 'continue';
      }
    }
    await this.#update(items, () => ({ reason: PENDING_REASONS.emailNotInMissive }));
    return 'complete';
  }

  // ---- One write ---------------------------------------------------------------------------------

  /**
   * Sends one write until it is settled: in flight in the ledger before it leaves; done (strict)
   * after a 2xx; a 429 waits (not processed: sent again); a 5xx or a lost connection is checked with
   * Missive before it is sent again; another 4xx fails the item; a 401 or CORS stops the run.
   */
  async #write(
    request: Exclude<ImportRequest, 'email-lookup'>,
    items: LedgerItem[],
    part: number,
    path: string,
    body: unknown,
  ): Promise<WriteResult> {
    const { requester, epochNow, clock } = this.#ctx;
    let carried = items;
    for (let failures = 0; ;) {
      const attempt: Attempt = {
        id: randomId(),
        request,
        part,
        carriedIds: carried.map((item) => item.frontId),
        sentAt: 0,
        unknown: false,
      };
      const sent = await requester.send('POST', path, body, async () => {
        attempt.sentAt = epochNow();
        carried = await this.#update(carried, () => ({ status: 'in_flight', attempt, reason: null }));
      });
      if (!sent.sent) return { kind: 'stopped' };
      const outcome = classifyOutcome(request, sent.response, {
        attempt: failures,
        rng: requester.rng,
        timeScale: requester.timeScale,
      });
      switch (outcome.action) {
        case 'done':
          await this.#markSent(
            carried,
            part,
            outcome.ids,
            sent.response.ok ? webUrlFromBody(sent.response.body) : null,
          );
          return { kind: 'done', ids: outcome.ids };
        case 'retry-later': {
          if (outcome.cause === 'rate_limited') {
            // Not processed: back to pending while the scheduler holds everything.
            carried = await this.#update(carried, () => ({ status: 'pending', attempt: null }));
            continue;
          }
          failures++;
          try {
            await clock.sleep(outcome.delayMs, requester.signal);
          } catch {
            return { kind: 'stopped' }; // still in flight: checked on resume
          }
          const check = await this.#check(carried[0]!, attempt);
          if (check.kind === 'stored') {
            await this.#markSent(carried, part, {
              conversationId: this.#row.missiveConversationId,
              messageId: check.messageId,
              postId: check.postId,
            });
            return {
              kind: 'done',
              ids: { conversationId: null, messageId: check.messageId, postId: check.postId },
            };
          }
          if (check.kind === 'not-stored') {
            if (failures >= MAX_WRITE_ATTEMPTS) {
              await this.#markFailed(carried, `gave up after ${failures} attempts: ${outcome.reason}`);
              return { kind: 'failed' };
            }
            carried = await this.#update(carried, () => ({ status: 'pending', attempt: null }));
            continue;
          }
          if (check.kind === 'unknown') {
            await this.#markUnknown(carried, attempt);
            return { kind: 'held' };
          }
          return { kind: check.kind };
        }
        case 'fail-item':
        case 'fail-item-too-large':
          await this.#markFailed(carried, outcome.reason);
          return { kind: 'failed' };
        case 'keep-pending':
          await this.#update(carried, () => ({ status: 'pending', attempt: null, reason: outcome.reason }));
          return { kind: 'held' };
        case 'pause-for-token':
        case 'stop-blocked':
          // Refused before being processed: nothing is in Missive.
          await this.#update(carried, () => ({ status: 'pending', attempt: null }));
          requester.stop(outcome.action === 'pause-for-token' ? 'needs-token' : 'blocked', outcome.reason);
          return { kind: 'stopped' };
      }
    }
  }

  #stepAfter(result: WriteResult): Step {
    switch (result.kind) {
      case 'done':
      case 'failed':
        return 'continue';
      case 'held':
        return 'complete';
      default:
        return result.kind;
    }
  }

  // ---- Ledger writes -----------------------------------------------------------------------------

  async #update(
    items: readonly LedgerItem[],
    change: (item: LedgerItem) => Partial<LedgerItem>,
    options: { strict?: boolean; conversation?: LedgerConversation } = {},
  ): Promise<LedgerItem[]> {
    const next = await this.#ctx.ledger.updateItems(items, change, options);
    for (const item of next) this.#items.set(item.frontId, item);
    if (options.conversation) this.#row = options.conversation;
    this.#ctx.events.changed();
    return next;
  }

  /** The 2xx, written durably with what Missive told (and the conversation's new state) at once. */
  async #markSent(
    items: readonly LedgerItem[],
    part: number,
    ids: MissiveIds,
    webUrl: string | null = null,
  ): Promise<void> {
    const row = this.#row;
    const isSms = items[0]?.kind === 'sms';
    const smsDone = isSms && items.some((item) => part >= item.parts);
    const conversationId = ids.conversationId ?? row.missiveConversationId;
    const conversation: LedgerConversation = {
      ...row,
      missiveConversationId: conversationId,
      webUrl: webUrl ?? row.webUrl ?? (conversationId ? missiveWebUrl(conversationId) : null),
      smsSent: row.smsSent + (smsDone ? 1 : 0),
    };
    await this.#update(
      items,
      (item) => ({
        status: part >= item.parts ? 'done' : 'pending',
        partsDone: Math.max(item.partsDone, part),
        attempt: null,
        reason: null,
        missive: {
          conversationId,
          messageIds: ids.messageId ? [...item.missive.messageIds, ids.messageId] : item.missive.messageIds,
          postIds: ids.postId ? [...item.missive.postIds, ids.postId] : item.missive.postIds,
        },
      }),
      { strict: true, conversation: withSameQueue(row, conversation) },
    );
    this.#ctx.events.requestSettled();
  }

  async #markFailed(items: readonly LedgerItem[], reason: string): Promise<void> {
    await this.#update(items, () => ({ status: 'failed', attempt: null, reason }));
    this.#ctx.events.requestSettled();
  }

  async #markUnknown(items: readonly LedgerItem[], attempt: Attempt): Promise<void> {
    await this.#update(items, () => ({
      status: 'in_flight',
      attempt: { ...attempt, unknown: true },
      reason: PENDING_REASONS.outcomeUnknown,
    }));
  }

  async #setMissiveConversation(missiveConversationId: string, webUrl: string | null): Promise<void> {
    const row = this.#row;
    this.#row = await this.#ctx.ledger.putConversation(row, {
      ...row,
      missiveConversationId,
      webUrl: webUrl ?? missiveWebUrl(missiveConversationId),
    });
  }

  /** The conversation's status from its items, written when it changed (it leaves the queue when done). */
  async #finish(plan: ConversationPlan): Promise<void> {
    const status = conversationStatusOf(plan.conversation.status, [...this.#items.values()]);
    if (status === this.#row.status) return;
    this.#row = await this.#ctx.ledger.putConversation(this.#row, { ...this.#row, status });
    this.#ctx.events.changed();
  }
}

/** A row written together with items keeps its status, so its queue key stays as it was. */
function withSameQueue(before: LedgerConversation, after: LedgerConversation): LedgerConversation {
  return { ...after, status: before.status, ...(before.queueKey ? { queueKey: before.queueKey } : {}) };
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `web_url` of the conversation in a `{messages: {conversation: {…}}}` (or `[…]`) answer, if given. */
function webUrlFromBody(body: unknown): string | null {
  const messages = record(body)?.messages;
  const message = record(Array.isArray(messages) ? messages[0] : messages);
  const url = record(message?.conversation)?.web_url;
  return typeof url === 'string' ? url : null;
}
