/** What relay mode has to do, before a target is chosen: per marked inbox, and the zips it reads. */
import type { EntryRef } from '../../domain/model.ts';
import type { ExportFiles } from './export-files.ts';
import {
  loadRelayConversation,
  markedInboxes,
  relayConversationIds,
  type RelayChoices,
  type RelayStore,
} from './relay-source.ts';
import type { RelayInboxOverview, RelayOverview } from './types.ts';

export async function relayOverview(
  store: RelayStore,
  files: ExportFiles,
  choices: RelayChoices,
): Promise<RelayOverview> {
  const inboxes = await markedInboxes(store);
  const byKey = new Map(inboxes.map((inbox) => [inbox.key, inbox]));
  const rows = new Map<string, RelayInboxOverview>(
    inboxes.map((inbox) => [
      inbox.key,
      { key: inbox.key, name: inbox.name, conversations: 0, emails: 0, withEml: 0, notRelayed: 0 },
    ]),
  );
  const sourceIds = new Set<string>();
  const refs: EntryRef[] = [];
  const addRef = (ref: EntryRef | null) => {
    if (!ref) return;
    sourceIds.add(ref.source);
    refs.push(ref);
  };
  let emails = 0;
  let conversations = 0;
  for (const id of await relayConversationIds(store, inboxes)) {
    const relay = await loadRelayConversation(store, id, byKey, choices);
    if (!relay) continue;
    // Counted under its first marked inbox, where the download files it too.
    const row = rows.get(relay.inboxes[0]!.key)!;
    row.notRelayed += relay.notRelayed.length;
    if (relay.emails.length === 0) continue;
    conversations++;
    row.conversations++;
    for (const message of relay.emails) {
      emails++;
      row.emails++;
      if (message.eml) {
        row.withEml++;
        addRef(message.eml);
      } else {
        for (const attachment of message.attachments) addRef(attachment.ref);
      }
    }
  }
  // One walk over each zip's directory will then find every entry the relay reads.
  files.want(refs);
  const names = new Map((await store.listSources()).map((source) => [source.id, source.name]));
  return {
    inboxes: [...rows.values()],
    emails,
    conversations,
    sources: [...sourceIds]
      .sort()
      .map((id) => ({ id, name: names.get(id) ?? id.split('|')[0] ?? id, available: files.has(id) })),
  };
}
