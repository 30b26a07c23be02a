/** Parses POST payloads into typed inputs, following the field tables of missive-api.md. */
import {
  Fields,
  badRequest,
  base64DecodedSize,
  color,
  envelope,
  envelopeArray,
  isObject,
  unixSeconds,
  type JsonObject,
} from './validate.ts';

export interface AttachmentInput {
  filename: string;
  size: number;
}

/** Options shared by messages and posts that act on the conversation. */
export interface ConversationActions {
  conversation: string | null;
  references: string[];
  organization: string | null;
  team: string | null;
  force_team: boolean;
  add_users: string[];
  add_assignees: string[];
  conversation_subject: string | null;
  conversation_color: string | null;
  add_shared_labels: string[];
  remove_shared_labels: string[];
  add_to_inbox: boolean | null;
  add_to_team_inbox: boolean | null;
  close: boolean;
}

export interface MessageInput extends ConversationActions {
  account: string;
  subject: string | null;
  body: string | null;
  from_field: JsonObject | null;
  to_fields: JsonObject[];
  cc_fields: JsonObject[];
  bcc_fields: JsonObject[];
  delivered_at: number | null;
  external_id: string | null;
  attachments: AttachmentInput[];
  ignored_fields: string[];
}

export interface PostInput extends ConversationActions {
  username: string | null;
  username_icon: string | null;
  conversation_icon: string | null;
  text: string | null;
  markdown: string | null;
  notification: { title: string; body: string };
  attachments: JsonObject[];
  reopen: boolean;
  ignored_fields: string[];
}

export interface ContactInput {
  contact_book: string;
  fields: JsonObject;
}

export interface SharedLabelInput {
  name: string;
  organization: string;
  color: string | null;
  parent: string | null;
  share_with_organization: boolean;
  share_with_team: string | null;
  share_with_users: string[];
  visibility: 'organization' | 'delegates';
}

function conversationActions(fields: Fields): ConversationActions {
  const actions: ConversationActions = {
    conversation: fields.string('conversation'),
    references: fields.stringArray('references'),
    organization: fields.string('organization'),
    team: fields.string('team'),
    force_team: fields.boolean('force_team') ?? false,
    add_users: fields.stringArray('add_users'),
    add_assignees: fields.stringArray('add_assignees'),
    conversation_subject: fields.string('conversation_subject'),
    conversation_color: color(fields, 'conversation_color'),
    add_shared_labels: fields.stringArray('add_shared_labels'),
    remove_shared_labels: fields.stringArray('remove_shared_labels'),
    add_to_inbox: fields.boolean('add_to_inbox'),
    add_to_team_inbox: fields.boolean('add_to_team_inbox'),
    close: fields.boolean('close') ?? false,
  };
  // Documented preconditions (endpoint reference, messages and posts alike).
  if ((actions.add_users.length || actions.add_assignees.length) && !actions.organization) {
    fields.fail('organization', 'is required with add_users or add_assignees');
  }
  if (actions.add_to_team_inbox && !actions.team) fields.fail('team', 'is required with add_to_team_inbox');
  return actions;
}

function binaryAttachments(fields: Fields): AttachmentInput[] {
  return fields.objectArray('attachments').map((item, index) => {
    const where: Fields = new Fields(item, `messages.attachments[${index}]`);
    const data = where.requiredString('base64_data');
    const filename = where.requiredString('filename');
    const size = base64DecodedSize(data);
    if (size === null) where.fail('base64_data', 'is not valid base64');
    return { filename, size };
  });
}

export function parseMessage(body: unknown): MessageInput {
  const fields = new Fields(envelope(body, 'messages'), 'messages');
  const toFields = (name: string) => fields.objectArray(name);
  const message: Omit<MessageInput, 'ignored_fields'> = {
    account: fields.requiredString('account'),
    subject: fields.string('subject'),
    body: fields.string('body'),
    from_field: fields.object('from_field'),
    to_fields: toFields('to_fields'),
    cc_fields: toFields('cc_fields'),
    bcc_fields: toFields('bcc_fields'),
    delivered_at: unixSeconds(fields, 'delivered_at'),
    external_id: fields.string('external_id'),
    attachments: binaryAttachments(fields),
    ...conversationActions(fields),
  };
  return { ...message, ignored_fields: fields.unread() };
}

function notification(fields: Fields): { title: string; body: string } {
  const value = fields.object('notification');
  if (!value) fields.fail('notification', 'is required: {"title": "...", "body": "..."}');
  const inner = new Fields(value, 'posts.notification');
  const title = inner.string('title');
  const body = inner.string('body');
  if (title === null || body === null) fields.fail('notification', 'needs string "title" and "body"');
  return { title, body };
}

export function parsePost(body: unknown): PostInput {
  const fields = new Fields(envelope(body, 'posts'), 'posts');
  const post: Omit<PostInput, 'ignored_fields'> = {
    username: fields.string('username'),
    username_icon: fields.string('username_icon'),
    conversation_icon: fields.string('conversation_icon'),
    text: fields.string('text'),
    markdown: fields.string('markdown'),
    notification: notification(fields),
    attachments: fields.objectArray('attachments'),
    reopen: fields.boolean('reopen') ?? false,
    ...conversationActions(fields),
  };
  if (!post.text && !post.markdown && post.attachments.length === 0) {
    throw badRequest('posts needs one of text, markdown or attachments');
  }
  return { ...post, ignored_fields: fields.unread() };
}

const INFO_KINDS = new Set([
  'email',
  'phone_number',
  'twitter',
  'facebook',
  'physical_address',
  'url',
  'custom',
]);
const GROUP_KINDS = new Set(['organization', 'group']);

function checkContactDetails(contact: JsonObject, where: string): void {
  const fields = new Fields(contact, where);
  fields.objectArray('infos').forEach((info, index) => {
    if (!INFO_KINDS.has(String(info.kind))) {
      throw badRequest(`${where}.infos[${index}].kind must be one of ${[...INFO_KINDS].join(', ')}`);
    }
  });
  fields.objectArray('memberships').forEach((membership, index) => {
    const group = membership.group;
    if (!isObject(group) || !GROUP_KINDS.has(String(group.kind)) || typeof group.name !== 'string') {
      throw badRequest(
        `${where}.memberships[${index}].group must be {"kind": "organization"|"group", "name": "..."}`,
      );
    }
  });
}

export function parseContacts(body: unknown): ContactInput[] {
  return envelopeArray(body, 'contacts').map((contact, index) => {
    const where = `contacts[${index}]`;
    const contactBook = new Fields(contact, where).requiredString('contact_book');
    checkContactDetails(contact, where);
    return { contact_book: contactBook, fields: contact };
  });
}

export function parseSharedLabels(body: unknown): SharedLabelInput[] {
  return envelopeArray(body, 'shared_labels').map((label, index) => {
    const fields: Fields = new Fields(label, `shared_labels[${index}]`);
    const visibility = fields.string('visibility') ?? 'organization';
    if (visibility !== 'organization' && visibility !== 'delegates') {
      fields.fail('visibility', 'must be "organization" or "delegates"');
    }
    return {
      name: fields.requiredString('name'),
      organization: fields.requiredString('organization'),
      color: fields.string('color'),
      parent: fields.string('parent'),
      share_with_organization: fields.boolean('share_with_organization') ?? false,
      share_with_team: fields.string('share_with_team'),
      share_with_users: fields.stringArray('share_with_users'),
      visibility,
    };
  });
}
