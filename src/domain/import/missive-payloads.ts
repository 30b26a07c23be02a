/**
 * What Missive receives, exactly: the `{messages:{…}}` body of `POST /messages` for each SMS and
 * the `{posts:{…}}` bodies of `POST /posts` for comments. Pure: the engine reads attachment bytes,
 * encodes them and passes them in; nothing here does I/O.
 *
 * Deliberately absent: drafts. Missive's drafts endpoint can send real email and SMS; the import
 * has no reason to build one, so no function here (or anywhere in the import) produces a
 * `{drafts:…}` body, `send`, `send_at` or `auto_followup`.
 */
import type { AttachmentInfo, Comment, Conversation, Message, Recipient } from '../model.ts';
import { FLAGS } from './reasons.ts';
import {
  base64Length,
  escapeMarkdown,
  htmlToPlainText,
  normaliseNewlines,
  humanUtc,
  isoUtc,
  jsonByteLength,
  smsTextToHtml,
  splitText,
  truncateText,
  unixSeconds,
} from './text.ts';

export type Placement = 'closed' | 'inbox';

/**
 * Missive's docs read two ways on a post into a closed conversation (README, "On a real Missive
 * account"): the attribute note ('flag-keeps-closed': a plain post reopens it, `reopen: true` keeps
 * it closed) or the action table ('flag-reopens': a plain post leaves it, `reopen: true` reopens).
 * Null until a probe observed which one the account follows.
 */
export type ReopenReading = 'flag-keeps-closed' | 'flag-reopens';

/**
 * The `reopen` value that leaves a conversation's closed/open state as it is under a reading.
 * Open conversations are unaffected either way; only closed ones differ.
 */
export function stateKeepingReopen(reading: ReopenReading): { reopen?: true } {
  return reading === 'flag-keeps-closed' ? { reopen: true } : {};
}
export type CommentMode = 'per-comment' | 'per-conversation';
/**
 * The custom channel's message type, chosen when the channel is created in Missive: the `body` of
 * `POST /messages` is "HTML or text string based on channel message type". A Text channel shows the
 * string as written; an HTML channel renders it.
 */
export type ChannelMessageType = 'text' | 'html';
export const CHANNEL_MESSAGE_TYPES: readonly ChannelMessageType[] = ['text', 'html'];
export const DEFAULT_CHANNEL_MESSAGE_TYPE: ChannelMessageType = 'text';

/** Where imported items go in Missive, as chosen on the Plan step. */
export interface ImportTarget {
  /** The SMS custom channel's account ID. */
  account: string;
  /** The channel's message type: decides how SMS text is written into `body`. */
  channelMessageType: ChannelMessageType;
  organization: string;
  team: string | null;
  /** Shared labels added to every conversation the import creates. */
  sharedLabelIds: readonly string[];
  /** "keep closed as history" (default) or "put in Inbox". */
  placement: Placement;
  /** Contact names by handle (from the export's contacts), for recipients Front left unnamed. */
  contactNames?: ReadonlyMap<string, string>;
}

/** How far this Front conversation's SMS already got in Missive (from the ledger). */
export interface SmsThread {
  /** The Missive conversation holding this Front conversation's SMS, once Missive told us. */
  missiveConversationId: string | null;
  /** True for the first SMS sent for the Front conversation: it opens the Missive conversation. */
  firstOfConversation: boolean;
}

export interface SmsContext extends ImportTarget {
  thread: SmsThread;
}

export interface MissiveParty {
  id: string;
  username: string;
  name: string;
}

export interface MessageAttachment {
  base64_data: string;
  filename: string;
}

export interface SmsMessageFields {
  account: string;
  body: string;
  from_field: MissiveParty;
  to_fields: MissiveParty[];
  delivered_at: number;
  external_id: string;
  references?: string[];
  conversation?: string;
  conversation_subject?: string;
  organization: string;
  team?: string;
  add_shared_labels?: string[];
  close?: boolean;
  add_to_inbox?: boolean;
  add_to_team_inbox?: boolean;
  attachments?: MessageAttachment[];
}

export interface MessagesRequestBody {
  messages: SmsMessageFields;
}

export interface PostAttachmentBlock {
  footer: string;
  timestamp: number;
}

export interface CommentPostFields {
  conversation: string;
  username: string;
  markdown: string;
  notification: { title: string; body: string };
  attachments: PostAttachmentBlock[];
  organization: string;
  /** Never `close`: a post leaves the conversation's state as it is (see {@link ReopenReading}). */
  reopen?: boolean;
}

export interface PostsRequestBody {
  posts: CommentPostFields;
}

/** Missive documents 10 MB per JSON payload; we read it as 10,000,000 bytes, the smaller reading. */
export const MAX_REQUEST_BYTES = 10_000_000;
/**
 * Head-room kept free when packing files: the plan sizes requests before the user's account,
 * organization, team and label IDs are final, and JSON escaping of names can vary a little.
 */
export const REQUEST_SAFETY_MARGIN_BYTES = 65_536;
/**
 * Longest SMS text sent. No limit is documented for custom-channel bodies; real SMS are short, so
 * this only guards against broken data (a whole document pasted into a message).
 */
export const SMS_TEXT_MAX_CHARS = 50_000;
/**
 * Longest `markdown` per post. Missive truncates long post strings at an undocumented length; a
 * public client caps them at 8,000 characters, so staying at or under 8,000 avoids silent loss.
 */
export const POST_MARKDOWN_MAX_CHARS = 8_000;
/** The visible marker at the top of every post the import makes. */
export const IMPORT_MARKER = '**Imported from Front**';
const NOTIFICATION_BODY_MAX_CHARS = 140;
const FILE_LIST_MAX_CHARS = 1_000;
const CHUNK_SEPARATOR = '\n\n---\n\n';

/** The reference every SMS of one Front conversation shares, so Missive threads them together. */
export function threadReference(frontConversationId: string): string {
  return `front-${frontConversationId}`;
}

/** `GET` path that finds the Missive messages (and so the conversation) of an email. */
export function emailLookupPath(emailMessageId: string): string {
  return `/messages?email_message_id=${encodeURIComponent(emailMessageId)}`;
}

// ---------------------------------------------------------------------------------------------
// SMS
// ---------------------------------------------------------------------------------------------

/** One `POST /messages` of an SMS: usually the only one; more when its files exceed 10 MB. */
export interface SmsPart {
  /** 1-based. */
  index: number;
  count: number;
  /** The Front message ID for part 1 (the normal case); `<msg_id>:part-<n>` for the others. */
  externalId: string;
  attachments: readonly AttachmentInfo[];
}

export interface DroppedFile {
  filename: string;
  size: number;
  reason: string;
}

export interface SmsPartsPlan {
  parts: SmsPart[];
  droppedFiles: DroppedFile[];
  /** Characters cut from an over-long text (0 normally). */
  truncatedChars: number;
}

/** A file's bytes, base64-encoded by the engine, for one part. */
export interface EncodedFile {
  filename: string;
  base64: string;
}

function smsText(message: Message): { text: string; droppedChars: number } {
  const raw = message.text.trim() !== '' ? message.text : htmlToPlainText(message.body);
  return truncateText(raw.trim(), SMS_TEXT_MAX_CHARS);
}

function partyName(recipient: Recipient, ctx: ImportTarget): string {
  return recipient.name?.trim() || ctx.contactNames?.get(recipient.handle.trim()) || recipient.handle.trim();
}

function party(handle: string, name: string): MissiveParty {
  return { id: handle, username: handle, name: name || handle };
}

function recipientParty(recipient: Recipient, ctx: ImportTarget): MissiveParty {
  return party(recipient.handle.trim(), partyName(recipient, ctx));
}

/**
 * The team's side of an outbound SMS. Missive stores every custom-channel message as incoming, so
 * the name says who sent it and from which number ("Sam Lee (sent from +14155559876)"): a reader
 * can tell it from the customer's messages.
 */
function outboundSender(fromRecipient: Recipient, message: Message, ctx: ImportTarget): MissiveParty {
  const handle = fromRecipient.handle.trim();
  const who = message.authorName?.trim() || partyName(fromRecipient, ctx);
  return party(handle, who && who !== handle ? `${who} (sent from ${handle})` : `Sent from ${handle}`);
}

/**
 * From and To, from the phone handles. Inbound: the customer writes to our number. Outbound: our
 * number writes, shown with the teammate's name, to the customer.
 */
function smsParties(
  message: Message,
  conversation: Conversation,
  ctx: ImportTarget,
): { from: MissiveParty; to: MissiveParty[] } {
  const fromRecipient = message.recipients.find((r) => r.role === 'from');
  const toRecipients = message.recipients.filter((r) => r.role === 'to');
  const customerFallback = conversation.recipientHandle
    ? party(conversation.recipientHandle, ctx.contactNames?.get(conversation.recipientHandle) ?? '')
    : null;
  let from: MissiveParty;
  if (!fromRecipient) from = (message.isInbound ? customerFallback : null) ?? party('unknown', 'Unknown');
  else if (message.isInbound) from = recipientParty(fromRecipient, ctx);
  else from = outboundSender(fromRecipient, message, ctx);
  let to = toRecipients.map((r) => recipientParty(r, ctx));
  if (to.length === 0 && !message.isInbound && customerFallback) to = [customerFallback];
  return { from, to };
}

function smsSubject(
  conversation: Conversation,
  parties: { from: MissiveParty; to: MissiveParty[] },
  inbound: boolean,
): string {
  const subject = conversation.subject.trim();
  if (subject) return subject;
  const customer = inbound ? parties.from : parties.to[0];
  return `SMS with ${customer?.name ?? 'unknown'}`;
}

function placementFields(
  target: ImportTarget,
): Pick<SmsMessageFields, 'close' | 'add_to_inbox' | 'add_to_team_inbox'> {
  // History stays out of everyone's Inbox unless the user asked for it.
  if (target.placement === 'closed') return { close: true, add_to_inbox: false };
  return target.team ? { add_to_inbox: true, add_to_team_inbox: true } : { add_to_inbox: true };
}

/**
 * SMS text as the channel's message type expects it: a Text channel gets it as written (line breaks
 * kept, nothing escaped); an HTML channel gets it escaped, with `<br>` for line breaks.
 */
export function smsBody(text: string, type: ChannelMessageType): string {
  return type === 'html' ? smsTextToHtml(text) : normaliseNewlines(text);
}

function partBody(
  message: Message,
  part: SmsPart,
  droppedFiles: readonly DroppedFile[],
  type: ChannelMessageType,
): string {
  if (part.index > 1) {
    return smsBody(
      `More files of the SMS of ${humanUtc(message.createdAt)} (part ${part.index} of ${part.count})`,
      type,
    );
  }
  const { text, droppedChars } = smsText(message);
  const notes = [
    ...(droppedChars > 0 ? [`[${FLAGS.smsTruncated}: ${droppedChars} characters not shown]`] : []),
    ...droppedFiles.map((f) => `[File not imported: ${f.filename} (${f.reason})]`),
  ];
  const lines = [text, ...notes].filter((s) => s !== '');
  // An SMS with neither text nor files still says something, rather than an empty bubble.
  if (lines.length === 0 && part.attachments.length === 0) lines.push('(no text)');
  return smsBody(lines.join('\n\n'), type);
}

function buildSmsFields(
  message: Message,
  conversation: Conversation,
  ctx: SmsContext,
  part: SmsPart,
  droppedFiles: readonly DroppedFile[],
  files: readonly EncodedFile[],
): SmsMessageFields {
  const parties = smsParties(message, conversation, ctx);
  const opensConversation = ctx.thread.firstOfConversation && part.index === 1;
  const known = ctx.thread.missiveConversationId;
  return {
    account: ctx.account,
    body: partBody(message, part, droppedFiles, ctx.channelMessageType),
    from_field: parties.from,
    to_fields: parties.to,
    delivered_at: unixSeconds(message.createdAt),
    external_id: part.externalId,
    // `conversation` when Missive told us the ID; otherwise the shared reference, which the first
    // SMS also carries, so every later one appends to the same conversation.
    ...(known ? { conversation: known } : { references: [threadReference(conversation.id)] }),
    ...(opensConversation
      ? { conversation_subject: smsSubject(conversation, parties, message.isInbound) }
      : {}),
    organization: ctx.organization,
    ...(ctx.team ? { team: ctx.team } : {}),
    ...(ctx.sharedLabelIds.length > 0 ? { add_shared_labels: [...ctx.sharedLabelIds] } : {}),
    ...placementFields(ctx),
    ...(files.length > 0
      ? { attachments: files.map((f) => ({ base64_data: f.base64, filename: f.filename })) }
      : {}),
  };
}

/**
 * The body of `POST /messages` for one SMS (or one part of it, see {@link planSmsParts}).
 * `delivered_at` is Front's `created_at` in whole Unix seconds; `external_id` is the Front message
 * ID. `content` may be left out only when there are no files to send; otherwise it must carry the
 * part and exactly its files, encoded (anything else throws rather than lose a file silently).
 */
export function smsMessagePayload(
  message: Message,
  conversation: Conversation,
  ctx: SmsContext,
  content?: { part: SmsPart; files: readonly EncodedFile[] },
): MessagesRequestBody {
  const { parts, droppedFiles } = planSmsParts(message, conversation);
  const part = content?.part ?? parts[0]!;
  const files = content?.files ?? [];
  // Files must never vanish silently: the caller passes exactly the part's files, encoded.
  const expected = part.attachments.map((a) => a.filename);
  if (files.length !== expected.length || files.some((f, i) => f.filename !== expected[i])) {
    throw new Error(
      `SMS ${message.id} part ${part.index}: expected files [${expected.join(', ')}], got [${files.map((f) => f.filename).join(', ')}]`,
    );
  }
  return { messages: buildSmsFields(message, conversation, ctx, part, droppedFiles, files) };
}

/** Exact size of a request body on the wire (UTF-8 JSON), to check against {@link MAX_REQUEST_BYTES}. */
export function requestByteLength(body: MessagesRequestBody | PostsRequestBody): number {
  return jsonByteLength(body);
}

const PLACEHOLDER_ID = 'x'.repeat(64);
const PLACEHOLDER_CONTEXT: SmsContext = {
  account: PLACEHOLDER_ID,
  // HTML escaping never makes a body shorter than the text as written: sizes hold for both types.
  channelMessageType: 'html',
  organization: PLACEHOLDER_ID,
  team: PLACEHOLDER_ID,
  sharedLabelIds: [PLACEHOLDER_ID],
  placement: 'inbox',
  thread: { missiveConversationId: null, firstOfConversation: true },
};

/** Bytes one file adds to the `attachments` array: its JSON object, base64 text and a comma. */
function fileCost(file: AttachmentInfo): number {
  // The larger of Front's figure and the zip's declared size: either may understate, and a file that
  // cannot fit is dropped here, before its bytes are ever inflated.
  const size = Math.max(file.size, file.ref?.size ?? 0);
  return jsonByteLength({ base64_data: '', filename: file.filename }) + base64Length(size) + 1;
}

/** Bytes of a part without its files' base64 (the `attachments` key included, empty). */
function envelopeBytes(
  message: Message,
  conversation: Conversation,
  part: SmsPart,
  droppedFiles: readonly DroppedFile[],
): number {
  const fields = buildSmsFields(message, conversation, PLACEHOLDER_CONTEXT, part, droppedFiles, []);
  return jsonByteLength({ messages: { ...fields, attachments: [] } });
}

/**
 * How an SMS goes to Missive: which files go in which request, and which cannot go at all.
 *
 * One request may carry at most 10 MB of JSON, and base64 inflates files by a third. An MMS whose
 * files together exceed that is sent as several messages of the same conversation (same
 * `delivered_at`, threaded like any later SMS): the first carries the text and the files that fit,
 * each further one says "More files of the SMS of …" and carries the next files, in their original
 * order. Nothing is lost and no request is ever too large. A single file that cannot fit even in a
 * request of its own, and a file whose bytes are not in the export, is dropped and reported.
 *
 * Independent of the user's IDs (placeholders plus {@link REQUEST_SAFETY_MARGIN_BYTES}), so the plan
 * can count requests before the IDs are typed in, and counts what the engine will send.
 */
export function planSmsParts(message: Message, conversation: Conversation): SmsPartsPlan {
  const { droppedChars } = smsText(message);
  if (message.attachments.length === 0) {
    const only: SmsPart = { index: 1, count: 1, externalId: message.id, attachments: [] };
    return { parts: [only], droppedFiles: [], truncatedChars: droppedChars };
  }
  const budget = MAX_REQUEST_BYTES - REQUEST_SAFETY_MARGIN_BYTES;
  const continuation: SmsPart = {
    index: 999,
    count: 999,
    externalId: `${message.id}:part-999`,
    attachments: [],
  };
  const continuationRoom = budget - envelopeBytes(message, conversation, continuation, []);

  const droppedFiles: DroppedFile[] = [];
  const sendable: AttachmentInfo[] = [];
  for (const file of message.attachments) {
    if (!file.ref) droppedFiles.push({ filename: file.filename, size: file.size, reason: FLAGS.fileMissing });
    else if (fileCost(file) > continuationRoom)
      droppedFiles.push({ filename: file.filename, size: file.size, reason: FLAGS.fileTooLarge });
    else sendable.push(file);
  }

  const first: SmsPart = { index: 1, count: 1, externalId: message.id, attachments: [] };
  const groups: AttachmentInfo[][] = [[]];
  let room = budget - envelopeBytes(message, conversation, first, droppedFiles);
  for (const file of sendable) {
    const cost = fileCost(file);
    if (cost > room) {
      groups.push([]);
      room = continuationRoom;
    }
    groups[groups.length - 1]!.push(file);
    room -= cost;
  }
  const parts = groups.map((attachments, i) => ({
    index: i + 1,
    count: groups.length,
    externalId: i === 0 ? message.id : `${message.id}:part-${i + 1}`,
    attachments,
  }));
  return { parts, droppedFiles, truncatedChars: droppedChars };
}

// ---------------------------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------------------------

export interface PostContext {
  organization: string;
  /** Send `reopen: true`: the value that keeps the state under the observed reading. */
  reopen: boolean;
  commentMode: CommentMode;
}

export interface PostTarget {
  /** The Missive conversation the comments belong to (from the SMS import or the email lookup). */
  missiveConversationId: string;
}

export interface CommentPost {
  body: PostsRequestBody;
  /** The Front comments this post carries (whole or in part), oldest first. */
  commentIds: string[];
}

/** One comment rendered as one or more Markdown chunks, each small enough for a post of its own. */
interface CommentChunks {
  comment: Comment;
  chunks: string[];
}

/** Room for a comment's chunks: the post keeps the marker line and a blank line above them. */
const CHUNK_MAX_CHARS = POST_MARKDOWN_MAX_CHARS - IMPORT_MARKER.length - 2;

function authorName(comment: Comment): string {
  return comment.authorName.trim() || 'Unknown author';
}

function chunkHeader(comment: Comment, index: number, count: number): string {
  const when = `${humanUtc(comment.postedAt)} (${isoUtc(comment.postedAt)})`;
  const part = count > 1 ? ` · part ${index} of ${count}` : '';
  return `**${escapeMarkdown(authorName(comment))}** · ${when}${part}`;
}

function fileListLine(comment: Comment): string | null {
  if (comment.attachments.length === 0) return null;
  const names: string[] = [];
  let length = 0;
  for (const file of comment.attachments) {
    const name = escapeMarkdown(file.filename);
    if (length + name.length > FILE_LIST_MAX_CHARS) {
      names.push(`and ${comment.attachments.length - names.length} more`);
      break;
    }
    names.push(name);
    length += name.length + 2;
  }
  return `_Files (not imported: Missive posts cannot carry files):_ ${names.join(', ')}`;
}

/**
 * A comment as Markdown: author, original date and time (human and ISO, UTC), the escaped body and
 * the names of its files. A body too long for one post is split; each chunk repeats the header
 * with "part k of n" so every post reads on its own.
 */
export function renderCommentChunks(comment: Comment): string[] {
  const files = fileListLine(comment);
  const body = escapeMarkdown(comment.body.trim());
  const longestHeader = chunkHeader(comment, 999, 999).length;
  const room = CHUNK_MAX_CHARS - longestHeader - 2 - (files ? files.length + 2 : 0);
  const pieces = body === '' ? [files ? '' : '_(no text)_'] : splitText(body, room);
  return pieces.map((piece, i) =>
    [chunkHeader(comment, i + 1, pieces.length), piece, i === 0 ? files : null]
      .filter((s): s is string => s !== null && s !== '')
      .join('\n\n'),
  );
}

/** The chunk lengths of a comment, which is all the plan needs to count posts exactly. */
export function commentChunkLengths(comment: Comment): number[] {
  return renderCommentChunks(comment).map((chunk) => chunk.length);
}

/** Where a chunk goes: `[comment index, chunk index]`, per post. */
type PostLayout = [number, number][];

function packChunks(chunkLengths: readonly (readonly number[])[], mode: CommentMode): PostLayout[] {
  const posts: PostLayout[] = [];
  let current: PostLayout = [];
  let length = 0;
  const flush = () => {
    if (current.length > 0) posts.push(current);
    current = [];
    length = 0;
  };
  chunkLengths.forEach((lengths, commentIndex) => {
    // Per comment, and for a comment split into parts in either mode: one chunk per post.
    if (mode === 'per-comment' || lengths.length > 1) {
      flush();
      lengths.forEach((_, chunkIndex) => posts.push([[commentIndex, chunkIndex]]));
      return;
    }
    const chunkLength = lengths[0] ?? 0;
    if (current.length > 0 && length + CHUNK_SEPARATOR.length + chunkLength > CHUNK_MAX_CHARS) flush();
    length += (current.length > 0 ? CHUNK_SEPARATOR.length : 0) + chunkLength;
    current.push([commentIndex, 0]);
  });
  flush();
  return posts;
}

/**
 * How many posts carry these comments (each given by {@link commentChunkLengths}, oldest first).
 * Per comment: one post each, more for a comment too long for one. Per conversation: as many
 * comments per post as fit under {@link POST_MARKDOWN_MAX_CHARS}.
 */
export function countCommentPosts(chunkLengths: readonly (readonly number[])[], mode: CommentMode): number {
  return packChunks(chunkLengths, mode).length;
}

function byPostedAt(a: Comment, b: Comment): number {
  return a.postedAt - b.postedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function notificationBody(commentsInPost: readonly Comment[]): string {
  const first = commentsInPost[0]!;
  const text =
    commentsInPost.length === 1
      ? `Comment by ${authorName(first)}, ${humanUtc(first.postedAt)}`
      : `${commentsInPost.length} comments, from ${humanUtc(first.postedAt)}`;
  return truncateText(text, NOTIFICATION_BODY_MAX_CHARS).text;
}

function postUsername(commentsInPost: readonly Comment[]): string {
  const authors = new Set(commentsInPost.map(authorName));
  const [only] = authors;
  return authors.size === 1 && only !== undefined ? only : 'Front';
}

/**
 * The `POST /posts` bodies for the comments of one conversation, oldest first. Per-comment mode
 * (the default): one post per comment. Per-conversation mode: all comments in as few posts as fit
 * under {@link POST_MARKDOWN_MAX_CHARS}, each with its author and date. Posts are dated by Missive at
 * creation and cannot be backdated, so the original time is in the text and in the `timestamp` of
 * each comment's attachment block.
 */
export function commentPostPayloads(
  comments: readonly Comment[],
  target: PostTarget,
  ctx: PostContext,
): CommentPost[] {
  const rendered: CommentChunks[] = [...comments]
    .sort(byPostedAt)
    .map((comment) => ({ comment, chunks: renderCommentChunks(comment) }));
  const layouts = packChunks(
    rendered.map((r) => r.chunks.map((c) => c.length)),
    ctx.commentMode,
  );
  return layouts.map((layout) => {
    const inPost = layout.map(([c, k]) => ({ ...rendered[c]!, chunkIndex: k }));
    const commentsInPost = [...new Set(inPost.map((x) => x.comment))];
    const markdown = [IMPORT_MARKER, inPost.map((x) => x.chunks[x.chunkIndex]!).join(CHUNK_SEPARATOR)].join(
      '\n\n',
    );
    const fields: CommentPostFields = {
      conversation: target.missiveConversationId,
      username: postUsername(commentsInPost),
      markdown,
      notification: { title: 'Imported from Front', body: notificationBody(commentsInPost) },
      attachments: inPost.map((x) => ({
        footer:
          `Front comment ${x.comment.id}` +
          (x.chunks.length > 1 ? `, part ${x.chunkIndex + 1} of ${x.chunks.length}` : ''),
        timestamp: unixSeconds(x.comment.postedAt),
      })),
      organization: ctx.organization,
      // Only SMS requests close (conversations the import created); a post keeps the state.
      ...(ctx.reopen ? { reopen: true } : {}),
    };
    return { body: { posts: fields }, commentIds: commentsInPost.map((c) => c.id) };
  });
}
