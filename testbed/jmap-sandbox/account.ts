/**
 * One JMAP mail account: blobs, mailboxes, emails and threads, with the data rules of RFC 8621
 * (unique sibling names, one mailbox per role, no parent cycles, duplicates per policy). No HTTP
 * and no JSON argument checking here.
 */
import { createHash } from 'node:crypto';
import { invalidProperties, type SetError } from './errors.ts';
import { baseSubject, lineEndings, type ParsedMessage } from './rfc5322.ts';
import type { DuplicatePolicy, JmapMailbox, StoredBlob, StoredJmapEmail } from './types.ts';

/** The mailboxes a fresh account has, with their IANA roles. */
const DEFAULT_MAILBOXES: [name: string, role: string][] = [
  ['Inbox', 'inbox'],
  ['Archive', 'archive'],
  ['Drafts', 'drafts'],
  ['Sent', 'sent'],
  ['Junk Mail', 'junk'],
  ['Trash', 'trash'],
];

export type StateName = 'Mailbox' | 'Email' | 'Thread';

export interface MailboxFields {
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  isSubscribed: boolean;
}

export interface EmailToImport {
  blob: StoredBlob;
  parsed: ParsedMessage;
  mailboxIds: Record<string, true>;
  keywords: Record<string, true>;
  receivedAt: string;
  receivedAtFrom: StoredJmapEmail['receivedAtFrom'];
}

interface Thread {
  id: string;
  baseSubject: string;
  /** Message-IDs of the thread's emails. */
  messageIds: Set<string>;
}

export class JmapAccount {
  readonly #clock: () => number;
  readonly #newId: (prefix: string) => string;
  #blobs = new Map<string, StoredBlob>();
  #mailboxes = new Map<string, JmapMailbox>();
  #emails = new Map<string, StoredJmapEmail>();
  #threads = new Map<string, Thread>();
  #states: Record<StateName, number> = { Mailbox: 0, Email: 0, Thread: 0 };

  constructor(
    readonly accountId: string,
    clock: () => number,
    newId: (prefix: string) => string,
  ) {
    this.#clock = clock;
    this.#newId = newId;
    this.reset();
  }

  reset(): void {
    this.#blobs.clear();
    this.#emails.clear();
    this.#threads.clear();
    this.#mailboxes.clear();
    for (const [index, [name, role]] of DEFAULT_MAILBOXES.entries()) {
      const id = this.#newId('P');
      this.#mailboxes.set(id, { id, name, parentId: null, role, sortOrder: index + 1, isSubscribed: true });
    }
    for (const name of Object.keys(this.#states) as StateName[]) this.#states[name] += 1;
  }

  state(name: StateName): string {
    return String(this.#states[name]);
  }

  // ── Blobs ───────────────────────────────────────────────────────────────────────────────────

  /** Content-addressed: identical bytes get the existing blobId (RFC 8620 §6.1 allows it). */
  storeBlob(bytes: Buffer, type: string): StoredBlob {
    const blobId = `G${createHash('sha1').update(bytes).digest('hex')}`;
    const existing = this.#blobs.get(blobId);
    if (existing) return existing;
    const blob = { blobId, type, size: bytes.length, bytes };
    this.#blobs.set(blobId, blob);
    return blob;
  }

  blob(blobId: string): StoredBlob | undefined {
    return this.#blobs.get(blobId);
  }

  blobs(): StoredBlob[] {
    return [...this.#blobs.values()];
  }

  // ── Mailboxes ───────────────────────────────────────────────────────────────────────────────

  mailboxes(): JmapMailbox[] {
    return [...this.#mailboxes.values()];
  }

  mailbox(id: string): JmapMailbox | undefined {
    return this.#mailboxes.get(id);
  }

  createMailbox(fields: MailboxFields): JmapMailbox | SetError {
    const problem = this.#mailboxProblem(fields, null);
    if (problem) return problem;
    const mailbox = { id: this.#newId('P'), ...fields };
    this.#mailboxes.set(mailbox.id, mailbox);
    this.#states.Mailbox += 1;
    return mailbox;
  }

  updateMailbox(id: string, changes: Partial<MailboxFields>): SetError | null {
    const current = this.#mailboxes.get(id);
    if (!current) return { type: 'notFound' };
    const next = { ...current, ...changes };
    const problem = this.#mailboxProblem(next, id);
    if (problem) return problem;
    this.#mailboxes.set(id, next);
    this.#states.Mailbox += 1;
    return null;
  }

  destroyMailbox(id: string, removeEmails: boolean): SetError | null {
    if (!this.#mailboxes.has(id)) return { type: 'notFound' };
    if (this.mailboxes().some((mailbox) => mailbox.parentId === id)) return { type: 'mailboxHasChild' };
    const inside = this.emails().filter((email) => email.mailboxIds[id]);
    if (inside.length > 0 && !removeEmails) return { type: 'mailboxHasEmail' };
    for (const email of inside) this.#removeFromMailbox(email, id);
    this.#mailboxes.delete(id);
    this.#states.Mailbox += 1;
    return null;
  }

  mailboxCounts(id: string): {
    totalEmails: number;
    unreadEmails: number;
    totalThreads: number;
    unreadThreads: number;
  } {
    const emails = this.emails().filter((email) => email.mailboxIds[id]);
    const unread = emails.filter((email) => !email.keywords.$seen);
    return {
      totalEmails: emails.length,
      unreadEmails: unread.length,
      totalThreads: new Set(emails.map((email) => email.threadId)).size,
      unreadThreads: new Set(unread.map((email) => email.threadId)).size,
    };
  }

  // ── Emails ──────────────────────────────────────────────────────────────────────────────────

  emails(): StoredJmapEmail[] {
    return [...this.#emails.values()];
  }

  email(id: string): StoredJmapEmail | undefined {
    return this.#emails.get(id);
  }

  importEmail(input: EmailToImport, duplicates: DuplicatePolicy): StoredJmapEmail | SetError {
    const existing = this.#duplicateOf(input, duplicates);
    if (existing) {
      return {
        type: 'alreadyExists',
        existingId: existing.id,
        description: `Same ${describePolicy(duplicates)}`,
      };
    }
    const { blob, parsed } = input;
    const email: StoredJmapEmail = {
      id: this.#newId('M'),
      blobId: blob.blobId,
      threadId: this.#threadFor(parsed),
      mailboxIds: input.mailboxIds,
      keywords: input.keywords,
      receivedAt: input.receivedAt,
      receivedAtFrom: input.receivedAtFrom,
      size: blob.size,
      raw: blob.bytes,
      messageId: parsed.messageId,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      subject: parsed.subject,
      sentAt: parsed.sentAt,
      from: parsed.from,
      sender: parsed.sender,
      replyTo: parsed.replyTo,
      to: parsed.to,
      cc: parsed.cc,
      bcc: parsed.bcc,
      preview: parsed.preview,
      hasAttachment: parsed.hasAttachment,
      headers: parsed.headers,
      lineEndings: lineEndings(blob.bytes),
      importedAt: this.#clock(),
    };
    this.#emails.set(email.id, email);
    for (const id of parsed.messageId ?? []) this.#threads.get(email.threadId)?.messageIds.add(id);
    this.#states.Email += 1;
    return email;
  }

  #duplicateOf(input: EmailToImport, duplicates: DuplicatePolicy): StoredJmapEmail | undefined {
    if (duplicates === 'rejectSameContent')
      return this.emails().find((email) => email.blobId === input.blob.blobId);
    const ids = input.parsed.messageId ?? [];
    if (duplicates !== 'rejectSameMessageId' || ids.length === 0) return undefined;
    return this.emails().find((email) => (email.messageId ?? []).some((id) => ids.includes(id)));
  }

  /** Joins the thread of a referenced email with the same base subject, else starts one. */
  #threadFor(parsed: ParsedMessage): string {
    const referenced = new Set([...(parsed.inReplyTo ?? []), ...(parsed.references ?? [])]);
    const subject = baseSubject(parsed.subject);
    const thread = [...this.#threads.values()].find(
      (candidate) =>
        candidate.baseSubject === subject && [...referenced].some((id) => candidate.messageIds.has(id)),
    );
    if (thread) return thread.id;
    const created: Thread = { id: this.#newId('T'), baseSubject: subject, messageIds: new Set() };
    this.#threads.set(created.id, created);
    this.#states.Thread += 1;
    return created.id;
  }

  #removeFromMailbox(email: StoredJmapEmail, mailboxId: string): void {
    delete email.mailboxIds[mailboxId];
    // An email must be in at least one mailbox; with none left it is destroyed.
    if (Object.keys(email.mailboxIds).length === 0) this.#emails.delete(email.id);
    this.#states.Email += 1;
  }

  #mailboxProblem(fields: MailboxFields, selfId: string | null): SetError | null {
    if (fields.parentId !== null && !this.#mailboxes.has(fields.parentId)) {
      return invalidProperties(['parentId'], 'No such parent mailbox');
    }
    if (selfId !== null && this.#isSelfOrDescendant(fields.parentId, selfId)) {
      return invalidProperties(['parentId'], 'A mailbox cannot be its own ancestor');
    }
    const sibling = this.mailboxes().find(
      (mailbox) =>
        mailbox.id !== selfId && mailbox.parentId === fields.parentId && mailbox.name === fields.name,
    );
    if (sibling) return invalidProperties(['name'], `A sibling mailbox is already named "${fields.name}"`);
    const roleHolder =
      fields.role &&
      this.mailboxes().find((mailbox) => mailbox.id !== selfId && mailbox.role === fields.role);
    if (roleHolder)
      return invalidProperties(['role'], `Mailbox ${roleHolder.id} already has role ${fields.role}`);
    return null;
  }

  #isSelfOrDescendant(candidate: string | null, ancestorId: string): boolean {
    for (let id = candidate; id !== null; id = this.#mailboxes.get(id)?.parentId ?? null) {
      if (id === ancestorId) return true;
    }
    return false;
  }
}

function describePolicy(duplicates: DuplicatePolicy): string {
  return duplicates === 'rejectSameContent'
    ? 'content as an existing email'
    : 'Message-ID as an existing email';
}
