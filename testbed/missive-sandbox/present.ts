/** Resources as Missive's API shows them (endpoint reference field names). */
import { ORGANIZATION_ID, ORGANIZATION_NAME } from './fixtures.ts';
import type { Conversation, SandboxStore } from './store.ts';
import type { SeededEmail, StoredMessage, StoredPost } from './types.ts';

export function webUrl(conversationId: string): string {
  return `https://mail.missiveapp.com/#inbox/conversations/${conversationId}`;
}

export function conversationJson(store: SandboxStore, conversation: Conversation): Record<string, unknown> {
  const team = conversation.team ? store.teams.find((t) => t.id === conversation.team) : undefined;
  const labels = store.sharedLabels.filter((label) => conversation.shared_labels.has(label.id));
  const users = store.users.filter((user) => conversation.users.has(user.id));
  return {
    id: conversation.id,
    created_at: conversation.created_at,
    subject: conversation.subject,
    latest_message_subject: conversation.latest_message_subject,
    organization:
      conversation.organization === ORGANIZATION_ID ? { id: ORGANIZATION_ID, name: ORGANIZATION_NAME } : null,
    team: team ? { id: team.id, name: team.name, organization: team.organization } : null,
    color: conversation.color,
    assignees: store.users
      .filter((user) => conversation.assignees.has(user.id))
      .map((user) => ({ id: user.id, name: user.name, email: user.email })),
    users: users.map((user) => ({
      id: user.id,
      name: user.name,
      email: user.email,
      unassigned: !conversation.assignees.has(user.id),
      closed: conversation.closed,
      archived: conversation.closed,
      trashed: false,
      junked: false,
      assigned: conversation.assignees.has(user.id),
      flagged: false,
      snoozed: false,
    })),
    authors: [],
    messages_count: conversation.timeline.length,
    drafts_count: 0,
    send_later_messages_count: 0,
    attachments_count: conversation.messages.reduce((sum, m) => sum + m.attachments.length, 0),
    tasks_count: 0,
    completed_tasks_count: 0,
    last_activity_at: conversation.last_activity_at,
    web_url: webUrl(conversation.id),
    app_url: `missive://mail.missiveapp.com/#inbox/conversations/${conversation.id}`,
    shared_labels: labels.map((label) => ({
      id: label.id,
      name: label.name,
      name_with_parent_names: label.name_with_parent_names,
    })),
  };
}

function preview(text: string | null): string | null {
  return text === null
    ? null
    : text
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 140);
}

export function messageJson(store: SandboxStore, message: StoredMessage): Record<string, unknown> {
  return {
    id: message.id,
    type: 'custom_text',
    subject: message.subject,
    preview: preview(message.body),
    body: message.body,
    delivered_at: message.delivered_at,
    created_at: message.created_at,
    updated_at: message.created_at,
    external_id: message.external_id,
    references: message.references,
    from_field: message.from_field,
    to_fields: message.to_fields,
    cc_fields: message.cc_fields,
    bcc_fields: message.bcc_fields,
    attachments: message.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size })),
    author: null,
    conversation: conversationJson(store, store.conversation(message.conversation)),
  };
}

export function emailJson(store: SandboxStore, email: SeededEmail): Record<string, unknown> {
  return {
    id: email.id,
    type: 'email',
    subject: email.subject,
    preview: null,
    delivered_at: email.delivered_at,
    created_at: email.created_at,
    updated_at: email.created_at,
    email_message_id: email.email_message_id,
    in_reply_to: [],
    references: [],
    from_field: { address: 'customer@example.com', name: 'Customer' },
    to_fields: [{ address: 'support@sandbox.example', name: 'Support' }],
    attachments: [],
    conversation: conversationJson(store, store.conversation(email.conversation)),
  };
}

export function timelineItemJson(
  store: SandboxStore,
  item: StoredMessage | SeededEmail,
): Record<string, unknown> {
  return item.type === 'email' ? emailJson(store, item) : messageJson(store, item);
}

export function postJson(post: StoredPost): Record<string, unknown> {
  return {
    id: post.id,
    conversation: post.conversation,
    created_at: post.created_at,
    username: post.username,
    username_icon: post.username_icon,
    text: post.text,
    markdown: post.markdown,
    notification: post.notification,
    attachments: post.attachments,
  };
}
