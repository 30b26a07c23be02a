/**
 * Every email of the export as an import-report item (kind `email`), for the report to call:
 * - relayed (a done row in the relay ledger): `imported`, `target` = the mailbox it went to; when
 *   the mailbox already held it, `reason` says so (RELAY_ALREADY_IN_MAILBOX);
 * - failed on its target: `failed`, with the target's error text;
 * - relay not done yet (or sent and not confirmed): `pending`, with why when known;
 * - emails of inboxes synced by their mail server: `skipped` (SKIP_REASONS.emailSynced);
 * - drafts and emails of conversations deleted in Front: `skipped`, as the import skips them.
 *
 * When one email went to several targets (a mailbox and a download), the best outcome counts: a
 * mailbox copy, then a download, then pending, then failed. The Missive import's own `email` items
 * (skipped with SKIP_REASONS.emailRelayed / emailSynced) are superseded by these.
 */
import { FLAGS, SKIP_REASONS } from '../../domain/import/reasons.ts';
import type { Conversation, Inbox, Message } from '../../domain/model.ts';
import type { ReportItem } from '../../domain/report/types.ts';
import type { RelayItem, RelayLedger, RelayTargetRow } from './ledger.ts';
import {
  DEFAULT_RELAY_CHOICES,
  loadRelayConversation,
  type RelayChoices,
  type RelayStore,
} from './relay-source.ts';

export const RELAY_PENDING_REASON = 'not relayed yet: choose a mailbox in step "Relay emails"';
/** A done row whose email the mailbox held before the relay sent it (Gmail keeps one per Message-ID). */
export const RELAY_ALREADY_IN_MAILBOX = 'already in the mailbox: it held an email with the same Message-ID';
export const RELAY_UNCONFIRMED_REASON =
  'sent to the mailbox, not confirmed yet: checked there on the next relay run';

type ReportLedger = Pick<RelayLedger, 'rowsOfMessage' | 'listTargets'>;

/** Lower is better. */
function rank(row: RelayItem, targets: ReadonlyMap<string, RelayTargetRow>): number {
  if (row.status === 'done') return targets.get(row.target)?.kind === 'files' ? 1 : 0;
  if (row.status === 'pending' || row.status === 'sending') return 2;
  return 3;
}

function targetText(row: RelayItem, targets: ReadonlyMap<string, RelayTargetRow>): string {
  const target = targets.get(row.target);
  if (!target) return row.target;
  return target.kind === 'files' ? target.label : `${target.label}, ${target.destination}`;
}

function relayedItem(
  base: ReportItem,
  rows: readonly RelayItem[],
  targets: ReadonlyMap<string, RelayTargetRow>,
): ReportItem {
  const best = [...rows].sort((a, b) => rank(a, targets) - rank(b, targets))[0];
  if (!best) return { ...base, status: 'pending', reason: RELAY_PENDING_REASON };
  const target = targetText(best, targets);
  const flags = best.notes.some((note) => note.startsWith(FLAGS.fileMissing)) ? [FLAGS.fileMissing] : [];
  const withFlags = flags.length > 0 ? { flags } : {};
  if (best.status === 'done' && best.alreadyInMailbox)
    return { ...base, status: 'imported', target, reason: RELAY_ALREADY_IN_MAILBOX, ...withFlags };
  if (best.status === 'done') return { ...base, status: 'imported', target, ...withFlags };
  if (best.status === 'failed') return { ...base, status: 'failed', target, reason: best.reason ?? 'failed' };
  const reason = best.status === 'sending' ? RELAY_UNCONFIRMED_REASON : (best.reason ?? RELAY_PENDING_REASON);
  return { ...base, status: 'pending', target, reason };
}

function baseItem(message: Message, conversation: Conversation, inbox: Inbox | undefined): ReportItem {
  const item: ReportItem = {
    kind: 'email',
    frontId: message.id,
    frontConversationId: conversation.id,
    status: 'pending',
    subject: conversation.subject || message.subject,
  };
  if (inbox) item.inbox = inbox.name;
  return item;
}

function skippedReason(message: Message, conversation: Conversation, choices: RelayChoices): string {
  if (conversation.status === 'deleted' && !choices.includeDeleted) return SKIP_REASONS.deletedConversation;
  if (message.isDraft) return SKIP_REASONS.draft;
  return SKIP_REASONS.emailSynced;
}

/** Yields one item per email of the export, conversation by conversation (constant memory per step). */
export async function* relayReportItems(
  store: RelayStore,
  ledger: ReportLedger,
  choices: RelayChoices = DEFAULT_RELAY_CHOICES,
): AsyncGenerator<ReportItem> {
  const inboxes = await store.listInboxes();
  const inboxByKey = new Map(inboxes.map((inbox) => [inbox.key, inbox]));
  const marked = new Map(inboxes.filter((inbox) => inbox.smtpForwarding).map((inbox) => [inbox.key, inbox]));
  const targets = new Map((await ledger.listTargets()).map((row) => [row.key, row]));
  const ids: string[] = [];
  await store.forEachConversation((row) => {
    if (row.stats.emails > 0) ids.push(row.id);
  });
  for (const id of ids) {
    const relay = await loadRelayConversation(store, id, marked, choices);
    if (relay) {
      const inbox = relay.inboxes[0];
      for (const message of relay.emails) {
        yield relayedItem(
          baseItem(message, relay.conversation, inbox),
          await ledger.rowsOfMessage(message.id),
          targets,
        );
      }
      for (const { message, reason } of relay.notRelayed) {
        yield { ...baseItem(message, relay.conversation, inbox), status: 'skipped', reason };
      }
      continue;
    }
    const row = await store.getConversation(id);
    if (!row) continue;
    const { stats: _stats, ...conversation } = row;
    const inbox = conversation.inboxKeys
      .map((key) => inboxByKey.get(key))
      .find((found) => found !== undefined);
    for (const message of await store.messagesOf(id)) {
      if (message.kind !== 'email') continue;
      yield {
        ...baseItem(message, conversation, inbox),
        status: 'skipped',
        reason: skippedReason(message, conversation, choices),
      };
    }
  }
}
