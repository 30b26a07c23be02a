/** What the mail sandboxes read from an uploaded RFC 5322 message, shared by Gmail and JMAP. */
import PostalMime, { type Email } from 'postal-mime';

/** RFC 5322 field-name: printable US-ASCII except colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export interface HeaderBlock {
  email: Email;
  /** Every header field in order, name as sent, value unfolded. */
  fields: { name: string; value: string }[];
  /** The first value of a header (lower-case name), or null. */
  first(name: string): string | null;
}

/**
 * The parsed message with its header fields, or null when the bytes do not start with a header
 * block (postal-mime also rejects pathological input: nesting, header size): the client's error.
 */
export async function parseHeaderBlock(raw: Buffer): Promise<HeaderBlock | null> {
  let email: Email;
  try {
    email = await PostalMime.parse(raw);
  } catch {
    return null;
  }
  const fields = email.headers.map((header) => ({ name: header.originalKey, value: header.value }));
  if (fields.length === 0 || !fields.every((field) => FIELD_NAME.test(field.name))) return null;
  const first = (name: string) => email.headers.find((header) => header.key === name)?.value ?? null;
  return { email, fields, first };
}

// RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">", both dot-atom-text (or a no-fold-literal right).
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM_TEXT = `${ATEXT}(?:\\.${ATEXT})*`;
const MSG_ID = `<${DOT_ATOM_TEXT}@(?:${DOT_ATOM_TEXT}|\\[[^\\[\\]\\\\\\s]*\\])>`;
const MSG_ID_LIST = new RegExp(`^\\s*(?:${MSG_ID}\\s*)+$`);
const MSG_ID_GLOBAL = new RegExp(MSG_ID, 'g');

/** The msg-ids (with angle brackets) of a Message-ID / In-Reply-To / References value, or null when not RFC 5322 compliant. */
export function messageIdList(value: string | null): string[] | null {
  if (value === null) return null;
  const withoutComments = value.replace(/\([^()]*\)/g, ' ');
  if (!MSG_ID_LIST.test(withoutComments)) return null;
  return withoutComments.match(MSG_ID_GLOBAL) ?? [];
}

/** A Message-ID compared the way a search would: no angle brackets, no surrounding space. */
export function bareMessageId(value: string): string {
  return value.trim().replace(/^<|>$/g, '').trim();
}

/** Subject without reply/forward prefixes, case and spacing, so "Re: Hello" matches "hello". */
export function baseSubject(subject: string | null): string {
  let text = (subject ?? '').trim();
  const prefix = /^(?:re|fwd?|aw|sv|antw)\s*(?:\[\d+\])?\s*:\s*/i;
  while (prefix.test(text)) text = text.replace(prefix, '');
  return text.replace(/\s+/g, ' ').toLowerCase();
}

/** Milliseconds since epoch from a Date header, or null when it does not parse. */
export function dateHeaderMillis(value: string | null): number | null {
  if (value === null) return null;
  const millis = Date.parse(value.replace(/\([^()]*\)/g, ' ').trim());
  return Number.isFinite(millis) ? millis : null;
}

/** How lines end in the stored bytes (the relay must send CRLF). */
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
