/** Gmail's JSON for stored messages (https://developers.google.com/gmail/api/reference/rest/v1/users.messages). */
import { mediaType } from './http-io.ts';
import type { StoredGmailMessage } from './types.ts';

export type MessageFormat = 'minimal' | 'metadata' | 'raw' | 'full';

export function isMessageFormat(value: string): value is MessageFormat {
  return ['minimal', 'metadata', 'raw', 'full'].includes(value);
}

/** What import answers. */
export function importedMessageJson(message: StoredGmailMessage): Record<string, unknown> {
  return { id: message.id, threadId: message.threadId, labelIds: [...message.labelIds] };
}

/** messages.list items carry only ids. */
export function listedMessageJson(message: StoredGmailMessage): Record<string, unknown> {
  return { id: message.id, threadId: message.threadId };
}

/**
 * messages.get. `full` gives the top-level headers and size but does not break the MIME tree into
 * parts (nothing in relay mode reads bodies back); `raw` gives the exact stored bytes.
 */
export function messageJson(
  message: StoredGmailMessage,
  format: MessageFormat,
  metadataHeaders: string[] = [],
): Record<string, unknown> {
  const minimal = {
    id: message.id,
    threadId: message.threadId,
    labelIds: [...message.labelIds],
    snippet: '',
    sizeEstimate: message.sizeEstimate,
    historyId: message.historyId,
    internalDate: message.internalDate,
  };
  if (format === 'minimal') return minimal;
  if (format === 'raw') return { ...minimal, raw: message.raw.toString('base64url') };
  const wanted = new Set(metadataHeaders.map((name) => name.toLowerCase()));
  const headers = message.headers.fields.filter(
    (field) => format === 'full' || wanted.size === 0 || wanted.has(field.name.toLowerCase()),
  );
  const payload: Record<string, unknown> = { mimeType: topLevelMimeType(message), headers };
  if (format === 'full')
    Object.assign(payload, { partId: '', filename: '', body: { size: message.sizeEstimate } });
  return { ...minimal, payload };
}

function topLevelMimeType(message: StoredGmailMessage): string {
  const contentType = message.headers.fields.find((field) => field.name.toLowerCase() === 'content-type');
  return mediaType(contentType?.value) || 'text/plain';
}
