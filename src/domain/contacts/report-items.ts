/** Contacts in the import report (kind `contact`, same status rules as every other item). */
import type { ItemStatus } from '../model.ts';
import type { ReportItem } from '../report/types.ts';
import type { CustomerContact } from './build.ts';

/** The report item for one person: frontId is the contact key; contacts belong to no conversation. */
export function contactReportItem(
  contact: Pick<CustomerContact, 'key'>,
  status: ItemStatus,
  reason?: string,
): ReportItem {
  const item: ReportItem = { kind: 'contact', frontId: contact.key, frontConversationId: null, status };
  if (reason !== undefined) item.reason = reason;
  return item;
}

/** Reason recorded for a person the chosen contact book already has. */
export const ALREADY_IN_BOOK_REASON = 'Already in the Missive contact book';
