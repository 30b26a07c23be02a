/**
 * Reads the threading headers of an .eml file. The pipeline passes only the start of the file
 * (the header block fits in the first 64 KiB), so a missing blank line is tolerated.
 */
import type { EmlHeaders } from './contract.ts';
import { normalizeMessageId, parseMessageIdList } from './message-ids.ts';

const LINE_BREAK = /\r?\n/;
const BLANK_LINE = /\r?\n\r?\n/;
/** `Name: value`; obsolete syntax allows whitespace before the colon. */
const HEADER_FIELD = /^([^\s:]+)[ \t]*:(.*)$/;
const FOLDED_CONTINUATION = /^[ \t]/;

type WantedHeader = 'message-id' | 'in-reply-to' | 'references';
const WANTED: ReadonlySet<string> = new Set<WantedHeader>(['message-id', 'in-reply-to', 'references']);

/** Unfolded values of the wanted headers; the first occurrence of each wins. */
function collectWantedHeaders(headerText: string): Map<string, string> {
  const found = new Map<string, string>();
  let currentName: string | null = null;
  let currentValue = '';
  const flush = (): void => {
    if (currentName !== null && !found.has(currentName)) found.set(currentName, currentValue.trim());
    currentName = null;
  };
  const start = headerText.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Split only the header block, not the body that may follow it.
  const blank = headerText.search(BLANK_LINE);
  const block = headerText.slice(start, blank >= 0 ? blank : headerText.length);
  for (const line of block.split(LINE_BREAK)) {
    if (line === '') break; // blank line: end of the header block
    if (FOLDED_CONTINUATION.test(line)) {
      // Unfolding removes only the line break; the leading whitespace stays (RFC 5322 §2.2.3).
      if (currentName !== null) currentValue += line;
      continue;
    }
    flush();
    const field = HEADER_FIELD.exec(line);
    if (field === null) continue; // e.g. an mbox "From " separator line
    const name = field[1]!.toLowerCase();
    if (WANTED.has(name)) {
      currentName = name;
      currentValue = field[2]!;
    }
  }
  flush();
  return found;
}

/** Message-ID, In-Reply-To and References of an .eml header block, with angle brackets. */
export function parseEmlHeaders(headerText: string): EmlHeaders {
  const headers = collectWantedHeaders(headerText);
  const references = headers.get('references');
  return {
    messageId: normalizeMessageId(headers.get('message-id')),
    inReplyTo: normalizeMessageId(headers.get('in-reply-to')),
    references: references === undefined ? [] : parseMessageIdList(references),
  };
}
