/**
 * The IndexedDB schema of the export index, and its versioned upgrades.
 *
 * To add stores later (e.g. the import ledger), append a migration to {@link MIGRATIONS} and describe the
 * store in {@link ExportDbSchema}; {@link DB_VERSION} follows the list's length. Migrations only add or
 * change stores, they never drop what an earlier version indexed.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type {
  AttachmentInfo,
  Comment,
  Contact,
  Conversation,
  EntryRef,
  Inbox,
  Message,
  SourceFile,
  Teammate,
  UnrecognizedEntry,
} from '../domain/model.ts';
import type {
  ConversationCounts,
  EmlHeaders,
  FrontChannel,
  UnusedFrontObject,
} from '../domain/front/contract.ts';

export const DB_NAME = 'front-to-missive';

/**
 * What the index keeps per conversation, besides the conversation: counts, kept in step on every write.
 * The Export summary is built from them (the accumulator's addConversationCounts), not from the messages.
 */
export type ConversationStats = ConversationCounts;

export interface ConversationRow extends Conversation {
  stats: ConversationStats;
}

/** A Front channel object, when the export has them: it tells an inbox's channel type. */
export type ChannelRow = FrontChannel;

/**
 * An .eml file or attachment bytes found in a zip, keyed by the Front message they belong to. Kept even
 * when the message is not known yet (the message may be in a later entry or another zip); folded into the
 * message row as soon as both are known.
 */
export interface FileRefRow {
  /** `${messageId}\n${kind}\n${name}`. */
  key: string;
  /** Front message ID, or '' when the path names none. */
  messageId: string;
  kind: 'eml' | 'attachment';
  /** Attachment file name (the last path segment); the entry path for an .eml. */
  name: string;
  ref: EntryRef;
  headers: EmlHeaders | null;
}

/** A dropped zip and its checkpoint, plus what the ingest counted in it. */
export interface SourceRow extends SourceFile {
  /** Junk entries skipped so far (up to the checkpoint); absent in rows written before it was counted. */
  ignoredEntries?: number;
  /**
   * A large JSON entry being parsed, written durably before it is read and cleared with the next
   * checkpoint: found on a resume, the tab died on it (out of memory), so it is skipped with a reason.
   */
  largeEntry?: { index: number; path: string; size: number };
}

/** A Front object the import does not use (tag, link, ...), kept once per Front ID to be counted by kind. */
export type UnusedObjectRow = UnusedFrontObject;

export interface UnrecognizedRow extends UnrecognizedEntry {
  /** `${source}\n${path}\n${reason}`: the same problem found twice is listed once. */
  key: string;
  /** Fingerprint of the zip it was found in. */
  sourceId: string;
}

export interface ExportDbSchema extends DBSchema {
  conversations: { key: string; value: ConversationRow };
  messages: { key: string; value: Message; indexes: { byConversation: string } };
  comments: { key: string; value: Comment; indexes: { byConversation: string } };
  inboxes: { key: string; value: Inbox; indexes: { byFrontId: string } };
  channels: { key: string; value: ChannelRow; indexes: { byInbox: string } };
  teammates: { key: string; value: Teammate };
  contacts: { key: string; value: Contact };
  fileRefs: { key: string; value: FileRefRow; indexes: { byMessage: string } };
  sources: { key: string; value: SourceRow };
  unrecognized: { key: string; value: UnrecognizedRow; indexes: { bySource: string } };
  meta: { key: string; value: unknown };
  unusedObjects: { key: string; value: UnusedObjectRow };
}

export type ExportDb = IDBPDatabase<ExportDbSchema>;
export type ExportStoreName = StoreNames<ExportDbSchema>;
type UpgradeTransaction = IDBPTransaction<ExportDbSchema, ExportStoreName[], 'versionchange'>;

/** One schema step: version N+1 is reached by running MIGRATIONS[N]. */
export type Migration = (db: ExportDb, tx: UpgradeTransaction) => void;

export const MIGRATIONS: Migration[] = [
  // Version 1: the export index.
  (db) => {
    db.createObjectStore('conversations', { keyPath: 'id' });
    db.createObjectStore('messages', { keyPath: 'id' }).createIndex('byConversation', 'conversationId');
    db.createObjectStore('comments', { keyPath: 'id' }).createIndex('byConversation', 'conversationId');
    db.createObjectStore('inboxes', { keyPath: 'key' }).createIndex('byFrontId', 'frontId');
    db.createObjectStore('channels', { keyPath: 'id' }).createIndex('byInbox', 'inboxFrontId');
    db.createObjectStore('teammates', { keyPath: 'id' });
    db.createObjectStore('contacts', { keyPath: 'id' });
    db.createObjectStore('fileRefs', { keyPath: 'key' }).createIndex('byMessage', 'messageId');
    db.createObjectStore('sources', { keyPath: 'id' });
    db.createObjectStore('unrecognized', { keyPath: 'key' }).createIndex('bySource', 'sourceId');
    db.createObjectStore('meta');
  },
  // Version 2: Front objects the import does not use, counted apart from the unrecognised entries (the
  // cached summary predates that count: it is built again).
  (db, tx) => {
    db.createObjectStore('unusedObjects', { keyPath: 'id' });
    void tx.objectStore('meta').delete('summary');
  },
];

export const DB_VERSION = MIGRATIONS.length;

/** The versioned upgrade: runs every migration between the stored version and {@link DB_VERSION}. */
export function upgrade(db: ExportDb, oldVersion: number, tx: UpgradeTransaction): void {
  for (let version = oldVersion; version < MIGRATIONS.length; version++) MIGRATIONS[version]!(db, tx);
}

/** The stores that hold the export itself (cleared by "Clear everything"). */
export const EXPORT_STORES = [
  'conversations',
  'messages',
  'comments',
  'inboxes',
  'channels',
  'teammates',
  'contacts',
  'fileRefs',
  'sources',
  'unrecognized',
  'meta',
  'unusedObjects',
] as const satisfies readonly ExportStoreName[];

export function emptyStats(): ConversationStats {
  return {
    sms: 0,
    emails: 0,
    otherMessages: 0,
    drafts: 0,
    comments: 0,
    attachments: 0,
    attachmentsWithBytes: 0,
    emailsWithMessageId: 0,
    emailsWithReplyReference: 0,
  };
}

function attachmentCounts(list: AttachmentInfo[]): [number, number] {
  let withBytes = 0;
  for (const a of list) if (a.ref) withBytes++;
  return [list.length, withBytes];
}

/** What one message adds to its conversation's stats. */
export function messageStats(message: Message): ConversationStats {
  const stats = emptyStats();
  if (message.kind === 'sms') stats.sms = 1;
  else if (message.kind === 'email') stats.emails = 1;
  else stats.otherMessages = 1;
  if (message.isDraft) stats.drafts = 1;
  [stats.attachments, stats.attachmentsWithBytes] = attachmentCounts(message.attachments);
  if (message.kind === 'email' && message.messageId) stats.emailsWithMessageId = 1;
  if (message.kind === 'email' && hasReplyReference(message)) stats.emailsWithReplyReference = 1;
  return stats;
}

/** What one comment adds to its conversation's stats. */
export function commentStats(comment: Comment): ConversationStats {
  const stats = emptyStats();
  stats.comments = 1;
  [stats.attachments, stats.attachmentsWithBytes] = attachmentCounts(comment.attachments);
  return stats;
}

/** Whether a message names its parent's Message-ID (In-Reply-To or References). */
export function hasReplyReference(message: Pick<Message, 'inReplyTo' | 'references'>): boolean {
  return message.inReplyTo !== null || message.references.length > 0;
}

/** `into += sign * delta`, field by field (a field missing from an older row counts as 0). */
export function addStats(into: ConversationStats, delta: ConversationStats, sign: 1 | -1): void {
  for (const key of Object.keys(emptyStats()) as (keyof ConversationStats)[]) {
    into[key] = (into[key] ?? 0) + sign * (delta[key] ?? 0);
  }
}
