/** RFC 5322 message identifiers, always kept with angle brackets: `<abc@example.com>`. */

/** A bracketed ID, or a bare token between whitespace/commas (some exporters drop the brackets). */
const MESSAGE_ID_TOKEN = /<([^<>]*)>|([^\s,<>]+)/g;

/** All message IDs in a header value (`References` holds several), each with angle brackets. */
export function parseMessageIdList(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(MESSAGE_ID_TOKEN)) {
    const id = (match[1] ?? match[2] ?? '').trim();
    if (id !== '') ids.push(`<${id}>`);
  }
  return ids;
}

/** The first message ID of a header value with angle brackets, or null when there is none. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return parseMessageIdList(value)[0] ?? null;
}
