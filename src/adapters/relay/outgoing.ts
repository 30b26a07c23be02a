/**
 * The bytes of one relayed email, built in the worker: the export's `.eml` unchanged when there is
 * one (the original is the better copy), else an RFC 5322 message built from the JSON with its
 * attachments read from the zips. Either way the copy carries a Message-ID, the key every target
 * is searched by when an outcome is unknown.
 */
import { FLAGS } from '../../domain/import/reasons.ts';
import type { Conversation, EntryRef, Message } from '../../domain/model.ts';
import {
  buildRfc5322,
  normaliseMessageId,
  passThroughEml,
  resolveAttachmentsAsync,
  type ThreadContext,
} from '../../domain/relay/index.ts';
import { concatBytes, utf8 } from '../../domain/relay/bytes.ts';
import type { ExportFiles } from './export-files.ts';
import type { OutgoingEmail } from './target.ts';

export type BuildResult =
  | { kind: 'ready'; email: OutgoingEmail; origin: 'eml' | 'built'; notes: string[] }
  /** Its .eml or attachments are in zips not dropped in this tab. */
  | { kind: 'files-missing'; sourceIds: string[] };

/** Header blocks longer than this are not searched for a Message-ID (real ones are far shorter). */
const HEADER_SCAN_BYTES = 256 * 1024;

/** The unfolded value of the first header field `name` (case-insensitive), or null. */
export function headerValue(raw: Uint8Array, name: string): string | null {
  const head = new TextDecoder('latin1').decode(raw.subarray(0, HEADER_SCAN_BYTES));
  const end = head.search(/\r?\n\r?\n/);
  const block = end === -1 ? head : head.slice(0, end);
  const unfolded = block.replace(/\r?\n[ \t]/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted)
      return line.slice(colon + 1).trim();
  }
  return null;
}

function missingSources(refs: readonly EntryRef[], files: ExportFiles): string[] {
  return [...new Set(refs.map((ref) => ref.source))].filter((source) => !files.has(source));
}

/**
 * The least the built email can weigh, from the sizes the zip directory declares: the `.eml` as it
 * is, or each attachment base64-encoded in 76-character lines. Checked before anything is read, so
 * an email no target can take (or a zip bomb) fails without being inflated and built.
 */
export function leastEmailBytes(message: Message): number {
  if (message.eml) return message.eml.size;
  let bytes = 0;
  for (const info of message.attachments) {
    if (!info.ref) continue;
    const base64 = Math.ceil(info.ref.size / 3) * 4;
    bytes += base64 + Math.ceil(base64 / 76) * 2;
  }
  return bytes;
}

export async function buildOutgoing(
  message: Message,
  conversation: Conversation,
  thread: ThreadContext,
  files: ExportFiles,
): Promise<BuildResult> {
  const notes: string[] = [];
  if (message.eml) {
    const missing = missingSources([message.eml], files);
    if (missing.length > 0) return { kind: 'files-missing', sourceIds: missing };
    const eml = await files.read(message.eml);
    if (eml) return { kind: 'ready', origin: 'eml', notes, email: fromEml(eml, message, thread) };
    notes.push('its .eml file could not be found in the zip: rebuilt from the JSON');
  }
  const refs = message.attachments.map((info) => info.ref).filter((ref): ref is EntryRef => ref !== null);
  const missing = missingSources(refs, files);
  if (missing.length > 0) return { kind: 'files-missing', sourceIds: missing };
  files.want(refs);
  const attachments = await resolveAttachmentsAsync(message, (info) =>
    info.ref ? files.read(info.ref) : Promise.resolve(null),
  );
  const built = buildRfc5322(message, conversation, thread, attachments);
  if (built.omittedAttachments.length > 0) {
    notes.push(`${FLAGS.fileMissing}: ${built.omittedAttachments.map((a) => a.info.filename).join(', ')}`);
  }
  return {
    kind: 'ready',
    origin: 'built',
    notes,
    email: {
      frontId: message.id,
      conversationId: message.conversationId,
      messageId: built.messageId,
      createdAt: message.createdAt,
      raw: built.raw,
    },
  };
}

/** The original, passed through; a Message-ID is prepended only when the original has none. */
function fromEml(eml: Uint8Array, message: Message, thread: ThreadContext): OutgoingEmail {
  let raw = passThroughEml(eml, message);
  let messageId = normaliseMessageId(headerValue(raw, 'message-id'));
  if (messageId === null) {
    messageId = thread.messageId;
    raw = concatBytes([utf8(`Message-ID: ${messageId}\r\n`), raw]);
  }
  return {
    frontId: message.id,
    conversationId: message.conversationId,
    messageId,
    createdAt: message.createdAt,
    raw,
  };
}
