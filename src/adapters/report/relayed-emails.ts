/**
 * Relay mode's email items merged into the report: relay's own generator (src/adapters/relay/
 * report-items.ts) yields every email conversation by conversation in the index's key order, the
 * same order as the report's walk, so it is read in step with the walk's pages, one page of emails
 * at a time (never the whole list in memory).
 */
import type { ReportItem } from '../../domain/report/types.ts';
import { relayReportItems } from '../relay/report-items.ts';
import type { RelayLedger } from '../relay/ledger.ts';
import type { ExportStore } from '../store.ts';
import type { RelayedEmailLookup } from './report-items.ts';

/** A lookup over items sorted by conversation ID (as IndexedDB orders string keys). */
export function lookupInStep(items: AsyncIterator<ReportItem>): RelayedEmailLookup {
  let ahead: ReportItem | null = null;
  let done = false;
  return async (emails) => {
    const wanted = new Set(emails.map((email) => email.frontId));
    let last = '';
    for (const email of emails)
      if ((email.frontConversationId ?? '') > last) last = email.frontConversationId ?? '';
    const found = new Map<string, ReportItem>();
    for (;;) {
      if (ahead === null) {
        if (done) break;
        const next = await items.next();
        if (next.done) {
          done = true;
          break;
        }
        ahead = next.value;
      }
      // Past this page: keep it for the next one.
      if ((ahead.frontConversationId ?? '') > last) break;
      if (ahead.kind === 'email' && wanted.has(ahead.frontId)) found.set(ahead.frontId, ahead);
      ahead = null;
    }
    return found;
  };
}

/**
 * Relay's items only matter once an inbox is marked as SMTP forwarding (its emails exist only in
 * Front); otherwise they say what the import's items say, at the cost of reading every email again.
 */
export async function relayedEmails(
  store: ExportStore,
  ledger: () => Promise<RelayLedger>,
  includeDeleted: boolean,
): Promise<RelayedEmailLookup | null> {
  const inboxes = await store.listInboxes();
  if (!inboxes.some((inbox) => inbox.smtpForwarding)) return null;
  return lookupInStep(relayReportItems(store, await ledger(), { includeDeleted }));
}
