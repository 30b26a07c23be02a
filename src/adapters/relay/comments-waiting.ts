/**
 * "Waiting for Missive to sync N emails": the comments of relayed conversations are posted by the
 * Missive import once Missive knows their email (`GET /messages?email_message_id=`, see
 * import-engine-conversation.ts); until then the import ledger keeps them pending. This reads that
 * ledger (never writes it) and counts the relayed conversations whose email Missive has not shown yet.
 */
import type { Ledger } from '../ledger.ts';
import type { RelayLedger } from './ledger.ts';

export interface CommentsWaiting {
  /** Relayed emails (one per conversation, the one the import looks up) Missive has not synced yet. */
  emails: number;
  /** Comments of those conversations, pending in the import. */
  comments: number;
  /** Comments of relayed conversations the import could not place at all (no Message-ID planned). */
  unplaceable: number;
}

export async function commentsWaiting(
  imports: Pick<Ledger, 'itemsWithStatus' | 'getConversation'>,
  relay: Pick<RelayLedger, 'hasDoneInConversation'>,
): Promise<CommentsWaiting> {
  const pending = (await imports.itemsWithStatus('pending')).filter((item) => item.kind === 'comment');
  const commentsBy = new Map<string, number>();
  for (const item of pending)
    commentsBy.set(item.conversationId, (commentsBy.get(item.conversationId) ?? 0) + 1);
  const result: CommentsWaiting = { emails: 0, comments: 0, unplaceable: 0 };
  for (const [conversationId, comments] of commentsBy) {
    const row = await imports.getConversation(conversationId);
    if (!row || row.commentRoute !== 'email' || row.missiveConversationId) continue;
    if (!(await relay.hasDoneInConversation(conversationId))) continue;
    if (!row.lookupMessageId) {
      result.unplaceable += comments;
      continue;
    }
    result.emails++;
    result.comments += comments;
  }
  return result;
}
