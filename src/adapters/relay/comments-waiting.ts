/**
 * "Waiting for Missive to sync N emails": the comments of relayed conversations are posted by the
 * Missive import once Missive knows their email (`GET /messages?email_message_id=`, see
 * import-engine-conversation.ts); until then the import ledger keeps them pending. This reads that
 * ledger (never writes it) and counts the relayed conversations whose email Missive has not shown yet.
 */
import { SKIP_REASONS } from '../../domain/import/reasons.ts';
import type { Ledger, LedgerItem } from '../ledger.ts';
import type { RelayLedger } from './ledger.ts';

export interface CommentsWaiting {
  /** Relayed emails (one per conversation, the one the import looks up) Missive has not synced yet. */
  emails: number;
  /** Comments of those conversations, pending in the import. */
  comments: number;
  /**
   * Comments of relayed conversations the import planned without a Message-ID to look up
   * (SKIP_REASONS.noMessageId): they cannot be placed until the import is planned with one.
   */
  unplaceable: number;
}

function byConversation(items: readonly LedgerItem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.conversationId, (counts.get(item.conversationId) ?? 0) + 1);
  return counts;
}

export async function commentsWaiting(
  imports: Pick<Ledger, 'itemsWithStatus' | 'getConversation'>,
  relay: Pick<RelayLedger, 'hasDoneInConversation'>,
): Promise<CommentsWaiting> {
  const [pending, skipped] = await Promise.all([
    imports.itemsWithStatus('pending'),
    imports.itemsWithStatus('skipped'),
  ]);
  const result: CommentsWaiting = { emails: 0, comments: 0, unplaceable: 0 };
  for (const [conversationId, comments] of byConversation(
    pending.filter((item) => item.kind === 'comment'),
  )) {
    const row = await imports.getConversation(conversationId);
    if (!row || row.commentRoute !== 'email' || row.missiveConversationId || !row.lookupMessageId) continue;
    if (!(await relay.hasDoneInConversation(conversationId))) continue;
    result.emails++;
    result.comments += comments;
  }
  const noMessageId = skipped.filter(
    (item) => item.kind === 'comment' && item.reason === SKIP_REASONS.noMessageId,
  );
  for (const [conversationId, comments] of byConversation(noMessageId)) {
    if (await relay.hasDoneInConversation(conversationId)) result.unplaceable += comments;
  }
  return result;
}
