/**
 * Linking inboxes to what the export tells about them: channel objects give each inbox its
 * channel types (`smtp`, `gmail`, `twilio`, ...), and inbox folders are matched to inbox objects
 * by name so `folder:` keys can be resolved to Front inbox IDs.
 */
import type { Inbox } from '../model.ts';
import type { FrontChannel } from './contract.ts';

/** Exporters replace spaces (and characters a file system refuses) with `_`; compare without them. */
const NAME_SEPARATORS = /[^\p{L}\p{N}]+/gu;
const EDGE_SEPARATORS = /^_|_$/g;

/**
 * Channel types per Front inbox ID, sorted and unique. Every given inbox has an entry (empty when
 * no channel points to it); inboxes referenced only by channels are included too.
 */
export function channelTypesByInbox(
  channels: Iterable<FrontChannel>,
  inboxes: Iterable<Inbox>,
): Map<string, string[]> {
  const typesByInbox = new Map<string, Set<string>>();
  for (const inbox of inboxes) {
    if (inbox.frontId !== null) typesByInbox.set(inbox.frontId, new Set());
  }
  for (const channel of channels) {
    if (channel.inboxFrontId === null || channel.type === '') continue;
    let types = typesByInbox.get(channel.inboxFrontId);
    if (!types) typesByInbox.set(channel.inboxFrontId, (types = new Set()));
    types.add(channel.type);
  }
  const result = new Map<string, string[]>();
  for (const [inboxId, types] of typesByInbox) result.set(inboxId, [...types].sort());
  return result;
}

/** Name as exporters may have written it as a folder: case, accents composition and separators ignored. */
export function looseInboxName(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(NAME_SEPARATORS, '_').replace(EDGE_SEPARATORS, '');
}

/** Index of names to inboxes; `null` marks a name two inboxes share (no safe match). */
function indexByName(inboxes: Iterable<Inbox>, nameOf: (name: string) => string): Map<string, Inbox | null> {
  const index = new Map<string, Inbox | null>();
  for (const inbox of inboxes) {
    const name = nameOf(inbox.name);
    index.set(name, index.has(name) ? null : inbox);
  }
  return index;
}

/**
 * Matches inbox folder names to inbox objects: exact name first, then the loose form (so
 * `SMS_Line` matches "SMS Line"). Ambiguous and unmatched folders are left out; the user maps them.
 */
export function matchInboxFolders(
  folderNames: Iterable<string>,
  inboxes: Iterable<Inbox>,
): Map<string, Inbox> {
  const candidates = [...inboxes];
  const exact = indexByName(candidates, (name) => name);
  const loose = indexByName(candidates, looseInboxName);
  const matches = new Map<string, Inbox>();
  for (const folder of folderNames) {
    const exactMatch = exact.get(folder);
    const match = exactMatch === undefined ? loose.get(looseInboxName(folder)) : exactMatch;
    if (match) matches.set(folder, match);
  }
  return matches;
}
