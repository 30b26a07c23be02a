/**
 * Entry paths inside the export zips: splitting, Front IDs in names and folders, and the inbox
 * folder a conversation lives in. Paths are opaque UTF-8 (spaces, non-ASCII inbox names).
 */

/** Front IDs are a lowercase prefix, an underscore and a base-36 token (`cnv_yo1kg5q`). */
const FRONT_ID = /^([a-z]+)_[A-Za-z0-9]+$/;
const CONVERSATION_ID = /^cnv_[A-Za-z0-9]+$/;
const MESSAGE_ID = /^msg_[A-Za-z0-9]+$/;
/** A message ID inside a file name: `1701292639-message-msg_1q15qmtq.eml`, `1701292639-msg_1q15.eml`. */
const MESSAGE_ID_IN_NAME = /(?:^|[^A-Za-z0-9])(msg_[A-Za-z0-9]+)/;
const PATH_SEPARATORS = /[\\/]+/;

/** Prefix of inbox keys derived from a folder name rather than a Front inbox ID. */
export const FOLDER_KEY_PREFIX = 'folder:';

/** Splits a zip entry path into its non-empty segments; tolerates Windows separators. */
export function splitPath(path: string): string[] {
  const segments = path.split(PATH_SEPARATORS);
  // Leading/trailing separators and `./` produce empty or dot segments; drop them in place.
  let kept = 0;
  for (const segment of segments) {
    if (segment !== '' && segment !== '.') segments[kept++] = segment;
  }
  segments.length = kept;
  return segments;
}

/** The lowercase extension of a file name without the dot, or '' when it has none. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The prefix of a Front ID (`cnv` for `cnv_yo1kg5q`), or null when the value is not one. */
export function frontIdPrefix(id: string): string | null {
  return FRONT_ID.exec(id)?.[1] ?? null;
}

export function isConversationId(value: string): boolean {
  return CONVERSATION_ID.test(value);
}

export function isMessageId(value: string): boolean {
  return MESSAGE_ID.test(value);
}

/** The `msg_…` ID embedded in a file name, e.g. an .eml named after its message. */
export function messageIdInFileName(name: string): string | null {
  return MESSAGE_ID_IN_NAME.exec(name)?.[1] ?? null;
}

/** The nearest `msg_…` folder among the folder segments (all but the last segment). */
export function enclosingMessageFolder(segments: readonly string[]): string | null {
  for (let i = segments.length - 2; i >= 0; i--) {
    const segment = segments[i]!;
    if (isMessageId(segment)) return segment;
  }
  return null;
}

/** Index of the nearest `cnv_…` folder among the folder segments, or -1. */
function enclosingConversationFolderIndex(segments: readonly string[]): number {
  for (let i = segments.length - 2; i >= 0; i--) {
    if (isConversationId(segments[i]!)) return i;
  }
  return -1;
}

/** The conversation ID of the nearest enclosing `cnv_…` folder of an entry path. */
export function conversationIdFromPath(path: string): string | null {
  const segments = splitPath(path);
  const index = enclosingConversationFolderIndex(segments);
  return index >= 0 ? segments[index]! : null;
}

export function folderInboxKey(folderName: string): string {
  return FOLDER_KEY_PREFIX + folderName;
}

/** The folder name of a `folder:` inbox key, or null for Front inbox IDs. */
export function folderNameFromKey(key: string): string | null {
  return key.startsWith(FOLDER_KEY_PREFIX) ? key.slice(FOLDER_KEY_PREFIX.length) : null;
}

/**
 * Inbox keys implied by the path of a message or comment: the folder enclosing its `cnv_…`
 * folder (`export/Support/cnv_1/…` → `folder:Support`). Used for placeholder conversations.
 */
export function inboxKeysFromPath(path: string): string[] {
  const segments = splitPath(path);
  const index = enclosingConversationFolderIndex(segments);
  return index > 0 ? [folderInboxKey(segments[index - 1]!)] : [];
}

/**
 * Inbox keys for a conversation object found at this path: the folder enclosing its `cnv_…`
 * folder; without one, the file's own folder (an inbox-wide file such as
 * `Support/inb_123.json` or `Support/conversations.json`).
 */
export function conversationInboxKeysFromPath(path: string): string[] {
  const segments = splitPath(path);
  const index = enclosingConversationFolderIndex(segments);
  if (index >= 0) return index > 0 ? [folderInboxKey(segments[index - 1]!)] : [];
  return segments.length >= 2 ? [folderInboxKey(segments[segments.length - 2]!)] : [];
}

/**
 * The last path segment of an API URL, without query string or fragment:
 * `https://x.api.frontapp.com/conversations/cnv_1?referer=y` → `cnv_1`.
 */
export function lastUrlSegment(url: string): string {
  let end = url.length;
  const query = url.indexOf('?');
  if (query >= 0) end = query;
  const fragment = url.indexOf('#');
  if (fragment >= 0 && fragment < end) end = fragment;
  while (end > 0 && url.charCodeAt(end - 1) === 47 /* '/' */) end--;
  const start = url.lastIndexOf('/', end - 1) + 1;
  return url.slice(start, end);
}
