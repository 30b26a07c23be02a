/** File names inside the `.eml` zip download: stable, readable, and safe on every OS. */
import type { Conversation, Message } from '../model.ts';

/** Names Windows refuses whatever the extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_FOLDER_LENGTH = 60;
const MAX_SLUG_LENGTH = 50;

/** Cut at a code point boundary, so a name never ends in half a character. */
function truncate(text: string, maxCodePoints: number): string {
  const chars = Array.from(text);
  return chars.length <= maxCodePoints ? text : chars.slice(0, maxCodePoints).join('');
}

/**
 * One path segment: no separators, control or reserved characters (`<>:"/\|?*`), no leading or
 * trailing dots, spaces or dashes (Windows drops dots and spaces; `..` would climb), no reserved
 * device names.
 */
export function safePathSegment(name: string, fallback: string): string {
  let segment = name
    .normalize('NFC')
    .replace(/[\p{Cc}<>:"/\\|?*]+/gu, '-')
    .replace(/\s+/g, ' ');
  segment = truncate(segment, MAX_FOLDER_LENGTH).replace(/^[\s.-]+|[\s.-]+$/g, '');
  if (segment === '') return fallback;
  return WINDOWS_RESERVED.test(segment) ? `${segment}_` : segment;
}

/** Lowercase letters and digits of any script joined by `-`; `no-subject` when nothing is left. */
export function subjectSlug(subject: string): string {
  const words = subject
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((word) => word !== '');
  const slug = truncate(words.join('-'), MAX_SLUG_LENGTH).replace(/-+$/, '');
  return slug === '' ? 'no-subject' : slug;
}

/** `2023-11-29_211719` in UTC: sorts chronologically and never depends on the machine. */
function fileDate(unixMs: number): string {
  const iso = new Date(Number.isFinite(unixMs) ? unixMs : 0).toISOString();
  return `${iso.slice(0, 10)}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** The inbox folder when the caller does not name it: the conversation's first inbox key. */
function defaultInboxName(conversation: Conversation): string {
  const key = conversation.inboxKeys[0];
  if (key === undefined) return 'No inbox';
  return key.startsWith('folder:') ? key.slice('folder:'.length) : key;
}

/**
 * `<inbox>/<date>-<subject slug>-<msg_id>.eml`. The Front message ID makes it unique and stable
 * across runs; pass the inbox's display name when known (else the first inbox key is used).
 */
export function emlFileName(message: Message, conversation: Conversation, inboxName?: string): string {
  const folder = safePathSegment(inboxName ?? defaultInboxName(conversation), 'No inbox');
  const subject = message.subject.trim() !== '' ? message.subject : conversation.subject;
  const id = message.id.replace(/[^A-Za-z0-9_-]+/g, '-') || 'message';
  return `${folder}/${fileDate(message.createdAt)}-${subjectSlug(subject)}-${id}.eml`;
}
