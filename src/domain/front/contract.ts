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
  /** Folders, `__MACOSX/`, `.DS_Store`, `progress.log`: ignored silently (counted, not reported). */
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

/** One Front object found in a JSON entry, already normalised to the model. */
export type ParsedObject =
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'message'; message: Message }
  | { type: 'comment'; comment: Comment }
  | { type: 'inbox'; inbox: Inbox }
  | { type: 'channel'; channel: FrontChannel }
  | { type: 'teammate'; teammate: Teammate }
  | { type: 'contact'; contact: Contact };

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
 * Counts for one inbox key (`inb_…` or `folder:<name>`), including conversations known only
 * through their messages or comments (placeholders carrying the folder of those files).
 */
export interface InboxSummary {
  key: string;
  /** Inbox name when an inbox object was added, else the folder name. */
  name: string;
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

/** The pre-flight "Export summary". Every count is over deduplicated records. */
export interface ExportSummary {
  /** Conversations whose own object was found. */
  conversations: number;
  /** Conversations referenced by messages or comments whose object never appeared. */
  missingConversations: number;
  sms: number;
  emails: number;
  otherMessages: number;
  drafts: number;
  comments: number;
  attachments: { total: number; withBytes: number; missingBytes: number };
  /** Sorted by name. A conversation in two inboxes counts in each. */
  perInbox: InboxSummary[];
  /** Conversations (seen or missing) that carry no inbox key. */
  conversationsWithoutInbox: number;
  /** Comments in conversations holding at least one email or SMS (what Missive's own import keeps). */
  eligibleComments: number;
  notEligibleComments: number;
  deletedConversations: number;
  /** Conversations with comments but no message at all. */
  commentOnlyConversations: number;
  /** Conversations with neither messages nor comments. */
  emptyConversations: number;
  /** Conversations above Missive's 400-messages-per-conversation limit counting SMS; IDs capped. */
  conversationsOverSmsLimit: { count: number; ids: string[] };
  emailsWithMessageId: number;
  emailsWithoutMessageId: number;
  /** Messages and comments whose conversation object never appeared. */
  orphanMessages: number;
  orphanComments: number;
  /** Entries rejected as orphans outright (no conversation link, folder or enclosing object). */
  orphanEntries: number;
  unrecognized: { total: number; groups: UnrecognizedGroup[] };
}

/**
 * Streaming builder of the {@link ExportSummary}. Feed each deduplicated record once, in any
 * order (e.g. by walking the store after ingest). Adding a conversation again replaces its earlier
 * copy; messages and comments must be added exactly once. Memory stays O(conversations).
 */
export interface SummaryAccumulator {
  addConversation(conversation: Conversation): void;
  addMessage(message: Message): void;
  addComment(comment: Comment): void;
  addInbox(inbox: Inbox): void;
  addUnrecognized(entry: UnrecognizedEntry): void;
  summary(): ExportSummary;
}
