/**
 * The import report's data model: what the JSON report contains, what the CSV and HTML are derived
 * from. The shape follows issue 5 exactly; the extra fields (`inbox`, `subject`, `target`,
 * `flags`, `attachmentsNotImported`, `generatedAt`, `itemsMatchTotals`) are additions the issue allows.
 *
 * There is deliberately no field that could hold the Missive token: the report types simply have
 * no place for it, and every free-text string goes through `redactSecrets` on its way out.
 */
import type { ItemKind, ItemStatus } from '../model.ts';

export const REPORT_FORMAT = 'front-missive-import-report';
export const REPORT_VERSION = 1;

/** Every kind, in the order the report lists them. */
export const ITEM_KINDS: readonly ItemKind[] = [
  'conversation',
  'sms',
  'comment',
  'email',
  'other_message',
  'contact',
];

export const ITEM_STATUSES: readonly ItemStatus[] = ['imported', 'skipped', 'failed', 'pending'];

/** One Front object (or one built contact) and what happened to it. */
export interface ReportItem {
  kind: ItemKind;
  /** Front ID (`cnv_…`, `msg_…`, `com_…`); for kind `contact`, the contact key (see contactKey). */
  frontId: string;
  /** The Front conversation it belongs to; null for contacts. */
  frontConversationId: string | null;
  status: ItemStatus;
  /** Why it was skipped, or Missive's error text when it failed. */
  reason?: string;
  missiveConversationId?: string;
  missivePostId?: string;
  /** Display name of the Front inbox the item is attributed to. */
  inbox?: string;
  /** The Front conversation's subject, so a reader can find it (untrusted text). */
  subject?: string;
  /** For relayed emails: the mailbox the copy was stored in. */
  target?: string;
  /**
   * Notes on an item imported, but not exactly as it was in Front: the FLAGS texts of
   * import/reasons.ts (e.g. FLAGS.over400Sms, FLAGS.commentFilesListed).
   */
  flags?: readonly string[];
  /** Comment attachments that a Missive post cannot carry: their file names. */
  attachmentsNotImported?: readonly string[];
}

export interface KindTotals {
  found: number;
  imported: number;
  skipped: number;
  failed: number;
  pending: number;
}

export type ReportTotals = Record<ItemKind, KindTotals>;

export interface ReportUnrecognizedFile {
  path: string;
  reason: string;
}

export interface ReportSource {
  /** Zip file name as the user dropped it. */
  name: string;
  /** Bytes. */
  size: number;
  /** Number of entries in the zip. */
  entries: number;
  unrecognized: ReportUnrecognizedFile[];
}

/** Everything in the JSON report before `totals` and `items`. */
export interface ReportHeader {
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; null while the import is running or paused (a partial report). */
  finishedAt: string | null;
  missive: { apiBase: string; organization: string | null };
  sources: ReportSource[];
  /** ISO 8601: when this report file was produced. */
  generatedAt?: string;
}

/** A group of items that share one reason (skipped) or one error text (failed). */
export interface ReasonGroup {
  reason: string;
  count: number;
  byKind: Partial<Record<ItemKind, number>>;
  /** A few Front IDs, so the reader can look one up. */
  examples: string[];
}

export interface InboxTotals {
  /** Inbox display name; null for items attributed to no inbox (contacts, orphans). */
  inbox: string | null;
  totals: ReportTotals;
}

export interface ReportFailure {
  kind: ItemKind;
  frontId: string;
  frontConversationId: string | null;
  inbox: string | null;
  subject: string | null;
  /** Missive's error text, redacted. */
  error: string;
}

export interface CommentAttachmentsNotImported {
  frontId: string;
  frontConversationId: string | null;
  names: string[];
}

export interface RejectedDuplicate {
  kind: ItemKind;
  frontId: string;
  /** Extra occurrences rejected (the first occurrence is counted). */
  occurrences: number;
}

/** What the first pass over the items yields; the HTML summary is written from it. */
export interface ReportSummary {
  totals: ReportTotals;
  perInbox: InboxTotals[];
  skippedByReason: ReasonGroup[];
  failedByReason: ReasonGroup[];
  /** The first failures (capped), each with Missive's error text. */
  failures: ReportFailure[];
  /** Failures counted but not kept in `failures` (over the cap). */
  failuresNotListed: number;
  commentAttachments: CommentAttachmentsNotImported[];
  commentAttachmentsNotListed: number;
  /** Items per note (flag text), like skippedByReason. */
  flagged: ReasonGroup[];
  /** Emails skipped because Missive syncs them from the mail server (SKIP_REASONS.emailSynced). */
  emailsOnMailServer: number;
  /** Conversations flagged FLAGS.over400Sms. */
  conversationsOver400Sms: number;
  /** Comments whose files were listed by name only (FLAGS.commentFilesListed, or names given). */
  commentsWithFiles: number;
  duplicates: RejectedDuplicate[];
}
