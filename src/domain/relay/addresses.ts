/** Address headers (From, To, Cc, …) from Front recipients, encoded per RFC 5322 / RFC 2047. */
import type { Recipient } from '../model.ts';
import {
  containsEncodedWordMarker,
  encodedWords,
  isAtomPhrase,
  isPlainHeaderText,
  quotedString,
  spaceSeparated,
} from './encoding.ts';
import { DERIVED_MESSAGE_ID_DOMAIN } from './threading.ts';

export interface MailboxAddress {
  name: string | null;
  address: string;
}

/** Stands in for a handle that is not an email address; the handle itself is kept as the display name. */
export const UNKNOWN_ADDRESS = `unknown-address@${DERIVED_MESSAGE_ID_DOMAIN}`;

/** Longer display names are encoded (encoded-words fold; a quoted string cannot be split safely). */
const MAX_QUOTED_NAME_LENGTH = 60;

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const ASCII_DOMAIN = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;
const DOMAIN_LITERAL = /^\[[\x21-\x5a\x5e-\x7e]+\]$/;

/**
 * A handle as an RFC 5322 addr-spec, or null when it is not an email address. Unicode domains
 * become punycode (via the URL parser); a local part that is not a dot-atom is quoted; a
 * non-ASCII local part stays UTF-8 (RFC 6532), as there is no ASCII form for it.
 */
export function normaliseAddress(handle: string): string | null {
  const trimmed = handle.trim().replace(/^<(.*)>$/, '$1');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  if (/\p{Cc}/u.test(trimmed)) return null;
  const local = trimmed.slice(0, at);
  const domain = asciiDomain(trimmed.slice(at + 1));
  if (domain === null) return null;
  return `${addressLocalPart(local)}@${domain}`;
}

function addressLocalPart(local: string): string {
  if (DOT_ATOM.test(local)) return local;
  if (/^"(?:[^"\\]|\\.)*"$/.test(local)) return local;
  if (!/^[\x20-\x7e]*$/.test(local) && !/[\s"\\<>()[\],;:@]/.test(local)) return local; // RFC 6532 UTF-8
  return quotedString(local);
}

function asciiDomain(domain: string): string | null {
  if (DOMAIN_LITERAL.test(domain)) return domain;
  if (ASCII_DOMAIN.test(domain)) return domain.toLowerCase();
  if (/[\s/\\?#@:[\]<>%]/.test(domain)) return null;
  try {
    const hostname = new URL(`http://${domain}`).hostname;
    return ASCII_DOMAIN.test(hostname) ? hostname : null;
  } catch {
    return null;
  }
}

/** A Front recipient as a mailbox; a handle that is not an email keeps its text as the name. */
export function recipientMailbox(recipient: Pick<Recipient, 'handle' | 'name'>): MailboxAddress {
  const name = recipient.name?.trim() || null;
  const address = normaliseAddress(recipient.handle);
  if (address !== null) return { name, address };
  return { name: name ?? (recipient.handle.trim() || null), address: UNKNOWN_ADDRESS };
}

/** A display name as fold segments: atoms as is, ASCII with specials quoted, anything else encoded. */
export function displayNameSegments(name: string): string[] {
  const flat = name.replace(/[\r\n]+/g, ' ').trim();
  const plain = isPlainHeaderText(flat) && !containsEncodedWordMarker(flat);
  if (plain && flat.length <= MAX_QUOTED_NAME_LENGTH) {
    return isAtomPhrase(flat) ? spaceSeparated(flat.split(' ')) : [quotedString(flat)];
  }
  return spaceSeparated(encodedWords(flat));
}

/** One mailbox as fold segments: `Name <addr>` or a bare addr-spec. */
export function mailboxSegments(mailbox: MailboxAddress): string[] {
  const name = mailbox.name?.trim();
  if (!name) return [mailbox.address];
  return [...displayNameSegments(name), ` <${mailbox.address}>`];
}

/** A mailbox list as fold segments, comma separated; folds fall between and inside mailboxes. */
export function mailboxListSegments(mailboxes: readonly MailboxAddress[]): string[] {
  const segments: string[] = [];
  mailboxes.forEach((mailbox, index) => {
    const own = mailboxSegments(mailbox);
    if (index > 0) {
      segments[segments.length - 1] += ',';
      own[0] = ` ${own[0]}`;
    }
    segments.push(...own);
  });
  return segments;
}
