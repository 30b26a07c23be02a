/**
 * Which emails relay mode copies, read from the export index: every email of a conversation that
 * belongs to an inbox marked as SMTP forwarding, oldest first, with its threading headers. Drafts
 * (never sent) and emails of conversations deleted in Front are not relayed, for the same reasons
 * the Missive import skips them.
 */
import { SKIP_REASONS } from '../../domain/import/reasons.ts';
import type { Conversation, Inbox, Message } from '../../domain/model.ts';
import { sortOldestFirst, threadHeaders, type ThreadContext } from '../../domain/relay/index.ts';
import type { ExportStore } from '../store.ts';

export type RelayStore = Pick<
  ExportStore,
  'listInboxes' | 'forEachConversation' | 'getConversation' | 'messagesOf' | 'listSources'
>;

export interface RelayChoices {
  /** Relay the emails of conversations deleted in Front too (default: no, as the import). */
  includeDeleted: boolean;
}

export const DEFAULT_RELAY_CHOICES: Readonly<RelayChoices> = Object.freeze({ includeDeleted: false });

export interface RelayConversation {
  conversation: Conversation;
  /** The marked inboxes it belongs to, in the conversation's own order; the first one names its folder. */
  inboxes: Inbox[];
  /** Emails to relay, oldest first. */
  emails: Message[];
  /** Emails not relayed, with why (SKIP_REASONS texts). */
  notRelayed: { message: Message; reason: string }[];
  /** Threading headers of `emails`, by Front message ID. */
  threads: Map<string, ThreadContext>;
}

export async function markedInboxes(store: Pick<ExportStore, 'listInboxes'>): Promise<Inbox[]> {
  return (await store.listInboxes()).filter((inbox) => inbox.smtpForwarding);
}

/** The conversations of the marked inboxes, oldest first (ties by ID: the same order on every run). */
export async function relayConversationIds(store: RelayStore, inboxes: readonly Inbox[]): Promise<string[]> {
  const keys = new Set(inboxes.map((inbox) => inbox.key));
  const found: { id: string; at: number }[] = [];
  await store.forEachConversation((row) => {
    if (row.stats.emails > 0 && row.inboxKeys.some((key) => keys.has(key))) {
      found.push({ id: row.id, at: row.createdAt ?? Number.MAX_SAFE_INTEGER });
    }
  });
  found.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return found.map((row) => row.id);
}

export async function loadRelayConversation(
  store: RelayStore,
  conversationId: string,
  inboxesByKey: ReadonlyMap<string, Inbox>,
  choices: RelayChoices = DEFAULT_RELAY_CHOICES,
): Promise<RelayConversation | null> {
  const [row, messages] = await Promise.all([
    store.getConversation(conversationId),
    store.messagesOf(conversationId),
  ]);
  if (!row) return null;
  const { stats: _stats, ...conversation } = row;
  const inboxes = conversation.inboxKeys
    .map((key) => inboxesByKey.get(key))
    .filter((inbox): inbox is Inbox => inbox !== undefined);
  if (inboxes.length === 0) return null;
  const deleted = conversation.status === 'deleted' && !choices.includeDeleted;
  const emails: Message[] = [];
  const notRelayed: RelayConversation['notRelayed'] = [];
  for (const message of sortOldestFirst(messages)) {
    if (message.kind !== 'email') continue;
    if (deleted) notRelayed.push({ message, reason: SKIP_REASONS.deletedConversation });
    else if (message.isDraft) notRelayed.push({ message, reason: SKIP_REASONS.draft });
    else emails.push(message);
  }
  return { conversation, inboxes, emails, notRelayed, threads: threadHeaders(emails) };
}
