/**
 * Front Core API object shapes as the generator writes them (see the reference, section 4).
 * Field names and nesting follow the API exactly; these types only keep the generator honest.
 */

export type ChannelType = 'smtp' | 'gmail' | 'office365' | 'imap' | 'twilio' | 'custom';

export interface FrontTeammate {
  _links: { self: string; related: { inboxes: string; conversations: string } };
  id: string;
  email: string;
  username: string;
  first_name: string;
  last_name: string;
  is_admin: boolean;
  is_available: boolean;
  is_blocked: boolean;
  type: string;
  custom_fields: Record<string, string>;
}

export interface FrontInbox {
  _links: {
    self: string;
    related: { teammates: string; conversations: string; channels: string; owner: string };
  };
  id: string;
  name: string;
  is_private: boolean;
  is_public: boolean;
  custom_fields: Record<string, string>;
}

export interface FrontChannel {
  _links: { self: string; related: { inbox: string; owner: string } };
  id: string;
  name: string;
  address: string;
  type: string;
  send_as: string;
  settings: { undo_send_time: number; all_teammates_can_reply: boolean };
  is_private: boolean;
  is_valid: boolean;
}

export interface FrontTag {
  _links: { self: string; related: { conversations: string; owner: string; children: string } };
  id: string;
  name: string;
  description: string | null;
  highlight: string | null;
  is_private: boolean;
  is_visible_in_conversation_lists: boolean;
  created_at: number;
  updated_at: number;
}

export interface FrontRecipient {
  _links: { related: { contact: string | null } };
  name: string | null;
  handle: string;
  role: 'from' | 'to' | 'cc' | 'bcc' | 'reply-to';
}

export interface FrontAttachment {
  id: string;
  filename: string;
  url: string;
  content_type: string;
  size: number;
  metadata: { is_inline: boolean; cid?: string };
}

export interface FrontSignature {
  id: string;
  name: string;
  body: string;
  sender_info: string | null;
  is_visible_for_all_teammate_channels: boolean;
  is_default: boolean;
  is_private: boolean;
  channel_ids: string[];
}

export interface FrontMessage {
  _links: {
    self: string;
    related: { conversation: string; message_replied_to?: string; message_seen: string };
  };
  id: string;
  message_uid: string;
  type: string;
  is_inbound: boolean;
  draft_mode: 'shared' | 'private' | null;
  error_type: string | null;
  version: string | null;
  created_at: number;
  subject: string;
  blurb: string;
  author: FrontTeammate | null;
  recipients: FrontRecipient[];
  body: string;
  text: string;
  attachments: FrontAttachment[];
  signature?: FrontSignature;
  metadata: Record<string, unknown>;
}

export interface FrontComment {
  _links: {
    self: string;
    related: { conversation: string; mentions: string; comment_replied_to: string | null };
  };
  id: string;
  author: FrontTeammate;
  body: string;
  posted_at: number;
  attachments: FrontAttachment[];
  is_pinned: boolean;
}

export interface FrontConversation {
  _links: {
    self: string;
    related: {
      events: string;
      followers: string;
      messages: string;
      comments: string;
      inboxes: string;
      last_message?: string;
    };
  };
  id: string;
  type: 'conversation' | 'discussion' | 'task';
  subject: string;
  status: 'archived' | 'unassigned' | 'deleted' | 'assigned';
  ticket_ids: string[];
  assignee: FrontTeammate | null;
  recipient: FrontRecipient | null;
  tags: FrontTag[];
  links: {
    id: string;
    name: string;
    type: string;
    external_url: string;
    custom_fields: Record<string, string>;
  }[];
  custom_fields: Record<string, string | number | boolean>;
  created_at: number;
  updated_at: number;
  waiting_since?: number;
  is_private: boolean;
  scheduled_reminders: { created_at: number; scheduled_at: number; updated_at: number }[];
  metadata: Record<string, unknown>;
}
