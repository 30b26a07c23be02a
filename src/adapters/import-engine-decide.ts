/**
 * The user's answer for items Missive could not tell about (sent, answer lost, no way to check):
 * send them again, count them as imported, or skip them. Applied to every such item at once.
 */
import { SKIP_REASONS } from '../domain/import/reasons.ts';
import type { UnknownChoice } from './import-engine-types.ts';
import { conversationStatusOf, type Ledger, type LedgerItem } from './ledger.ts';

export async function decideUnknownItems(ledger: Ledger, choice: UnknownChoice): Promise<number> {
  const unknown = (await ledger.itemsWithStatus('in_flight')).filter((item) => item.attempt?.unknown);
  for (const item of unknown) await decideOne(ledger, item, choice);
  return unknown.length;
}

async function decideOne(ledger: Ledger, item: LedgerItem, choice: UnknownChoice): Promise<void> {
  const part = item.attempt?.part ?? 1;
  if (choice === 'resend') {
    await ledger.updateItems([item], () => ({ status: 'pending', attempt: null, reason: null }));
  } else if (choice === 'skip') {
    await ledger.updateItems([item], () => ({
      status: 'skipped',
      attempt: null,
      reason: SKIP_REASONS.skippedUnknown,
    }));
  } else {
    // Counted as in Missive: the next SMS of its conversation must not open a new one.
    const done = part >= item.parts;
    const row = await ledger.getConversation(item.conversationId);
    const conversation =
      row && item.kind === 'sms' && done ? { ...row, smsSent: row.smsSent + 1 } : undefined;
    await ledger.updateItems(
      [item],
      () => ({ status: done ? 'done' : 'pending', partsDone: part, attempt: null, reason: null }),
      { strict: true, ...(conversation ? { conversation } : {}) },
    );
  }
  const row = await ledger.getConversation(item.conversationId);
  if (!row) return;
  const planned = row.status === 'skipped' ? 'skipped' : 'pending';
  const status = conversationStatusOf(planned, await ledger.itemsOf(row.frontId));
  if (status !== row.status) await ledger.putConversation(row, { ...row, status });
}
