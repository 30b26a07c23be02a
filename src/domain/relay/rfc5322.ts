/**
 * Builds an RFC 5322 / MIME message from a Front email that has no original `.eml`.
 *
 * Structure (each level only when needed):
 *   multipart/mixed            ← regular attachments
 *     multipart/related        ← inline images referenced by `cid:`
 *       multipart/alternative  ← text/plain + text/html
 *
 * Pure and deterministic: same input, same bytes (boundaries derive from the Front message ID,
 * dates are UTC, no random or clock reads). CRLF everywhere; no line exceeds 998 octets.
 */
import type { AttachmentInfo, Conversation, Message, Recipient } from '../model.ts';
import { type MailboxAddress, mailboxListSegments, recipientMailbox } from './addresses.ts';
import { CR, ChunkList, LF, crlfText, stableHash, utf8 } from './bytes.ts';
import { rfc5322Date } from './dates.ts';
import {
  base64Encode,
  containsEncodedWordMarker,
  encodedWords,
  foldHeader,
  headerToken,
  isPlainHeaderText,
  parameterSegments,
  quotedPrintableEncode,
  quotedString,
  rfc2231Parameter,
  spaceSeparated,
  textTransferEncoding,
  unstructuredSegments,
} from './encoding.ts';
import { bodyAlternatives } from './html-text.ts';
import { DERIVED_MESSAGE_ID_DOMAIN, type ThreadContext, normaliseMessageId } from './threading.ts';

/** One attachment of the message with its bytes, or null when the export lacks them. */
export interface ResolvedAttachment {
  /** Position in `message.attachments`. */
  index: number;
  info: AttachmentInfo;
  bytes: Uint8Array | null;
}

/** Attachment bytes by index in `message.attachments`, or a function returning them. */
export type AttachmentSource =
  ReadonlyMap<number, Uint8Array> | ((info: AttachmentInfo, index: number) => Uint8Array | null | undefined);

export interface BuildOptions {
  /** Used when the message has no `from` recipient (RFC 5322 requires From). */
  fallbackFrom?: MailboxAddress;
}

export interface OmittedAttachment {
  index: number;
  info: AttachmentInfo;
  reason: 'bytes-missing';
}

export interface BuiltEmail {
  /** The complete message, CRLF line endings. */
  raw: Uint8Array;
  /** The Message-ID header value, angle brackets included. */
  messageId: string;
  /** Attachments left out because their bytes were not available; the caller reports them. */
  omittedAttachments: OmittedAttachment[];
}

/** Stands in for a missing sender; `.invalid` makes clear it is not a real address. */
export const UNKNOWN_SENDER = `unknown-sender@${DERIVED_MESSAGE_ID_DOMAIN}`;

/** Pairs each attachment of the message with its bytes from `source` (null when absent). */
export function resolveAttachments(
  message: Pick<Message, 'attachments'>,
  source: AttachmentSource,
): ResolvedAttachment[] {
  return message.attachments.map((info, index) => {
    const bytes = typeof source === 'function' ? source(info, index) : source.get(index);
    return { index, info, bytes: bytes ?? null };
  });
}

/** Async variant for a pipeline that reads each attachment from the zip on demand. */
export async function resolveAttachmentsAsync(
  message: Pick<Message, 'attachments'>,
  read: (info: AttachmentInfo, index: number) => Promise<Uint8Array | null | undefined>,
): Promise<ResolvedAttachment[]> {
  const resolved: ResolvedAttachment[] = [];
  for (const [index, info] of message.attachments.entries()) {
    resolved.push({ index, info, bytes: (await read(info, index)) ?? null });
  }
  return resolved;
}

/**
 * The full message for `message`, threaded by `thread` (from {@link threadHeaders} over its
 * conversation). Attachments without bytes are left out and listed in `omittedAttachments`.
 */
export function buildRfc5322(
  message: Message,
  conversation: Conversation,
  thread: ThreadContext,
  attachments: readonly ResolvedAttachment[],
  options: BuildOptions = {},
): BuiltEmail {
  if (thread.frontMessageId !== message.id) {
    throw new Error(`Thread context of ${thread.frontMessageId} given for message ${message.id}`);
  }
  const withBytes = attachments.filter(
    (a): a is ResolvedAttachment & { bytes: Uint8Array } => a.bytes !== null,
  );
  const omittedAttachments = attachments
    .filter((a) => a.bytes === null)
    .map((a): OmittedAttachment => ({ index: a.index, info: a.info, reason: 'bytes-missing' }));

  const out = new ChunkList();
  const root = messageBody(message, withBytes);
  writePart(root, out, messageHeaders(message, conversation, thread, options));
  if (needsFinalCrlf(root)) out.text('\r\n');
  return { raw: out.toBytes(), messageId: thread.messageId, omittedAttachments };
}

function messageHeaders(
  message: Message,
  conversation: Conversation,
  thread: ThreadContext,
  options: BuildOptions,
): string[] {
  const byRole = (role: Recipient['role']) =>
    message.recipients.filter((r) => r.role === role).map((r) => recipientMailbox(r));
  const from = byRole('from')[0] ??
    options.fallbackFrom ?? { name: message.authorName?.trim() || null, address: UNKNOWN_SENDER };
  const subject = message.subject.trim() !== '' ? message.subject : conversation.subject;

  const headers = [
    foldHeader('Date', [rfc5322Date(message.createdAt)]),
    foldHeader('From', mailboxListSegments([from])),
  ];
  const addressHeader = (name: string, mailboxes: MailboxAddress[]) => {
    if (mailboxes.length > 0) headers.push(foldHeader(name, mailboxListSegments(mailboxes)));
  };
  addressHeader('Reply-To', byRole('reply-to'));
  addressHeader('To', byRole('to'));
  addressHeader('Cc', byRole('cc'));
  // Bcc only on sent mail: it is the sender's copy, as in a Sent folder; on received mail it
  // would reveal what the original recipients never saw.
  if (!message.isInbound) addressHeader('Bcc', byRole('bcc'));
  headers.push(foldHeader('Subject', unstructuredSegments(subject)));
  headers.push(foldHeader('Message-ID', [thread.messageId]));
  if (thread.inReplyTo !== null) headers.push(foldHeader('In-Reply-To', [thread.inReplyTo]));
  if (thread.references.length > 0) headers.push(foldHeader('References', spaceSeparated(thread.references)));
  headers.push(foldHeader('X-Front-Message-Id', [headerToken(message.id)]));
  headers.push(foldHeader('X-Front-Conversation-Id', [headerToken(conversation.id)]));
  headers.push('MIME-Version: 1.0');
  return headers;
}

interface LeafPart {
  kind: 'leaf';
  headers: string[];
  /** Already transfer-encoded. */
  body: Uint8Array;
}

interface MultipartPart {
  kind: 'multipart';
  subtype: 'mixed' | 'related' | 'alternative';
  boundary: string;
  /** RFC 2387: multipart/related names the type of its root part. */
  rootType: string | null;
  children: MimePart[];
}

type MimePart = LeafPart | MultipartPart;

function messageBody(message: Message, attachments: readonly (ResolvedAttachment & { bytes: Uint8Array })[]) {
  const boundaryTag = stableHash(message.id);
  const alternatives = bodyAlternatives(message.body, message.text);
  let root: MimePart = alternatives
    ? multipart('alternative', boundaryTag, [
        textLeaf('plain', alternatives.text),
        textLeaf('html', alternatives.html),
      ])
    : textLeaf('plain', '');

  const isRelated = (a: ResolvedAttachment) => a.info.inline && normaliseMessageId(a.info.cid) !== null;
  const related = attachments.filter(isRelated);
  const mixed = attachments.filter((a) => !isRelated(a));
  if (related.length > 0) {
    const rootType = root.kind === 'multipart' ? 'multipart/alternative' : 'text/plain';
    root = multipart('related', boundaryTag, [root, ...related.map(attachmentLeaf)], rootType);
  }
  if (mixed.length > 0) root = multipart('mixed', boundaryTag, [root, ...mixed.map(attachmentLeaf)]);
  return root;
}

/**
 * Boundaries start with `=_`, a sequence neither quoted-printable nor base64 can produce, so no
 * encoded content line can ever match one; the subtype keeps nested boundaries distinct.
 */
function multipart(
  subtype: MultipartPart['subtype'],
  tag: string,
  children: MimePart[],
  rootType: string | null = null,
): MultipartPart {
  return { kind: 'multipart', subtype, boundary: `=_${subtype}_${tag}`, rootType, children };
}

function textLeaf(subtype: 'plain' | 'html', content: string): LeafPart {
  const data = utf8(crlfText(content));
  const encoding = textTransferEncoding(data);
  return {
    kind: 'leaf',
    headers: [
      foldHeader('Content-Type', parameterSegments(`text/${subtype}`, [['charset=UTF-8']])),
      `Content-Transfer-Encoding: ${encoding}`,
    ],
    body: encoding === 'base64' ? base64Encode(data) : quotedPrintableEncode(data),
  };
}

function attachmentLeaf(attachment: ResolvedAttachment & { bytes: Uint8Array }): LeafPart {
  const { info } = attachment;
  const filename = cleanFileName(info.filename);
  const contentId = normaliseMessageId(info.cid);
  const disposition = info.inline ? 'inline' : 'attachment';
  const headers = [
    foldHeader(
      'Content-Type',
      parameterSegments(safeContentType(info.contentType), [nameParameter(filename)]),
    ),
    'Content-Transfer-Encoding: base64',
    foldHeader('Content-Disposition', parameterSegments(disposition, filenameParameters(filename))),
  ];
  if (contentId !== null) headers.push(foldHeader('Content-ID', [contentId]));
  return { kind: 'leaf', headers, body: base64Encode(attachment.bytes) };
}

/** Short ASCII names stay a plain quoted string: every client reads those. */
const MAX_PLAIN_FILENAME_LENGTH = 50;

function isPlainFileName(filename: string): boolean {
  return (
    isPlainHeaderText(filename) &&
    !containsEncodedWordMarker(filename) &&
    quotedString(filename).length <= MAX_PLAIN_FILENAME_LENGTH
  );
}

/** `filename="…"`, or RFC 2231 `filename*=UTF-8''…` (in sections when long). */
function filenameParameters(filename: string): string[][] {
  if (isPlainFileName(filename)) return [[`filename=${quotedString(filename)}`]];
  return rfc2231Parameter('filename', filename).map((section) => [section]);
}

/**
 * The Content-Type `name=` fallback for clients without RFC 2231: RFC 2047 words in a quoted
 * string. Not strictly allowed by RFC 2047 §5, but it is what Outlook, Thunderbird and Gmail
 * write and read. The words are separate pieces so the header can fold between them.
 */
function nameParameter(filename: string): string[] {
  if (isPlainFileName(filename)) return [`name=${quotedString(filename)}`];
  const words = encodedWords(filename);
  return words.map((word, index) => {
    const open = index === 0 ? 'name="' : ' ';
    const close = index === words.length - 1 ? '"' : '';
    return `${open}${word}${close}`;
  });
}

/** Control characters cannot appear in a header; an empty name gets a neutral one. */
function cleanFileName(filename: string): string {
  const cleaned = filename.replace(/\p{Cc}/gu, '').trim();
  return cleaned === '' ? 'attachment' : cleaned;
}

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * The type/subtype of an attachment, parameters dropped. `message/*` and `multipart/*` cannot be
 * base64-encoded (RFC 2046 §5.2.1, §5.1), and re-encoding would change the bytes, so they go as
 * `application/octet-stream`; the file name still tells clients what it is.
 */
function safeContentType(raw: string): string {
  const type = (raw.split(';')[0] ?? '').trim().toLowerCase();
  if (!MIME_TYPE.test(type)) return 'application/octet-stream';
  if (type.startsWith('message/') || type.startsWith('multipart/')) return 'application/octet-stream';
  return type;
}

function multipartHeaders(part: MultipartPart): string[] {
  const parameters = [[`boundary=${quotedString(part.boundary)}`]];
  if (part.rootType !== null) parameters.push([`type=${quotedString(part.rootType)}`]);
  return [foldHeader('Content-Type', parameterSegments(`multipart/${part.subtype}`, parameters))];
}

/** Writes a part; the CRLF before each boundary delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
function writePart(part: MimePart, out: ChunkList, leadingHeaders: readonly string[] = []): void {
  const headers = [...leadingHeaders, ...(part.kind === 'leaf' ? part.headers : multipartHeaders(part))];
  out.text(`${headers.join('\r\n')}\r\n\r\n`);
  if (part.kind === 'leaf') {
    out.bytes(part.body);
    return;
  }
  for (const child of part.children) {
    out.text(`--${part.boundary}\r\n`);
    writePart(child, out);
    out.text('\r\n');
  }
  out.text(`--${part.boundary}--`);
}

/**
 * A message ends with CRLF. A multipart ends with its close delimiter; an empty single-part body
 * already ends with the blank line after the headers.
 */
function needsFinalCrlf(root: MimePart): boolean {
  if (root.kind === 'multipart') return true;
  const { body } = root;
  return body.length > 0 && !(body[body.length - 2] === CR && body[body.length - 1] === LF);
}
