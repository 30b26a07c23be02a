/**
 * Tolerant zod schemas of the Front objects the importer reads (Core API shapes, see
 * front-export.md §4). Unknown fields are kept (`looseObject`), almost every field may be missing
 * or null; only a wrong type, or a missing ID or timestamp the model needs, fails validation.
 */
import { z } from 'zod';
import { toMillis } from './timestamps.ts';

const optionalText = z.string().nullish();
const optionalFlag = z.boolean().nullish();

const timestampInput = z.union([z.number(), z.string()], {
  error: (issue) => (issue.input == null ? 'missing timestamp' : 'expected Unix seconds or an ISO date'),
});

/** Unix seconds (int, decimal, numeric string) or ISO string, converted to Unix milliseconds. */
const timestampMillis = timestampInput.transform((value, ctx) => {
  const millis = toMillis(value);
  if (millis !== null) return millis;
  ctx.issues.push({ code: 'custom', message: `not a timestamp (${JSON.stringify(value)})`, input: value });
  return z.NEVER;
});

/** A size in bytes; some serialisers write numbers as strings. */
const byteSize = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value) => {
    const size = typeof value === 'string' ? Number(value) : value;
    return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : 0;
  });

const related = z.looseObject({ conversation: optionalText, inbox: optionalText }).nullish().catch(null); // a malformed link block must not reject the object: the folder is a fallback
const links = z.looseObject({ related }).nullish().catch(null);

export const teammateSchema = z.looseObject({
  id: optionalText,
  email: optionalText,
  username: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  type: optionalText,
});
export type FrontTeammate = z.infer<typeof teammateSchema>;
/** A teammate as a top-level object (`tea_…`), where the ID is required. */
export const teammateObjectSchema = teammateSchema.extend({ id: z.string() });
export type FrontTeammateObject = z.infer<typeof teammateObjectSchema>;

const recipientSchema = z.looseObject({ handle: optionalText, name: optionalText, role: optionalText });

const attachmentSchema = z.looseObject({
  id: optionalText,
  filename: optionalText,
  name: optionalText,
  content_type: optionalText,
  size: byteSize,
  metadata: z.looseObject({ is_inline: optionalFlag, cid: optionalText }).nullish(),
});
export type FrontAttachment = z.infer<typeof attachmentSchema>;

const attachments = z.array(attachmentSchema).nullish();

/** Tags are objects in the API; a bare name is accepted too. */
const tagSchema = z.union([z.string(), z.looseObject({ name: optionalText })]);

export const conversationSchema = z.looseObject({
  id: z.string(),
  type: optionalText,
  subject: optionalText,
  status: optionalText,
  created_at: timestampMillis.nullish(),
  assignee: teammateSchema.nullish(),
  recipient: recipientSchema.nullish(),
  tags: z.array(tagSchema).nullish(),
});
export type FrontConversation = z.infer<typeof conversationSchema>;

export const messageSchema = z.looseObject({
  _links: links,
  id: z.string(),
  type: optionalText,
  is_inbound: optionalFlag,
  /** `shared` | `private` | null; any non-null value means draft. */
  draft_mode: z.unknown().optional(),
  is_draft: optionalFlag,
  created_at: timestampMillis,
  subject: optionalText,
  body: optionalText,
  text: optionalText,
  author: teammateSchema.nullish(),
  recipients: z.array(recipientSchema).nullish(),
  attachments,
  metadata: z
    .looseObject({ headers: z.record(z.string(), z.unknown()).nullish().catch(null) })
    .nullish()
    .catch(null),
});
export type FrontMessage = z.infer<typeof messageSchema>;

export const commentSchema = z.looseObject({
  _links: links,
  id: z.string(),
  author: teammateSchema.nullish(),
  body: optionalText,
  posted_at: timestampMillis.nullish(),
  /** Not in the API; accepted when `posted_at` is absent. */
  created_at: timestampMillis.nullish(),
  attachments,
  is_pinned: optionalFlag,
});
export type FrontComment = z.infer<typeof commentSchema>;

export const inboxSchema = z.looseObject({ id: z.string(), name: optionalText, is_private: optionalFlag });
export type FrontInbox = z.infer<typeof inboxSchema>;

export const channelSchema = z.looseObject({
  _links: links,
  id: z.string(),
  type: optionalText,
  name: optionalText,
  address: optionalText,
  inbox_id: optionalText,
});
export type FrontChannelObject = z.infer<typeof channelSchema>;

export const contactSchema = z.looseObject({
  id: z.string(),
  name: optionalText,
  handles: z.array(z.looseObject({ handle: optionalText, source: optionalText })).nullish(),
});
export type FrontContact = z.infer<typeof contactSchema>;
