/**
 * De-duplication of records met twice (a conversation shared by two inboxes, the same file in two
 * zips). Pure: inputs are never mutated; when the incoming copy adds nothing the existing object
 * is returned as is, so the caller can skip the store write.
 */
import type { AttachmentInfo, Comment, Conversation, Message, Recipient } from '../model.ts';
import type { MergeResult } from './contract.ts';

/** Scalar values longer than this are named in conflicts but not quoted. */
const MAX_QUOTED_LENGTH = 60;

/** A conversation known only through its messages or comments (its file may be in another zip). */
export function placeholderConversation(id: string, inboxKeys: readonly string[] = []): Conversation {
  return {
    id,
    seen: false,
    subject: '',
    status: '',
    type: '',
    createdAt: null,
    inboxKeys: [...inboxKeys],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
  };
}

/** `existing` itself when `incoming` adds no key, else a new array keeping first-seen order. */
function unionKeys(existing: readonly string[], incoming: readonly string[]): readonly string[] {
  let union: string[] | null = null;
  for (const key of incoming) {
    if (existing.includes(key) || union?.includes(key)) continue;
    union ??= [...existing];
    union.push(key);
  }
  return union ?? existing;
}

type Scalar = string | number | boolean | null;

function quote(value: Scalar): string {
  if (typeof value !== 'string') return String(value);
  return value.length <= MAX_QUOTED_LENGTH ? JSON.stringify(value) : `(${value.length} chars)`;
}

/** Collects which fields differ between two copies and which of the existing's gaps to fill. */
class FieldComparison<T extends object> {
  readonly differences: string[] = [];
  readonly filled: Partial<T> = {};
  private filledAny = false;

  constructor(
    private readonly existing: T,
    private readonly incoming: T,
  ) {}

  /** Empty values ('' or null) are gaps: filled from the other copy, not reported. */
  scalar<K extends keyof T>(field: K & string): void {
    const mine = this.existing[field] as Scalar;
    const theirs = this.incoming[field] as Scalar;
    if (mine === theirs) return;
    if (mine === null || mine === '') {
      if (theirs === null || theirs === '') return;
      this.fill(field, this.incoming[field]);
      return;
    }
    if (theirs === null || theirs === '') return;
    this.differences.push(`${field} (${quote(mine)} vs ${quote(theirs)})`);
  }

  /** Reported by name only: bodies are long. */
  text<K extends keyof T>(field: K & string): void {
    const mine = this.existing[field] as string;
    const theirs = this.incoming[field] as string;
    if (mine === theirs) return;
    if (mine === '') this.fill(field, this.incoming[field]);
    else if (theirs !== '') this.differences.push(field);
  }

  differ(field: string, differs: boolean): void {
    if (differs) this.differences.push(field);
  }

  fill<K extends keyof T>(field: K, value: T[K]): void {
    this.filled[field] = value;
    this.filledAny = true;
  }

  result(label: string): MergeResult<T> {
    const merged = this.filledAny ? { ...this.existing, ...this.filled } : this.existing;
    const conflict =
      this.differences.length === 0 ? null : `${label}: copies differ in ${this.differences.join(', ')}`;
    return { merged, conflict };
  }
}

function sameStringSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((item) => set.has(item));
}

function sameRecipients(a: readonly Recipient[], b: readonly Recipient[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((recipient, index) => {
    const other = b[index]!;
    return (
      recipient.handle === other.handle && recipient.role === other.role && recipient.name === other.name
    );
  });
}

function sameAttachment(a: AttachmentInfo, b: AttachmentInfo): boolean {
  return a.id === b.id && a.filename === b.filename && a.size === b.size;
}

function sameAttachments(a: readonly AttachmentInfo[], b: readonly AttachmentInfo[]): boolean {
  return a.length === b.length && a.every((attachment, index) => sameAttachment(attachment, b[index]!));
}

/** Existing attachments with byte refs filled from the other copy; null when none was filled. */
function fillAttachmentRefs(
  existing: readonly AttachmentInfo[],
  incoming: readonly AttachmentInfo[],
): AttachmentInfo[] | null {
  let filled: AttachmentInfo[] | null = null;
  existing.forEach((attachment, index) => {
    if (attachment.ref !== null) return;
    const match = incoming.find((other) => other.ref !== null && sameAttachment(attachment, other));
    if (!match) return;
    filled ??= existing.slice();
    filled[index] = { ...attachment, ref: match.ref };
  });
  return filled;
}

/**
 * Merges two copies of a conversation: inbox keys are united (a shared conversation belongs to
 * every inbox folder it appeared in); a placeholder is completed by the real object; between two
 * real copies the first is kept, its gaps filled, tags united and differences reported.
 */
export function mergeConversation(existing: Conversation, incoming: Conversation): MergeResult<Conversation> {
  const inboxKeys = unionKeys(existing.inboxKeys, incoming.inboxKeys);
  if (!existing.seen && incoming.seen) {
    const keys = unionKeys(incoming.inboxKeys, existing.inboxKeys);
    return {
      merged: keys === incoming.inboxKeys ? incoming : { ...incoming, inboxKeys: [...keys] },
      conflict: null,
    };
  }
  const comparison = new FieldComparison(existing, incoming);
  if (inboxKeys !== existing.inboxKeys) comparison.fill('inboxKeys', [...inboxKeys]);
  if (!incoming.seen) return comparison.result(`conversation ${existing.id}`);

  for (const field of [
    'subject',
    'status',
    'type',
    'createdAt',
    'assigneeName',
    'recipientHandle',
  ] as const) {
    comparison.scalar(field);
  }
  if (!sameStringSet(existing.tags, incoming.tags)) {
    if (existing.tags.length > 0 && incoming.tags.length > 0) comparison.differ('tags', true);
    comparison.fill('tags', [...unionKeys(existing.tags, incoming.tags)]);
  }
  return comparison.result(`conversation ${existing.id}`);
}

/**
 * Merges two copies of a message: the first is kept; threading headers, the .eml ref and
 * attachment byte refs are filled from the other copy; differing content is reported.
 */
export function mergeMessage(existing: Message, incoming: Message): MergeResult<Message> {
  const comparison = new FieldComparison(existing, incoming);
  for (const field of [
    'conversationId',
    'frontType',
    'isInbound',
    'isDraft',
    'createdAt',
    'subject',
    'authorName',
    'messageId',
    'inReplyTo',
  ] as const) {
    comparison.scalar(field);
  }
  comparison.text('body');
  comparison.text('text');
  comparison.differ('recipients', !sameRecipients(existing.recipients, incoming.recipients));
  comparison.differ('attachments', !sameAttachments(existing.attachments, incoming.attachments));
  if (existing.references.length === 0 && incoming.references.length > 0) {
    comparison.fill('references', incoming.references);
  }
  if (existing.eml === null && incoming.eml !== null) comparison.fill('eml', incoming.eml);
  const attachments = fillAttachmentRefs(existing.attachments, incoming.attachments);
  if (attachments) comparison.fill('attachments', attachments);
  return comparison.result(`message ${existing.id}`);
}

/** Merges two copies of a comment: the first is kept, gaps filled, differences reported. */
export function mergeComment(existing: Comment, incoming: Comment): MergeResult<Comment> {
  const comparison = new FieldComparison(existing, incoming);
  for (const field of ['conversationId', 'postedAt', 'authorName', 'authorEmail', 'isPinned'] as const) {
    comparison.scalar(field);
  }
  comparison.text('body');
  comparison.differ('attachments', !sameAttachments(existing.attachments, incoming.attachments));
  const attachments = fillAttachmentRefs(existing.attachments, incoming.attachments);
  if (attachments) comparison.fill('attachments', attachments);
  return comparison.result(`comment ${existing.id}`);
}
