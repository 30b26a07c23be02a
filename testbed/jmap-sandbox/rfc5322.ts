/** What the JMAP sandbox reads from an uploaded RFC 5322 message (RFC 8621 §4.1 parsed forms). */
import type { Address } from 'postal-mime';
import { bareMessageId, dateHeaderMillis, messageIdList, parseHeaderBlock } from '../sandbox-kit/rfc5322.ts';
import type { EmailAddress } from './types.ts';

export { baseSubject, lineEndings } from '../sandbox-kit/rfc5322.ts';

const PREVIEW_CHARS = 256;

export interface ParsedMessage {
  headers: { name: string; value: string }[];
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  subject: string | null;
  sentAt: string | null;
  from: EmailAddress[] | null;
  sender: EmailAddress[] | null;
  replyTo: EmailAddress[] | null;
  to: EmailAddress[] | null;
  cc: EmailAddress[] | null;
  bcc: EmailAddress[] | null;
  preview: string;
  hasAttachment: boolean;
  /** The newest Received header's date, for the default receivedAt. */
  lastReceivedAt: number | null;
}

/** The parsed message, or null when the bytes do not start with a header block (invalidEmail). */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage | null> {
  const block = await parseHeaderBlock(raw);
  if (!block) return null;
  const { email, fields, first } = block;
  return {
    headers: fields,
    messageId: asMessageIds(first('message-id')),
    inReplyTo: asMessageIds(first('in-reply-to')),
    references: asMessageIds(first('references')),
    subject: email.subject ?? null,
    sentAt: asUtcDate(dateHeaderMillis(first('date'))),
    from: addresses(email.from ? [email.from] : undefined),
    sender: addresses(email.sender ? [email.sender] : undefined),
    replyTo: addresses(email.replyTo),
    to: addresses(email.to),
    cc: addresses(email.cc),
    bcc: addresses(email.bcc),
    preview: (email.text ?? '').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS),
    hasAttachment: email.attachments.some((attachment) => attachment.disposition !== 'inline'),
    lastReceivedAt: lastReceivedMillis(email.headers.filter((header) => header.key === 'received')),
  };
}

/** RFC 8621 §4.1.2.3: the ids without angle brackets, or null when the value is not a valid msg-id list. */
export function asMessageIds(value: string | null): string[] | null {
  return messageIdList(value)?.map(bareMessageId) ?? null;
}

export function asUtcDate(millis: number | null): string | null {
  return millis === null ? null : new Date(millis).toISOString().replace(/\.000Z$/, 'Z');
}

/** Received: … ; <date>. The newest is the first field (each hop prepends its own). */
function lastReceivedMillis(received: { value: string }[]): number | null {
  for (const header of received) {
    const millis = dateHeaderMillis(header.value.slice(header.value.lastIndexOf(';') + 1));
    if (millis !== null) return millis;
  }
  return null;
}

function addresses(list: Address[] | undefined): EmailAddress[] | null {
  if (!list || list.length === 0) return null;
  return list.flatMap((entry) =>
    entry.group
      ? entry.group.map((member) => ({ name: member.name || null, email: member.address }))
      : [{ name: entry.name || null, email: entry.address }],
  );
}
