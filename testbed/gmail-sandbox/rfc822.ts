/** Reading what the Gmail sandbox needs from an RFC 5322 message: headers, Message-IDs, dates, subjects. */
import { parseHeaderBlock } from '../sandbox-kit/rfc5322.ts';
import type { ParsedHeaders } from './types.ts';

export {
  bareMessageId,
  baseSubject,
  dateHeaderMillis,
  lineEndings,
  messageIdList,
} from '../sandbox-kit/rfc5322.ts';

/**
 * The message's header fields, or null when the bytes do not start with a header block (then
 * Gmail would have nothing to file).
 */
export async function readHeaders(raw: Buffer): Promise<ParsedHeaders | null> {
  const block = await parseHeaderBlock(raw);
  if (!block) return null;
  const { email, fields, first } = block;
  return {
    messageId: first('message-id'),
    subject: email.subject ?? null,
    from: first('from'),
    to: first('to'),
    cc: first('cc'),
    date: first('date'),
    inReplyTo: first('in-reply-to'),
    references: first('references'),
    fields,
  };
}
