/**
 * The Export summary of what the index holds, computed in the worker (never on the page) with the Front
 * domain's summary accumulator, and cached in the `meta` store until the next write.
 *
 * Re-reading every message from IndexedDB to count it would cost as much as the ingest itself. The index
 * keeps per-conversation counts up to date on every write (ConversationStats, the domain's
 * ConversationCounts), and the accumulator takes them as they are (addConversationCounts): the cost is
 * one pass over the conversations, not over the messages.
 */
import type { Inbox, SourceFile } from '../domain/model.ts';
import {
  channelTypesByInbox,
  createSummaryAccumulator,
  estimateImportSeconds,
  folderNameFromKey,
  matchInboxFolders,
  type ExportSummary,
} from '../domain/front/index.ts';
import type { ExportStore, SourceRow, UnrecognizedRow } from './store.ts';

/** An inbox as the Load step lists it: what the export tells about it, and its counts. */
export interface InboxView extends Inbox {
  conversations: number;
  sms: number;
  emails: number;
  otherMessages: number;
  comments: number;
}

export interface ImportEstimate {
  /** Missive API requests: one per SMS and one per eligible comment. */
  requests: number;
  /** At Missive's published rate limits (about 1 request per second sustained). */
  seconds: number;
}

export interface IndexSnapshot {
  /** Null while nothing is indexed. */
  summary: ExportSummary | null;
  estimate: ImportEstimate | null;
  sources: SourceFile[];
  inboxes: InboxView[];
  /** The first unrecognised entries, each with its reason; the rest are paged with listUnrecognized. */
  unrecognized: UnrecognizedRow[];
}

const SUMMARY_KEY = 'summary';
const FIRST_UNRECOGNIZED = 100;

interface CachedSummary {
  summary: ExportSummary;
  estimate: ImportEstimate;
}

/** The snapshot of the index; the summary comes from the cache unless `recompute` or the cache is stale. */
export async function computeSummary(store: ExportStore, recompute = false): Promise<IndexSnapshot> {
  const inboxes = await resolveInboxes(store);
  const sources = (await store.listSources()).sort((a, b) => a.name.localeCompare(b.name));
  let cached = recompute ? undefined : await store.getMeta<CachedSummary>(SUMMARY_KEY);
  if (!cached) {
    cached = await buildSummary(store, inboxes, sources);
    // Only a cache: with the disk full, the summary is still shown.
    await store.setMeta(SUMMARY_KEY, cached).catch(() => undefined);
  }
  const empty = cached.summary.conversations + cached.summary.missingConversations === 0;
  const unrecognized = await store.listUnrecognized(0, FIRST_UNRECOGNIZED);
  const hasData = !empty || cached.summary.unrecognized.total > 0 || sources.length > 0;
  return {
    summary: hasData ? cached.summary : null,
    estimate: hasData ? cached.estimate : null,
    sources,
    inboxes: inboxViews(inboxes, cached.summary),
    unrecognized,
  };
}

const UNRECOGNIZED_PAGE = 2000;

async function buildSummary(
  store: ExportStore,
  inboxes: Inbox[],
  sources: SourceRow[],
): Promise<CachedSummary> {
  const accumulator = createSummaryAccumulator();
  for (const inbox of inboxes) accumulator.addInbox(inbox);
  await store.forEachConversation(({ stats, ...conversation }) =>
    accumulator.addConversationCounts(conversation, stats),
  );
  for (const [kind, count] of await store.countUnusedObjectsByKind())
    accumulator.addUnusedObjects(kind, count);
  for (const source of sources) accumulator.addIgnoredEntries(source.ignoredEntries ?? 0);
  for (let offset = 0; ; offset += UNRECOGNIZED_PAGE) {
    const page = await store.listUnrecognized(offset, UNRECOGNIZED_PAGE);
    for (const row of page)
      accumulator.addUnrecognized({ source: row.source, path: row.path, reason: row.reason });
    if (page.length < UNRECOGNIZED_PAGE) break;
  }
  const summary = accumulator.summary();
  const requests = summary.sms + summary.eligibleComments;
  return { summary, estimate: { requests, seconds: estimateImportSeconds(requests) } };
}

/**
 * Resolves what the export tells about each inbox: inbox folders are matched to inbox objects by name,
 * and channel objects give channel types. Changed rows are written back, so relay mode reads them as is.
 * An inbox whose channel type is known is SMTP forwarding exactly when one of its channels is `smtp`.
 */
async function resolveInboxes(store: ExportStore): Promise<Inbox[]> {
  const inboxes = await store.listInboxes();
  const channels = await store.listChannels();
  const objects = inboxes.filter((inbox) => folderNameFromKey(inbox.key) === null);
  const folders = inboxes.filter((inbox) => folderNameFromKey(inbox.key) !== null);
  const matches = matchInboxFolders(
    folders.map((inbox) => folderNameFromKey(inbox.key)!),
    objects,
  );
  const types = channelTypesByInbox(channels, objects);
  const changed: Inbox[] = [];
  const resolved = inboxes.map((inbox) => {
    const folder = folderNameFromKey(inbox.key);
    const object = folder === null ? inbox : matches.get(folder);
    const frontId = inbox.frontId ?? object?.frontId ?? null;
    const list = frontId ? (types.get(frontId) ?? []) : [];
    const channelType =
      list.length > 0 ? list.join(', ') : (inbox.channelType ?? object?.channelType ?? null);
    const smtpForwarding = list.length > 0 ? list.includes('smtp') : inbox.smtpForwarding;
    const name = folder !== null && object ? object.name : inbox.name;
    if (
      frontId === inbox.frontId &&
      channelType === inbox.channelType &&
      smtpForwarding === inbox.smtpForwarding &&
      name === inbox.name
    ) {
      return inbox;
    }
    const row = { ...inbox, frontId, channelType, smtpForwarding, name };
    changed.push(row);
    return row;
  });
  if (changed.length > 0) await store.putInboxes(changed).catch(() => undefined);
  return resolved;
}

/**
 * The inboxes to list: every inbox key conversations carry, plus inbox objects no folder matched
 * (so an inbox with no conversation in the export still shows, with zero counts).
 */
function inboxViews(inboxes: Inbox[], summary: ExportSummary): InboxView[] {
  const counts = new Map(summary.perInbox.map((row) => [row.key, row]));
  const matchedIds = new Set(
    inboxes
      .filter((inbox) => folderNameFromKey(inbox.key) !== null && inbox.frontId)
      .map((inbox) => inbox.frontId),
  );
  return inboxes
    .filter((inbox) => !matchedIds.has(inbox.key) || (counts.get(inbox.key)?.conversations ?? 0) > 0)
    .map((inbox) => {
      const row = counts.get(inbox.key);
      return {
        ...inbox,
        conversations: row?.conversations ?? 0,
        sms: row?.sms ?? 0,
        emails: row?.emails ?? 0,
        otherMessages: row?.otherMessages ?? 0,
        comments: row?.comments ?? 0,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
}
