/**
 * Front objects from front-export.md §7 (illustrative, built from the Core API schemas), as
 * factories so each test can vary one field without affecting the others.
 */

export const API = 'https://acme.api.frontapp.com';

export function conversationFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _links: {
      self: `${API}/conversations/cnv_yo1kg5q`,
      related: {
        messages: `${API}/conversations/cnv_yo1kg5q/messages`,
        comments: `${API}/conversations/cnv_yo1kg5q/comments`,
        inboxes: `${API}/conversations/cnv_yo1kg5q/inboxes`,
        last_message: `${API}/messages/msg_2y67qldq?referer=conversation`,
      },
    },
    id: 'cnv_yo1kg5q',
    type: 'conversation',
    subject: 'Invoice #1042',
    status: 'archived',
    ticket_ids: [],
    assignee: {
      _links: { self: `${API}/teammates/tea_6r55a` },
      id: 'tea_6r55a',
      email: 'sam@acme.com',
      username: 'sam',
      first_name: 'Sam',
      last_name: 'Lee',
      is_admin: false,
      is_available: true,
      is_blocked: false,
      type: 'user',
      custom_fields: {},
    },
    recipient: {
      _links: { related: { contact: `${API}/contacts/crd_3cgz4ge` } },
      name: 'Pat Customer',
      handle: 'pat@example.com',
      role: 'from',
    },
    tags: [{ id: 'tag_2oxhvy', name: 'billing', is_private: false }],
    links: [],
    custom_fields: {},
    created_at: 1701292639.0,
    updated_at: 1701292702.51,
    is_private: false,
    scheduled_reminders: [],
    metadata: {},
    ...overrides,
  };
}

export function emailFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _links: {
      self: `${API}/messages/msg_1q15qmtq`,
      related: { conversation: `${API}/conversations/cnv_yo1kg5q` },
    },
    id: 'msg_1q15qmtq',
    message_uid: '1eab543f84a0785f7b6b8967cck18f4d',
    type: 'email',
    is_inbound: true,
    draft_mode: null,
    error_type: null,
    created_at: 1701292639,
    subject: 'Invoice #1042',
    blurb: 'Hi, could you resend the invoice…',
    author: null,
    recipients: [
      {
        _links: { related: { contact: `${API}/contacts/crd_3cgz4ge` } },
        name: 'Pat Customer',
        handle: 'pat@example.com',
        role: 'from',
      },
      { _links: { related: { contact: null } }, name: null, handle: 'support@acme.com', role: 'to' },
    ],
    body: '<p>Hi, could you resend the invoice?</p>',
    text: 'Hi, could you resend the invoice?',
    attachments: [
      {
        id: 'fil_3q8a7mby',
        filename: 'invoice.pdf',
        url: `${API}/download/fil_3q8a7mby`,
        content_type: 'application/pdf',
        size: 4405,
        metadata: { is_inline: false, cid: '526b45586d0e6b1c484afab63d1ef0be' },
      },
    ],
    metadata: {},
    ...overrides,
  };
}

export function smsFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _links: { related: { conversation: `${API}/conversations/cnv_3b9xk2` } },
    id: 'msg_4k2p9s',
    type: 'sms',
    is_inbound: true,
    draft_mode: null,
    created_at: 1701300000.25,
    blurb: 'Running 10 min late',
    author: null,
    recipients: [
      {
        _links: { related: { contact: `${API}/contacts/crd_8hd2k` } },
        name: null,
        handle: '+14155550123',
        role: 'from',
      },
      { _links: { related: { contact: null } }, name: null, handle: '+14155559876', role: 'to' },
    ],
    body: 'Running 10 min late',
    text: 'Running 10 min late',
    attachments: [],
    metadata: {},
    ...overrides,
  };
}

export function commentFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _links: {
      self: `${API}/comments/com_1ywg3f2`,
      related: {
        conversation: `${API}/conversations/cnv_yo1kg5q`,
        mentions: `${API}/comments/com_1ywg3f2/mentions`,
        comment_replied_to: null,
      },
    },
    id: 'com_1ywg3f2',
    author: {
      id: 'tea_6r55a',
      email: 'sam@acme.com',
      username: 'sam',
      first_name: 'Sam',
      last_name: 'Lee',
      type: 'user',
    },
    body: '@alex can you check the billing system?',
    posted_at: 1701292690.112,
    attachments: [],
    is_pinned: false,
    ...overrides,
  };
}

/** Removes `_links` so only the path can tell the parent conversation. */
export function withoutLinks(object: Record<string, unknown>): Record<string, unknown> {
  const { _links: _ignored, ...rest } = object;
  return rest;
}
