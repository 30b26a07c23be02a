/**
 * Merge-on-write for the store: the Front domain's merge helpers (dedupe by Front ID), plus folding the
 * .eml files and attachment bytes found in the zips into their message.
 */
import type { AttachmentInfo, Inbox, Message } from '../domain/model.ts';
import type { MergeResult } from '../domain/front/index.ts';
import type { FileRefRow } from './store-schema.ts';

export {
  mergeComment,
  mergeConversation,
  mergeMessage,
  placeholderConversation,
} from '../domain/front/index.ts';

/** Collects the differences the domain reports between two copies of a record, capped. */
export class ConflictLog {
  readonly examples: string[] = [];
  count = 0;

  constructor(private readonly max = 20) {}

  take<T>(result: MergeResult<T>): T {
    if (result.conflict !== null) {
      this.count++;
      if (this.examples.length < this.max) this.examples.push(result.conflict);
    }
    return result.merged;
  }

  absorb(other: ConflictLog): void {
    this.count += other.count;
    for (const example of other.examples) if (this.examples.length < this.max) this.examples.push(example);
  }
}

/** Two copies of an inbox: names and channel types fill gaps; the user's SMTP-forwarding mark is kept. */
export function mergeInbox(existing: Inbox, incoming: Inbox): Inbox {
  const merged: Inbox = {
    key: existing.key,
    frontId: existing.frontId ?? incoming.frontId,
    name: existing.name && existing.name !== existing.key ? existing.name : incoming.name || existing.name,
    channelType: existing.channelType ?? incoming.channelType,
    smtpForwarding: existing.smtpForwarding || incoming.smtpForwarding,
  };
  const same =
    merged.frontId === existing.frontId &&
    merged.name === existing.name &&
    merged.channelType === existing.channelType &&
    merged.smtpForwarding === existing.smtpForwarding;
  return same ? existing : merged;
}

function lastSegment(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/**
 * Folds the .eml and attachment files found for a message into it: the .eml gives the threading
 * headers and the original MIME; an attachment file fills the byte reference of the attachment with
 * the same file name (then size). Returns `message` itself when nothing changes.
 */
export function applyFileRefs(message: Message, refs: readonly FileRefRow[]): Message {
  if (refs.length === 0) return message;
  let out = message;
  const edit = () => (out === message ? (out = { ...message }) : out);
  let attachments: AttachmentInfo[] | null = null;
  const list = () => (attachments ??= message.attachments.slice());

  for (const row of refs) {
    if (row.kind === 'eml') {
      if (out.eml === null) edit().eml = row.ref;
      const headers = row.headers;
      if (headers) {
        if (out.messageId === null && headers.messageId) edit().messageId = headers.messageId;
        if (out.inReplyTo === null && headers.inReplyTo) edit().inReplyTo = headers.inReplyTo;
        if (out.references.length === 0 && headers.references.length > 0)
          edit().references = headers.references;
      }
      continue;
    }
    const current = attachments ?? message.attachments;
    // Already linked (possibly to the same entry in another copy of the zip).
    if (current.some((a) => a.ref?.path === row.ref.path)) continue;
    const name = row.name;
    const candidates = current
      .map((a, i) => [a, i] as const)
      .filter(([a]) => a.ref === null && (a.filename === name || lastSegment(a.filename) === name));
    let pick = candidates.find(([a]) => a.size === row.ref.size) ?? candidates[0];
    if (!pick) {
      // Exporters may rename files on disk: fall back to the one unmatched attachment of that size.
      const bySize = current
        .map((a, i) => [a, i] as const)
        .filter(([a]) => a.ref === null && a.size === row.ref.size);
      if (bySize.length === 1) pick = bySize[0];
    }
    // A file that matches no listed attachment stays in the file references (not counted twice).
    if (pick) list()[pick[1]] = { ...pick[0], ref: row.ref };
  }
  if (attachments) edit().attachments = attachments;
  return out;
}
