/**
 * The normalised Front model: what the ingest produces from the export, what the store keeps,
 * and what planning, the Missive mapping and the report read. Pure data, no behaviour.
 *
 * Times are Unix milliseconds (normalised once, at parse time). Front IDs keep their prefixes
 * (`cnv_`, `msg_`, `com_`, ...).
 */

/** How a Front message is imported: SMS go to the custom channel, emails to the mail server or relay. */
export type MessageKind = 'sms' | 'email' | 'other_message';

/** The kinds the report accounts for, one name across UI, code and report. */
export type ItemKind = 'conversation' | 'sms' | 'comment' | 'email' | 'other_message' | 'contact';

export type ItemStatus = 'imported' | 'skipped' | 'failed' | 'pending';

/** Where bytes live inside one of the dropped zip files; the bytes are read again when needed. */
export interface EntryRef {
  /** Fingerprint of the source zip (see {@link SourceFile.id}). */
  source: string;
  /** Full entry path inside the zip. */
  path: string;
  /** Uncompressed size in bytes, as the zip directory says. */
  size: number;
}

export interface Recipient {
  handle: string;
  name: string | null;
  role: 'from' | 'to' | 'cc' | 'bcc' | 'reply-to' | string;
}

export interface AttachmentInfo {
  /** Front attachment ID (`fil_…`) when the export has one. */
  id: string | null;
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  cid: string | null;
  /** Where the bytes are; null when the export does not contain them (the report says so). */
  ref: EntryRef | null;
}

export interface Inbox {
  /** Stable key: the Front inbox ID when known, else `folder:<folder name>`. */
  key: string;
  frontId: string | null;
  name: string;
  /** Front channel type (`smtp`, `gmail`, `twilio`, ...) when the export tells it. */
  channelType: string | null;
  /** The user's mark: this inbox's emails exist only in Front (SMTP forwarding). Used by relay mode. */
  smtpForwarding: boolean;
}

export interface Conversation {
  id: string;
  /** False while only its messages or comments have been seen (the conversation file may be in another zip). */
  seen: boolean;
  subject: string;
  /** Front status: archived, unassigned, deleted, assigned, ... */
  status: string;
  /** Front type: conversation, discussion, task. */
  type: string;
  createdAt: number | null;
  inboxKeys: string[];
  tags: string[];
  assigneeName: string | null;
  recipientHandle: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  kind: MessageKind;
  /** Front's own message type (`sms`, `email`, `custom`, `whatsapp`, ...). */
  frontType: string;
  isInbound: boolean;
  isDraft: boolean;
  createdAt: number;
  subject: string;
  /** HTML for emails; untrusted. */
  body: string;
  text: string;
  authorName: string | null;
  recipients: Recipient[];
  attachments: AttachmentInfo[];
  /** RFC 5322 Message-ID with angle brackets, when the export has it (.eml or headers). */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** The .eml file of this message in the export, when there is one. */
  eml: EntryRef | null;
}

export interface Comment {
  id: string;
  conversationId: string;
  authorName: string;
  authorEmail: string | null;
  body: string;
  postedAt: number;
  attachments: AttachmentInfo[];
  isPinned: boolean;
}

export interface Teammate {
  id: string;
  email: string | null;
  name: string;
}

export interface Contact {
  id: string;
  name: string | null;
  handles: { handle: string; source: string }[];
}

export interface UnrecognizedEntry {
  /** Source zip file name as the user dropped it. */
  source: string;
  path: string;
  reason: string;
}

/** A dropped zip file and how far its ingest got. */
export interface SourceFile {
  /** Fingerprint: name, size and last-modified time; dropping the same file again is recognised. */
  id: string;
  name: string;
  size: number;
  lastModified: number;
  status: 'pending' | 'indexing' | 'done' | 'failed' | 'cancelled';
  /** Entries fully processed and committed; an interrupted ingest resumes after this index. */
  checkpoint: number;
  entries: number;
  bytesDone: number;
  error: string | null;
}
