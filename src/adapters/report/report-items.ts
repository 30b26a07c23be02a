/**
 * Every Front object of the export as a report item (issue 5): the export index says what exists,
 * the import ledger what happened to it, and the plan why an item the ledger has not seen yet would
 * be skipped. Conversations are read in key order, a page at a time, and for each page their
 * messages, comments and ledger rows come from one index range read each (IDs in [first, last] of
 * the page), so a million items cost a few thousand reads, not a million.
 *
 * Conversations whose own file is not in the export (only their messages are) are not items; their
 * messages and comments are.
 *
 * Status rules: ledger `done` → imported, `in_flight` → pending, `pending`/`failed`/`skipped` as
 * they are; no ledger row yet → the plan's pending, or skipped with the plan's reason.
 */
import {
  DEFAULT_PLAN_CHOICES,
  planConversation,
  type ItemAction,
  type PlanChoices,
} from '../../domain/import/plan.ts';
import { PENDING_REASONS } from '../../domain/import/reasons.ts';
import type { Comment, Conversation, ItemKind, Message } from '../../domain/model.ts';
import { contactReportItem } from '../../domain/contacts/report-items.ts';
import type { ReportItem } from '../../domain/report/types.ts';
import { planChoices } from '../import-engine-plan.ts';
import { reportStatus, type LedgerConversation, type LedgerItem, type RunMeta } from '../ledger-schema.ts';
import type { ConversationRow, ExportStore } from '../store.ts';
import type { ContactOutcomeStore } from './contact-outcomes.ts';
import type { LedgerReader } from './ledger-reader.ts';

/** An item sent whose answer has not come back (or the tab closed meanwhile). */
export const IN_FLIGHT_REASON =
  'sent to Missive, answer not received yet: checked with Missive before anything is sent again';
/** A conversation whose own items failed; each failed item carries Missive's error text. */
export const CONVERSATION_ITEMS_FAILED =
  'some of its items failed (see the failed items of this conversation)';

/**
 * Relay mode's items (issue 6) for one page's emails, by Front ID: imported into which mailbox,
 * failed with the target's error, pending, or skipped. Pages come in conversation-ID order; emails
 * it does not return keep the import's item.
 */
export type RelayedEmailLookup = (
  emails: readonly Pick<ReportItem, 'frontId' | 'frontConversationId'>[],
) => Promise<ReadonlyMap<string, ReportItem>>;

export interface ReportItemSources {
  store: ExportStore;
  ledger: LedgerReader;
  /** Present once the user imported contacts directly into Missive. */
  contacts?: ContactOutcomeStore | null;
  relayedEmails?: RelayedEmailLookup | null;
}

export interface ReportWalkOptions {
  /** What the plan decides for items the ledger has not seen yet. */
  choices: PlanChoices;
  /** Conversations per page. */
  pageSize?: number;
  signal?: AbortSignal;
}

const DEFAULT_PAGE_SIZE = 200;

/** The plan choices of the last run, or (before any run) the defaults with the inboxes marked SMTP forwarding. */
export async function reportPlanChoices(store: ExportStore, run: RunMeta | undefined): Promise<PlanChoices> {
  if (run) return planChoices(run.choices);
  const inboxes = await store.listInboxes();
  const relayInboxKeys = new Set(inboxes.filter((inbox) => inbox.smtpForwarding).map((inbox) => inbox.key));
  return { ...DEFAULT_PLAN_CHOICES, relayInboxKeys };
}

/** Yields every item: per conversation, itself, its messages (oldest first), its comments; then contacts. */
export async function* reportItems(
  sources: ReportItemSources,
  options: ReportWalkOptions,
): AsyncGenerator<ReportItem> {
  const { store, ledger } = sources;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const inboxNames = new Map((await store.listInboxes()).map((inbox) => [inbox.key, inbox.name]));
  let after: string | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    const page: ConversationRow[] = await store.db.getAll('conversations', range, pageSize);
    if (page.length === 0) break;
    const first = page[0]!.id;
    const last = page[page.length - 1]!.id;
    const between = IDBKeyRange.bound(first, last);
    const [messages, comments, items, conversations] = await Promise.all([
      store.db.getAllFromIndex('messages', 'byConversation', between),
      store.db.getAllFromIndex('comments', 'byConversation', between),
      ledger.itemsOfConversations(first, last),
      ledger.conversationsBetween(first, last),
    ]);
    const messagesOf = groupBy(messages, (m) => m.conversationId);
    const commentsOf = groupBy(comments, (c) => c.conversationId);
    const ledgerItems = new Map(items.map((row) => [row.frontId, row]));
    const ledgerConversations = new Map(conversations.map((row) => [row.frontId, row]));
    const batch: ReportItem[] = [];
    for (const row of page) {
      conversationItems(
        {
          row,
          messages: messagesOf.get(row.id) ?? [],
          comments: commentsOf.get(row.id) ?? [],
          ledgerConversation: ledgerConversations.get(row.id),
          ledgerItems,
          inbox: inboxOf(row, inboxNames),
        },
        options.choices,
        batch,
      );
    }
    yield* await withRelayedEmails(batch, sources.relayedEmails ?? null);
    if (page.length < pageSize) break;
    after = last;
  }
  if (sources.contacts) yield* contactItems(sources.contacts);
}

/**
 * The one place relay mode's word on emails merges in: a relayed email's item replaces the one the
 * import gave it (skipped, "relay mode copies it"), keeping where it sits in the export.
 */
async function withRelayedEmails(
  batch: ReportItem[],
  lookup: RelayedEmailLookup | null,
): Promise<ReportItem[]> {
  if (lookup === null) return batch;
  const emails = batch.filter((item) => item.kind === 'email');
  if (emails.length === 0) return batch;
  const relayed = await lookup(emails);
  if (relayed.size === 0) return batch;
  return batch.map((item) => {
    const copy = item.kind === 'email' ? relayed.get(item.frontId) : undefined;
    if (!copy) return item;
    const merged: ReportItem = {
      ...copy,
      kind: 'email',
      frontId: item.frontId,
      frontConversationId: item.frontConversationId,
    };
    if (item.inbox !== undefined) merged.inbox = item.inbox;
    return merged;
  });
}

async function* contactItems(contacts: ContactOutcomeStore): AsyncGenerator<ReportItem> {
  const items: ReportItem[] = [];
  await contacts.forEach((row) => {
    const item = contactReportItem({ key: row.key }, row.status, row.reason ?? undefined);
    items.push(item);
  });
  yield* items;
}

interface ConversationInput {
  row: ConversationRow;
  messages: Message[];
  comments: Comment[];
  ledgerConversation: LedgerConversation | undefined;
  ledgerItems: ReadonlyMap<string, LedgerItem>;
  inbox: string | undefined;
}

/** Appends the conversation's items to `out`. */
function conversationItems(input: ConversationInput, choices: PlanChoices, out: ReportItem[]): void {
  const { row, messages, comments, ledgerConversation, ledgerItems, inbox } = input;
  messages.sort((a, b) => a.createdAt - b.createdAt || compare(a.id, b.id));
  comments.sort((a, b) => a.postedAt - b.postedAt || compare(a.id, b.id));
  // The plan only for what the ledger has not seen (before the first run, or a newer export).
  const needsPlan =
    ledgerConversation === undefined ||
    messages.some((m) => !ledgerItems.has(m.id)) ||
    comments.some((c) => !ledgerItems.has(c.id));
  const plan = needsPlan ? planConversation(conversationOf(row), messages, comments, choices) : null;
  const planned = new Map<string, ItemAction>(plan?.items.map((action) => [action.frontId, action]) ?? []);
  const missiveConversationId = ledgerConversation?.missiveConversationId ?? undefined;
  const base = { frontConversationId: row.id, inbox };

  const conversation: ReportItem = { kind: 'conversation', frontId: row.id, ...base, status: 'pending' };
  if (ledgerConversation) {
    conversation.status = reportStatus(ledgerConversation.status);
    if (ledgerConversation.status === 'failed') conversation.reason = CONVERSATION_ITEMS_FAILED;
    else if (ledgerConversation.reason) conversation.reason = ledgerConversation.reason;
    if (ledgerConversation.flags.length > 0) conversation.flags = [...ledgerConversation.flags];
  } else if (plan) {
    conversation.status = plan.conversation.status;
    if (plan.conversation.reason) conversation.reason = plan.conversation.reason;
    if (plan.conversation.flags.length > 0) conversation.flags = [...plan.conversation.flags];
  }
  if (missiveConversationId) conversation.missiveConversationId = missiveConversationId;
  if (row.subject) conversation.subject = row.subject;
  // A conversation known only through its messages (its file is not in the export) was not found:
  // like the Export summary, the report counts it as missing, not as a conversation.
  if (row.seen) out.push(withoutUndefined(conversation));

  const itemOf = (kind: ItemKind, frontId: string): ReportItem => {
    const ledgerRow = ledgerItems.get(frontId);
    const item: ReportItem = ledgerRow
      ? fromLedger(ledgerRow, missiveConversationId)
      : fromPlan(kind, frontId, planned.get(frontId));
    Object.assign(item, base);
    if (item.status === 'failed' && row.subject) item.subject = row.subject;
    return item;
  };
  for (const message of messages) out.push(withoutUndefined(itemOf(message.kind, message.id)));
  for (const comment of comments) {
    const item = itemOf('comment', comment.id);
    // Posts cannot carry files: every comment that goes to Missive leaves its files behind.
    if (item.status !== 'skipped' && comment.attachments.length > 0) {
      item.attachmentsNotImported = comment.attachments.map((file) => file.filename);
    }
    out.push(withoutUndefined(item));
  }
}

function fromLedger(row: LedgerItem, conversationMissiveId: string | undefined): ReportItem {
  const item: ReportItem = {
    kind: row.kind,
    frontId: row.frontId,
    frontConversationId: row.conversationId,
    status: reportStatus(row.status),
  };
  if (row.status === 'in_flight') {
    item.reason = row.attempt?.unknown ? PENDING_REASONS.outcomeUnknown : IN_FLIGHT_REASON;
  } else if (row.reason) {
    item.reason = row.reason;
  }
  const missiveConversationId =
    row.missive.conversationId ?? (row.status === 'done' ? conversationMissiveId : undefined);
  if (missiveConversationId) item.missiveConversationId = missiveConversationId;
  // A long comment takes several posts, and one post may carry several comments.
  if (row.missive.postIds.length > 0) item.missivePostId = row.missive.postIds.join(',');
  if (row.flags.length > 0) item.flags = [...row.flags];
  return item;
}

function fromPlan(kind: ItemKind, frontId: string, action: ItemAction | undefined): ReportItem {
  const item: ReportItem = { kind, frontId, frontConversationId: null, status: action?.status ?? 'pending' };
  if (action?.reason) item.reason = action.reason;
  if (action && action.flags.length > 0) item.flags = [...action.flags];
  return item;
}

/** The export's own object counts, from the counters the index keeps per conversation. */
export async function exportObjectCounts(store: ExportStore): Promise<Partial<Record<ItemKind, number>>> {
  const counts = { conversation: 0, sms: 0, comment: 0, email: 0, other_message: 0 };
  await store.forEachConversation((row) => {
    if (row.seen) counts.conversation += 1;
    counts.sms += row.stats.sms;
    counts.email += row.stats.emails;
    counts.other_message += row.stats.otherMessages;
    counts.comment += row.stats.comments;
  });
  return counts;
}

function inboxOf(row: ConversationRow, names: ReadonlyMap<string, string>): string | undefined {
  const key = row.inboxKeys[0];
  return key === undefined ? undefined : (names.get(key) ?? key);
}

function conversationOf(row: ConversationRow): Conversation {
  const { stats: _stats, ...conversation } = row;
  return conversation;
}

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Optional fields left undefined would still be own properties; the report omits them instead. */
function withoutUndefined(item: ReportItem): ReportItem {
  for (const key of Object.keys(item) as (keyof ReportItem)[]) {
    if (item[key] === undefined) delete item[key];
  }
  return item;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
