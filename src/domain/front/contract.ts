/**
 * The contract between the pure Front parsing domain (src/domain/front/) and the ingest pipeline
 * (zip reading, IndexedDB store, worker). The pipeline walks zip entries and calls these functions;
 * the domain never touches zip.js, IndexedDB or the DOM.
 */
import type {
  Comment,
  Contact,
  Conversation,
  Inbox,
  Message,
  Teammate,
  UnrecognizedEntry,
} from '../model.ts';

/** What the pipeline should do with an entry, decided from its path and size alone. */
export type EntryAction =
  | { action: 'parse-json' }
  /** An .eml file: read its header block (the first 64 KiB suffice) and call parseEmlHeaders. */
  | { action: 'read-eml-headers'; frontMessageId: string | null }
  /** Attachment bytes: not inflated at ingest, only referenced. */
  | { action: 'attachment'; frontMessageId: string | null; filename: string }
  /** A folder entry: only structure, neither counted nor reported. */
  | { action: 'directory' }
  /** Junk (`__MACOSX/`, `.DS_Store`, `progress.log`, ...): ignored silently, counted as ignored entries. */
  | { action: 'ignore'; reason: string }
  /** Anything else: reported as unrecognised with this reason. */
  | { action: 'unrecognized'; reason: string };

/** A Front channel: its type (`smtp`, `gmail`, `twilio`, ...) tells how an inbox's messages are held. */
export interface FrontChannel {
  id: string;
  type: string;
  /** `inb_…` of the inbox this channel belongs to (`_links.related.inbox`), when given. */
  inboxFrontId: string | null;
  name: string;
}

export interface EntryInfo {
  /** Source zip file name as dropped. */
  source: string;
  path: string;
  uncompressedSize: number;
  directory: boolean;
  encrypted: boolean;
}

/**
 * A Front object the import recognises but does not use (a tag, a link, a ticket status, ...): counted
 * as "Front objects not used by the import", never listed as unrecognised.
 */
export interface UnusedFrontObject {
  id: string;
  /** What it is, in words: `tag`, `link`, `ticket status`, ... */
  kind: string;
}

/** One Front object found in a JSON entry, already normalised to the model. */
export type ParsedObject =
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'message'; message: Message }
  | { type: 'comment'; comment: Comment }
  | { type: 'inbox'; inbox: Inbox }
  | { type: 'channel'; channel: FrontChannel }
  | { type: 'teammate'; teammate: Teammate }
  | { type: 'contact'; contact: Contact }
  | { type: 'unused'; unused: UnusedFrontObject };

export interface ParsedEntry {
  objects: ParsedObject[];
  /** Problems inside the entry (malformed JSON, an object with no known ID prefix, ...). */
  unrecognized: UnrecognizedEntry[];
}

export interface EmlHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

/**
 * Result of merging two copies of one record (the same ID in two inbox folders or two zips).
 * `merged === existing` when the incoming copy adds nothing, so the caller can skip the write.
 */
export interface MergeResult<T> {
  merged: T;
  /** Human-readable description of fields that differ between two real copies; null when none. */
  conflict: string | null;
}

/**
 * Counts for one inbox key (`inb_…` or `folder:<name>`). Messages and comments whose conversation was
 * not found count in the inbox folder they were found in; their missing conversation does not count.
 */
export interface InboxSummary {
  key: string;
  /** Inbox name when an inbox object was added, else the folder name. */
  name: string;
  /** Conversations found (their own object), in this inbox. */
  conversations: number;
  sms: number;
  emails: number;
  otherMessages: number;
  comments: number;
}

/** Unrecognised entries sharing one reason category (the reason text before its first `: `). */
export interface UnrecognizedGroup {
  category: string;
  count: number;
  /** The first few entries of this category, full reasons included. */
  examples: UnrecognizedEntry[];
}

/** Front objects of one kind that the import does not use. */
export interface UnusedObjectKind {
  kind: string;
  count: number;
}

/**
 * The pre-flight "Export summary". Every count is over deduplicated records.
 *
 * A message or comment whose conversation object was never found (an orphan: the conversation may be in
 * a zip not dropped yet) is still a Front object: it counts in the message and comment totals and in its
 * inbox folder; its conversation counts in `missingConversations` only, never in `conversations`.
 */
export interface ExportSummary {
  /** Conversations whose own object was found. */
  conversations: number;
  /** Conversations referenced by messages or comments whose object never appeared. */
  missingConversations: number;
  /** Messages by kind, orphans included. */
  sms: number;
  emails: number;
  otherMessages: number;
  drafts: number;
  /** Comments, orphans included. */
  comments: number;
  attachments: { total: number; withBytes: number; missingBytes: number };
  /** Sorted by name. A conversation in two inboxes counts in each. */
  perInbox: InboxSummary[];
  /** Conversations found that carry no inbox key. */
  conversationsWithoutInbox: number;
  /** Comments in conversations holding at least one email or SMS (what Missive's own import keeps). */
  eligibleComments: number;
  notEligibleComments: number;
  /** Of the conversations found: deleted ones. */
  deletedConversations: number;
  /** Of the conversations found: those with comments but no message at all. */
  commentOnlyConversations: number;
  /** Of the conversations found: those with neither messages nor comments. */
  emptyConversations: number;
  /** Conversations above Missive's 400-messages-per-conversation limit counting SMS; IDs capped. */
  conversationsOverSmsLimit: { count: number; ids: string[] };
  emailsWithMessageId: number;
  emailsWithoutMessageId: number;
  /**
   * Conversations with emails, by how the import can find them in Missive: by one of their own
   * Message-IDs; only through a reply's In-Reply-To / References (its parent's Message-ID); or not at all.
   */
  emailConversationsLocatable: { byMessageId: number; byInReplyToOnly: number; notLocatable: number };
  /** Messages and comments whose conversation object never appeared (counted in the totals too). */
  orphanMessages: number;
  orphanComments: number;
  /** Entries listed as unrecognised because their conversation cannot be told at all (no link, no folder). */
  orphanEntries: number;
  /** Front objects recognised but not used by the import (tags, links, ...), by kind; not unrecognised. */
  unusedObjects: { total: number; kinds: UnusedObjectKind[] };
  /** Junk entries skipped silently (`__MACOSX/`, `.DS_Store`, `progress.log`, ...); folders not counted. */
  ignoredEntries: number;
  unrecognized: { total: number; groups: UnrecognizedGroup[] };
}

/**
 * What one conversation holds, counted: the store keeps these per conversation on every write, so the
 * summary is built from them (see {@link SummaryAccumulator.addConversationCounts}) without re-reading
 * every message.
 */
export interface ConversationCounts {
  sms: number;
  emails: number;
  otherMessages: number;
  drafts: number;
  comments: number;
  /** Attachments of messages and comments, as the JSON lists them. */
  attachments: number;
  /** Of those, how many have their bytes in a dropped zip. */
  attachmentsWithBytes: number;
  /** Emails with a Message-ID (from an .eml or headers). */
  emailsWithMessageId: number;
  /** Emails naming a parent (In-Reply-To or References); absent in indexes written before it was counted. */
  emailsWithReplyReference?: number;
}

/**
 * Streaming builder of the {@link ExportSummary}. Feed each deduplicated record once, in any
 * order. Adding a conversation again replaces its earlier copy (keeping every inbox it was seen in);
 * messages and comments must be added exactly once, either one by one (`addMessage`, `addComment`) or
 * as a conversation's counts (`addConversationCounts`, what the store replays). Memory stays
 * O(conversations).
 */
export interface SummaryAccumulator {
  addConversation(conversation: Conversation): void;
  addMessage(message: Message): void;
  addComment(comment: Comment): void;
  /**
   * A conversation (found, or a placeholder carrying the inbox folders of its orphans) together with
   * what it holds: the same as addConversation and then adding its messages and comments one by one.
   */
  addConversationCounts(conversation: Conversation, counts: ConversationCounts): void;
  addInbox(inbox: Inbox): void;
  addUnrecognized(entry: UnrecognizedEntry): void;
  /** `count` Front objects of this kind that the import does not use (deduplicated by the caller). */
  addUnusedObjects(kind: string, count: number): void;
  /** `count` junk entries skipped silently. */
  addIgnoredEntries(count: number): void;
  summary(): ExportSummary;
}
