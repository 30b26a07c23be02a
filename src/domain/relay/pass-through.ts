/** Relaying the export's original `.eml` instead of rebuilding it: the original is the better copy. */
import type { Message } from '../model.ts';
import { CR, LF, concatBytes, hasBareLineBreak, toCrlfBytes, utf8 } from './bytes.ts';
import { headerToken } from './encoding.ts';

/** Longer "names" are not header fields (and would not fit a string spread). */
const MAX_FIELD_NAME = 256;

/** Names of the header fields in the header section (up to the first empty line), lowercased. */
export function headerFieldNames(raw: Uint8Array): Set<string> {
  const names = new Set<string>();
  let lineStart = 0;
  while (lineStart < raw.length) {
    let lineEnd = raw.indexOf(LF, lineStart);
    if (lineEnd === -1) lineEnd = raw.length;
    const contentEnd = lineEnd > lineStart && raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd === lineStart) break; // the empty line that ends the header section
    const first = raw[lineStart]!;
    if (first !== 0x20 && first !== 0x09) {
      const colon = raw.subarray(lineStart, Math.min(contentEnd, lineStart + MAX_FIELD_NAME)).indexOf(0x3a);
      if (colon > 0) {
        names.add(
          String.fromCharCode(...raw.subarray(lineStart, lineStart + colon))
            .trim()
            .toLowerCase(),
        );
      }
    }
    lineStart = lineEnd + 1;
  }
  return names;
}

/**
 * An mbox envelope line (`From sender date`) some tools save at the top of an `.eml`: not a
 * header field (a field name cannot contain a space), so the message would not be RFC 5322.
 */
function mboxEnvelopeLength(raw: Uint8Array): number {
  const fromSpace = [0x46, 0x72, 0x6f, 0x6d, 0x20];
  if (!fromSpace.every((code, k) => raw[k] === code)) return 0;
  const lf = raw.indexOf(LF);
  return lf === -1 ? 0 : lf + 1;
}

/**
 * The original message, unchanged except for three things:
 * - `X-Front-Message-Id` / `X-Front-Conversation-Id` are prepended when absent, so a relayed
 *   copy can always be traced back to Front (prepending never touches the original lines);
 * - a leading mbox `From ` envelope line, if any, is dropped;
 * - bare CR/LF line endings become CRLF, only when there are any: RFC 5322 requires CRLF, and
 *   IMAP servers (e.g. Cyrus) refuse bare LF while Gmail and JMAP may store it as is. A file that
 *   is already CRLF is returned byte for byte.
 */
export function passThroughEml(eml: Uint8Array, ids: Pick<Message, 'id' | 'conversationId'>): Uint8Array {
  const envelope = mboxEnvelopeLength(eml);
  const message = envelope > 0 ? eml.subarray(envelope) : eml;
  const crlf = hasBareLineBreak(message) ? toCrlfBytes(message) : message;
  const present = headerFieldNames(crlf);
  const added: string[] = [];
  if (!present.has('x-front-message-id')) added.push(`X-Front-Message-Id: ${headerToken(ids.id)}\r\n`);
  if (!present.has('x-front-conversation-id')) {
    added.push(`X-Front-Conversation-Id: ${headerToken(ids.conversationId)}\r\n`);
  }
  if (added.length === 0) return crlf;
  return concatBytes([utf8(added.join('')), crlf]);
}
