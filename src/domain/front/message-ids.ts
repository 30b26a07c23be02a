/** RFC 5322 message identifiers, always kept with angle brackets: `<abc@example.com>`. */

const BRACKETED_ID = /<([^<>]*)>/g;
const ID_SEPARATORS = /[\s,]+/;

/**
 * All message IDs in a header value (`References` holds several). Bracketed IDs are taken as
 * written; a value without brackets is split on whitespace and commas and each part bracketed.
 */
export function parseMessageIdList(value: string): string[] {
  const ids: string[] = [];
  let bracketed = false;
  for (const match of value.matchAll(BRACKETED_ID)) {
    bracketed = true;
    const inner = match[1]!.trim();
    if (inner !== '') ids.push(`<${inner}>`);
  }
  if (bracketed) return ids;
  for (const part of value.split(ID_SEPARATORS)) {
    if (part !== '') ids.push(`<${part}>`);
  }
  return ids;
}

/** The first message ID of a header value with angle brackets, or null when there is none. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return parseMessageIdList(value)[0] ?? null;
}
