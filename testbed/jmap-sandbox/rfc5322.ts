/** What the JMAP sandbox reads from an uploaded RFC 5322 message (RFC 8621 §4.1 parsed forms). */
import PostalMime, { type Address, type Email } from 'postal-mime';
import type { EmailAddress } from './types.ts';

/** RFC 5322 field-name: printable US-ASCII except colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
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
  const email = await parseOrNull(raw);
  if (!email) return null;
  const headers = email.headers.map((header) => ({ name: header.originalKey, value: header.value }));
  if (headers.length === 0 || !headers.every((header) => FIELD_NAME.test(header.name))) return null;
  const first = (name: string) => email.headers.find((header) => header.key === name)?.value ?? null;
  return {
    headers,
    messageId: asMessageIds(first('message-id')),
    inReplyTo: asMessageIds(first('in-reply-to')),
    references: asMessageIds(first('references')),
    subject: email.subject ?? null,
    sentAt: asUtcDate(dateMillis(first('date'))),
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

/** postal-mime rejects pathological input (nesting, header size): that is an invalidEmail. */
async function parseOrNull(raw: Buffer): Promise<Email | null> {
  try {
    return await PostalMime.parse(raw);
  } catch {
    return null;
  }
}

// RFC 5322 §3.6.4 msg-id; RFC 8621's asMessageIds gives them without angle brackets.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM_TEXT = `${ATEXT}(?:\\.${ATEXT})*`;
const MSG_ID = `<(${DOT_ATOM_TEXT}@(?:${DOT_ATOM_TEXT}|\\[[^\\[\\]\\\\\\s]*\\]))>`;
const MSG_ID_LIST = new RegExp(`^\\s*(?:${MSG_ID}\\s*)+$`);

/** RFC 8621 §4.1.2.3: the ids, or null when the value is not a valid msg-id list. */
export function asMessageIds(value: string | null): string[] | null {
  if (value === null) return null;
  const withoutComments = value.replace(/\([^()]*\)/g, ' ');
  if (!MSG_ID_LIST.test(withoutComments)) return null;
  return [...withoutComments.matchAll(new RegExp(MSG_ID, 'g'))].map((match) => match[1] ?? '');
}

/** Subject without reply/forward prefixes, case and spacing, for thread matching. */
export function baseSubject(subject: string | null): string {
  let text = (subject ?? '').trim();
  const prefix = /^(?:re|fwd?|aw|sv|antw)\s*(?:\[\d+\])?\s*:\s*/i;
  while (prefix.test(text)) text = text.replace(prefix, '');
  return text.replace(/\s+/g, ' ').toLowerCase();
}

export function asUtcDate(millis: number | null): string | null {
  return millis === null ? null : new Date(millis).toISOString().replace(/\.000Z$/, 'Z');
}

export function lineEndings(raw: Buffer): 'crlf' | 'lf' | 'mixed' | 'none' {
  let crlf = 0;
  let bareLf = 0;
  for (let index = raw.indexOf(0x0a); index >= 0; index = raw.indexOf(0x0a, index + 1)) {
    if (index > 0 && raw[index - 1] === 0x0d) crlf += 1;
    else bareLf += 1;
  }
  if (crlf === 0 && bareLf === 0) return 'none';
  if (bareLf === 0) return 'crlf';
  return crlf === 0 ? 'lf' : 'mixed';
}

function dateMillis(value: string | null): number | null {
  if (value === null) return null;
  const millis = Date.parse(value.replace(/\([^()]*\)/g, ' ').trim());
  return Number.isFinite(millis) ? millis : null;
}

/** Received: … ; <date>. The newest is the first field (each hop prepends its own). */
function lastReceivedMillis(received: { value: string }[]): number | null {
  for (const header of received) {
    const millis = dateMillis(header.value.slice(header.value.lastIndexOf(';') + 1));
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
