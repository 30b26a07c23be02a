/** Validated Front objects → the normalised model (src/domain/model.ts). */
import type {
  AttachmentInfo,
  Comment,
  Contact,
  Conversation,
  Inbox,
  Message,
  MessageKind,
  Recipient,
  Teammate,
} from '../model.ts';
import type { FrontChannel } from './contract.ts';
import { normalizeMessageId, parseMessageIdList } from './message-ids.ts';
import { isConversationId, lastUrlSegment } from './paths.ts';
import type {
  FrontAttachment,
  FrontChannelObject,
  FrontComment,
  FrontContact,
  FrontConversation,
  FrontInbox,
  FrontMessage,
  FrontTeammate,
  FrontTeammateObject,
} from './schemas.ts';

/** Author name when a comment's author is missing (deleted teammate, system comment). */
export const UNKNOWN_AUTHOR = 'Unknown teammate';
/** Front conversations predating the `type` field are plain conversations. */
const DEFAULT_CONVERSATION_TYPE = 'conversation';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HEADER_KEY_SEPARATORS = /-/g;

/** How a message is imported: only Front's own `sms` and `email` types are certain. */
export function messageKind(frontType: string): MessageKind {
  if (frontType === 'sms') return 'sms';
  if (frontType === 'email') return 'email';
  return 'other_message';
}

/** "First Last", else username, else email; null for a missing teammate. */
export function teammateName(teammate: FrontTeammate | null | undefined): string | null {
  if (!teammate) return null;
  const fullName = [teammate.first_name, teammate.last_name]
    .filter((part) => typeof part === 'string' && part.trim() !== '')
    .join(' ')
    .trim();
  if (fullName !== '') return fullName;
  if (teammate.username) return teammate.username;
  if (teammate.email) return teammate.email;
  return null;
}

/** The `cnv_…` ID at the end of `_links.related.conversation`, or null. */
export function linkedConversationId(link: string | null | undefined): string | null {
  if (!link) return null;
  const id = lastUrlSegment(link);
  return isConversationId(id) ? id : null;
}

function toAttachment(attachment: FrontAttachment): AttachmentInfo {
  return {
    id: attachment.id ?? null,
    filename: attachment.filename || attachment.name || attachment.id || 'attachment',
    contentType: attachment.content_type || DEFAULT_CONTENT_TYPE,
    size: attachment.size,
    inline: attachment.metadata?.is_inline === true,
    cid: attachment.metadata?.cid ?? null,
    ref: null, // the pipeline links the bytes it finds in the zips
  };
}

function toAttachments(attachments: FrontAttachment[] | null | undefined): AttachmentInfo[] {
  return attachments ? attachments.map(toAttachment) : [];
}

function toRecipients(recipients: FrontMessage['recipients']): Recipient[] {
  const result: Recipient[] = [];
  if (!recipients) return result;
  for (const recipient of recipients) {
    // A recipient without a handle cannot be addressed or matched to a contact.
    if (!recipient.handle) continue;
    result.push({ handle: recipient.handle, name: recipient.name ?? null, role: recipient.role ?? '' });
  }
  return result;
}

interface ThreadingHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

/** Threading headers from `metadata.headers`, whatever the key spelling (`message_id`, `Message-ID`). */
function threadingHeaders(headers: Record<string, unknown> | null | undefined): ThreadingHeaders {
  const result: ThreadingHeaders = { messageId: null, inReplyTo: null, references: [] };
  if (!headers) return result;
  for (const key in headers) {
    const value = headers[key];
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(' ') : null;
    if (text === null) continue;
    switch (key.toLowerCase().replace(HEADER_KEY_SEPARATORS, '_')) {
      case 'message_id':
        result.messageId ??= normalizeMessageId(text);
        break;
      case 'in_reply_to':
        result.inReplyTo ??= normalizeMessageId(text);
        break;
      case 'references':
        if (result.references.length === 0) result.references = parseMessageIdList(text);
        break;
    }
  }
  return result;
}

function tagNames(tags: FrontConversation['tags']): string[] {
  const names: string[] = [];
  if (!tags) return names;
  for (const tag of tags) {
    const name = typeof tag === 'string' ? tag : tag.name;
    if (name) names.push(name);
  }
  return names;
}

export function toConversation(raw: FrontConversation, inboxKeys: string[]): Conversation {
  return {
    id: raw.id,
    seen: true,
    subject: raw.subject ?? '',
    status: raw.status ?? '',
    type: raw.type || DEFAULT_CONVERSATION_TYPE,
    createdAt: raw.created_at ?? null,
    inboxKeys,
    tags: tagNames(raw.tags),
    assigneeName: teammateName(raw.assignee),
    recipientHandle: raw.recipient?.handle ?? null,
  };
}

export function toMessage(raw: FrontMessage, conversationId: string): Message {
  const frontType = raw.type ?? '';
  const headers = threadingHeaders(raw.metadata?.headers);
  return {
    id: raw.id,
    conversationId,
    kind: messageKind(frontType),
    frontType,
    isInbound: raw.is_inbound === true,
    isDraft: (raw.draft_mode !== null && raw.draft_mode !== undefined) || raw.is_draft === true,
    createdAt: raw.created_at,
    subject: raw.subject ?? '',
    body: raw.body ?? '',
    text: raw.text ?? '',
    authorName: teammateName(raw.author),
    recipients: toRecipients(raw.recipients),
    attachments: toAttachments(raw.attachments),
    messageId: headers.messageId,
    inReplyTo: headers.inReplyTo,
    references: headers.references,
    eml: null, // the pipeline pairs .eml files by message ID
  };
}

/** Null when the comment carries no usable time (the caller reports it). */
export function toComment(raw: FrontComment, conversationId: string): Comment | null {
  const postedAt = raw.posted_at ?? raw.created_at;
  if (postedAt === null || postedAt === undefined) return null;
  return {
    id: raw.id,
    conversationId,
    authorName: teammateName(raw.author) ?? UNKNOWN_AUTHOR,
    authorEmail: raw.author?.email ?? null,
    body: raw.body ?? '',
    postedAt,
    attachments: toAttachments(raw.attachments),
    isPinned: raw.is_pinned === true,
  };
}

/** Inbox objects are keyed by their Front ID; folder-derived keys are mapped to them later. */
export function toInbox(raw: FrontInbox): Inbox {
  return {
    key: raw.id,
    frontId: raw.id,
    name: raw.name ?? raw.id,
    channelType: null,
    smtpForwarding: false,
  };
}

export function toChannel(raw: FrontChannelObject): FrontChannel {
  const inboxLink = raw._links?.related?.inbox;
  const linkedInbox = inboxLink ? lastUrlSegment(inboxLink) : null;
  const inboxFrontId = linkedInbox?.startsWith('inb_') ? linkedInbox : (raw.inbox_id ?? null);
  return {
    id: raw.id,
    type: raw.type ?? '',
    inboxFrontId,
    name: raw.name || raw.address || raw.id,
  };
}

export function toTeammate(raw: FrontTeammateObject): Teammate {
  return { id: raw.id, email: raw.email ?? null, name: teammateName(raw) ?? raw.id };
}

export function toContact(raw: FrontContact): Contact {
  const handles: Contact['handles'] = [];
  for (const handle of raw.handles ?? []) {
    if (handle.handle) handles.push({ handle: handle.handle, source: handle.source ?? '' });
  }
  return { id: raw.id, name: raw.name ?? null, handles };
}
