/**
 * The customer's contact list from the export index: teammates first (their addresses are the
 * team's own, never a customer), then Front contact objects, then every message's recipients, read
 * a page at a time so a million messages never sit in memory together.
 */
import { ContactListBuilder, type CustomerContact } from '../../domain/contacts/build.ts';
import type { Message } from '../../domain/model.ts';
import type { ExportStore } from '../store.ts';

const PAGE = 2000;

export interface ContactListSummary {
  people: number;
  withEmail: number;
  withPhone: number;
  /** People that at least one Front contact object (`crd_…`) describes. */
  fromFrontContacts: number;
  /** The first people, for the screen (names are untrusted text). */
  sample: Pick<CustomerContact, 'key' | 'name' | 'emails' | 'phones'>[];
}

export async function buildContactListFromStore(
  store: ExportStore,
  signal?: AbortSignal,
): Promise<CustomerContact[]> {
  const builder = new ContactListBuilder();
  for (const teammate of await store.db.getAll('teammates')) builder.addTeammate(teammate);
  await store.forEachContact((contact) => builder.addFrontContact(contact));
  let after: string | null = null;
  for (;;) {
    signal?.throwIfAborted();
    const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    const page: Message[] = await store.db.getAll('messages', range, PAGE);
    for (const message of page) builder.addMessage(message);
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return builder.build();
}

export function summarizeContacts(contacts: readonly CustomerContact[], sampleSize = 20): ContactListSummary {
  let withEmail = 0;
  let withPhone = 0;
  let fromFrontContacts = 0;
  for (const contact of contacts) {
    if (contact.emails.length > 0) withEmail += 1;
    if (contact.phones.length > 0) withPhone += 1;
    if (contact.frontContactIds.length > 0) fromFrontContacts += 1;
  }
  return {
    people: contacts.length,
    withEmail,
    withPhone,
    fromFrontContacts,
    sample: contacts.slice(0, sampleSize).map(({ key, name, emails, phones }) => ({
      key,
      name,
      emails: [...emails],
      phones: [...phones],
    })),
  };
}
