/**
 * The sandbox's data and Missive's write rules: threading by conversation / references /
 * external_id, the per-conversation message cap, post placement, contacts and labels. No HTTP here.
 */
import {
  ORGANIZATION_ID,
  ORGANIZATION_NAME,
  SYNCED_CONTACT_BOOK_ID,
  USER_ID,
  fixtureContactBooks,
  fixtureSharedLabels,
  fixtureSyncedContactBook,
  fixtureTeams,
  fixtureUsers,
} from './fixtures.ts';
import type {
  ConversationActions,
  ContactInput,
  MessageInput,
  PostInput,
  SharedLabelInput,
} from './payloads.ts';
import type {
  ContactBook,
  ConversationSnapshot,
  SandboxTeam,
  SandboxUser,
  SeedEmailInput,
  SeededEmail,
  PostReopenMode,
  SharedLabel,
  StateChange,
  StoredContact,
  StoredMessage,
  StoredPost,
  SyncedBookRefusalStatus,
} from './types.ts';
import { SandboxError, badRequest } from './validate.ts';

export interface Conversation {
  id: string;
  subject: string | null;
  latest_message_subject: string | null;
  created_at: number;
  last_activity_at: number;
  closed: boolean;
  in_inbox: boolean;
  color: string | null;
  team: string | null;
  organization: string | null;
  shared_labels: Set<string>;
  assignees: Set<string>;
  users: Set<string>;
  continued_in: string | null;
  messages: StoredMessage[];
  emails: SeededEmail[];
  posts: StoredPost[];
  /** Emails and messages in arrival order; the cap counts these. */
  timeline: (StoredMessage | SeededEmail)[];
}

export interface StoreSettings {
  accountId: string;
  conversationCap: number;
  postTextLimit: number;
  newId: () => string;
  nowSeconds?: () => number;
  /** When set, a synced (read-only) contact book is listed and writes to it get this status. */
  syncedContactBookRefusal?: SyncedBookRefusalStatus;
}

export interface WriteOptions {
  rejectDuplicateExternalId: boolean;
  /** The message is dated when it arrives, whatever `delivered_at` it names. */
  ignoreDeliveredAt?: boolean;
}

export interface PostOptions {
  postReopen: PostReopenMode;
}

/** Post references: chevrons optional, and strings with whitespace are ignored (Missive help page). */
export function normalizeReference(reference: string): string | null {
  const trimmed = reference.trim();
  if (!trimmed || /\s/.test(trimmed)) return null;
  return trimmed.replace(/^<(.*)>$/, '$1');
}

export class SandboxStore {
  readonly settings: StoreSettings;
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, StoredMessage>();
  readonly emails = new Map<string, SeededEmail>();
  readonly posts = new Map<string, StoredPost>();
  readonly contacts = new Map<string, StoredContact>();
  users: SandboxUser[] = [];
  teams: SandboxTeam[] = [];
  sharedLabels: SharedLabel[] = [];
  contactBooks: ContactBook[] = [];
  readonly organizations = [{ id: ORGANIZATION_ID, name: ORGANIZATION_NAME }];
  /** external_id or reference of a custom message → the first conversation that holds it. */
  readonly #threadIndex = new Map<string, string>();
  /** Normalised email Message-ID → the first conversation that holds it (post references). */
  readonly #postReferenceIndex = new Map<string, string>();
  readonly #emailsByMessageId = new Map<string, SeededEmail[]>();
  readonly #externalIds = new Set<string>();
  readonly #contactSearchText = new Map<string, string>();
  /** Closed-state changes, in order (control API: GET /control/state-changes). */
  readonly stateChanges: StateChange[] = [];

  constructor(settings: StoreSettings) {
    this.settings = settings;
    this.reset();
  }

  reset(): void {
    for (const map of [this.conversations, this.messages, this.emails, this.posts, this.contacts])
      map.clear();
    this.#threadIndex.clear();
    this.#postReferenceIndex.clear();
    this.#emailsByMessageId.clear();
    this.#externalIds.clear();
    this.#contactSearchText.clear();
    this.stateChanges.length = 0;
    this.users = fixtureUsers();
    this.teams = fixtureTeams();
    this.sharedLabels = fixtureSharedLabels();
    this.contactBooks = fixtureContactBooks();
    if (this.settings.syncedContactBookRefusal) this.contactBooks.push(fixtureSyncedContactBook());
  }

  now(): number {
    return this.settings.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
  }

  // ── Seeded emails ────────────────────────────────────────────────────────────────────────────

  seedEmail(input: SeedEmailInput): string {
    const messageId = normalizeReference(input.messageId);
    if (!messageId) throw badRequest('messageId must be a Message-ID without whitespace');
    const conversation = this.#conversationForSeed(input);
    if (input.closed !== undefined) {
      conversation.closed = input.closed;
      conversation.in_inbox = !input.closed;
    }
    const now = this.now();
    const email: SeededEmail = {
      id: this.settings.newId(),
      type: 'email',
      conversation: conversation.id,
      email_message_id: `<${messageId}>`,
      subject: input.subject ?? null,
      delivered_at: now,
      created_at: now,
    };
    this.emails.set(email.id, email);
    conversation.emails.push(email);
    conversation.timeline.push(email);
    conversation.last_activity_at = Math.max(conversation.last_activity_at, email.delivered_at);
    conversation.subject ??= email.subject;
    conversation.latest_message_subject = email.subject;
    const sameId = this.#emailsByMessageId.get(messageId) ?? [];
    sameId.push(email);
    this.#emailsByMessageId.set(messageId, sameId);
    this.#indexPostReference(messageId, conversation.id);
    return conversation.id;
  }

  #conversationForSeed(input: SeedEmailInput): Conversation {
    if (!input.conversationId) return this.#newConversation(input.subject ?? null);
    return (
      this.conversations.get(input.conversationId) ??
      this.#newConversation(input.subject ?? null, input.conversationId)
    );
  }

  /** GET /messages?email_message_id=: the latest 10 emails with that Message-ID, newest first. */
  emailsByMessageId(messageId: string): SeededEmail[] {
    const key = normalizeReference(messageId);
    const matches = key ? (this.#emailsByMessageId.get(key) ?? []) : [];
    return matches.slice(-10).reverse();
  }

  // ── POST /messages ───────────────────────────────────────────────────────────────────────────

  createMessage(input: MessageInput, options: WriteOptions): StoredMessage {
    if (input.account !== this.settings.accountId) {
      throw new SandboxError(
        404,
        `Account ${input.account} not found or not a custom channel: POST /messages only writes into custom channels`,
      );
    }
    this.#checkActions(input);
    if (options.rejectDuplicateExternalId && input.external_id && this.#externalIds.has(input.external_id)) {
      throw new SandboxError(422, `external_id ${input.external_id} has already been taken`);
    }
    const conversation = this.#withRoom(this.#messageTarget(input) ?? this.#newConversation(input.subject));
    const message = this.#storeMessage(input, conversation.id, options.ignoreDeliveredAt === true);
    conversation.messages.push(message);
    conversation.timeline.push(message);
    conversation.latest_message_subject = message.subject ?? conversation.latest_message_subject;
    if (!conversation.subject) conversation.subject = message.subject;
    const wasClosed = conversation.closed;
    this.#applyActions(conversation, input, message.delivered_at, true);
    this.#noteStateChange(conversation, wasClosed, 'POST /messages');
    this.#indexMessage(message);
    return message;
  }

  /** `conversation` wins over `references`; the first reference that matches decides. */
  #messageTarget(input: MessageInput): Conversation | null {
    if (input.conversation) return this.#existingConversation(input.conversation);
    for (const reference of input.references) {
      const id = this.#threadIndex.get(reference);
      if (id) return this.conversations.get(id) ?? null;
    }
    return null;
  }

  /**
   * Past the cap a message starts a new conversation; later messages aimed at the full one follow
   * it there rather than each starting another (the sandbox's answer to an open question).
   */
  #withRoom(conversation: Conversation): Conversation {
    let current = conversation;
    while (current.timeline.length >= this.settings.conversationCap) {
      const next = current.continued_in ? this.conversations.get(current.continued_in) : undefined;
      if (next) {
        current = next;
        continue;
      }
      const continuation = this.#newConversation(current.subject);
      continuation.team = current.team;
      continuation.organization = current.organization;
      current.continued_in = continuation.id;
      return continuation;
    }
    return current;
  }

  #storeMessage(input: MessageInput, conversationId: string, ignoreDeliveredAt: boolean): StoredMessage {
    const now = this.now();
    const { account, attachments, delivered_at, ...rest } = input;
    const message: StoredMessage = {
      ...rest,
      id: this.settings.newId(),
      type: 'custom',
      conversation: conversationId,
      account,
      delivered_at: ignoreDeliveredAt ? now : (delivered_at ?? now),
      created_at: now,
      attachments: attachments.map((a) => ({
        id: this.settings.newId(),
        filename: a.filename,
        size: a.size,
      })),
    };
    this.messages.set(message.id, message);
    return message;
  }

  #indexMessage(message: StoredMessage): void {
    const keys = message.external_id ? [message.external_id, ...message.references] : message.references;
    for (const key of keys) {
      if (!this.#threadIndex.has(key)) this.#threadIndex.set(key, message.conversation);
    }
    // Post references match email Message-ID headers only (as documented), never custom messages.
    if (message.external_id) this.#externalIds.add(message.external_id);
  }

  // ── POST /posts ──────────────────────────────────────────────────────────────────────────────

  createPost(input: PostInput, options: PostOptions = { postReopen: 'flag-keeps-closed' }): StoredPost {
    this.#checkActions(input);
    const conversation = this.#postTarget(input) ?? this.#newConversation(input.conversation_subject);
    const post = this.#storePost(input, conversation.id);
    conversation.posts.push(post);
    const wasClosed = conversation.closed;
    this.#applyActions(conversation, input, post.created_at, false);
    // Which posts reopen a closed conversation depends on the reading of `reopen` played.
    const reopens =
      options.postReopen === 'flag-keeps-closed'
        ? !input.reopen && !input.close
        : input.reopen && !input.close;
    if (wasClosed && conversation.closed && reopens) {
      conversation.closed = false;
      conversation.in_inbox = true;
    }
    this.#noteStateChange(conversation, wasClosed, 'POST /posts');
    return post;
  }

  #noteStateChange(conversation: Conversation, wasClosed: boolean, request: StateChange['request']): void {
    if (wasClosed === conversation.closed) return;
    this.stateChanges.push({
      conversation: conversation.id,
      change: conversation.closed ? 'closed' : 'reopened',
      request,
    });
  }

  #postTarget(input: PostInput): Conversation | null {
    if (input.conversation) return this.#existingConversation(input.conversation);
    for (const reference of input.references) {
      const key = normalizeReference(reference);
      const id = key ? this.#postReferenceIndex.get(key) : undefined;
      if (id) return this.conversations.get(id) ?? null;
    }
    return null;
  }

  #storePost(input: PostInput, conversationId: string): StoredPost {
    const limit = this.settings.postTextLimit;
    const truncated = (['text', 'markdown'] as const).filter((name) => (input[name]?.length ?? 0) > limit);
    const post: StoredPost = {
      ...input,
      id: this.settings.newId(),
      conversation: conversationId,
      created_at: this.now(),
      text: input.text?.slice(0, limit) ?? null,
      markdown: input.markdown?.slice(0, limit) ?? null,
      truncated,
    };
    this.posts.set(post.id, post);
    return post;
  }

  deletePost(id: string): void {
    const post = this.posts.get(id);
    if (!post) throw new SandboxError(404, `Post ${id} not found`);
    this.posts.delete(id);
    const conversation = this.conversations.get(post.conversation);
    if (conversation) conversation.posts = conversation.posts.filter((p) => p.id !== id);
  }

  #indexPostReference(key: string, conversationId: string): void {
    if (!this.#postReferenceIndex.has(key)) this.#postReferenceIndex.set(key, conversationId);
  }

  // ── Conversations ────────────────────────────────────────────────────────────────────────────

  #newConversation(subject: string | null, id = this.settings.newId()): Conversation {
    const now = this.now();
    const conversation: Conversation = {
      id,
      subject,
      latest_message_subject: null,
      created_at: now,
      // Raised by the first activity: a conversation made of history sorts at its history's date.
      last_activity_at: 0,
      closed: false,
      in_inbox: false,
      color: null,
      team: null,
      organization: null,
      shared_labels: new Set(),
      assignees: new Set(),
      users: new Set([USER_ID]),
      continued_in: null,
      messages: [],
      emails: [],
      posts: [],
      timeline: [],
    };
    this.conversations.set(id, conversation);
    return conversation;
  }

  #existingConversation(id: string): Conversation {
    const conversation = this.conversations.get(id);
    if (!conversation) throw new SandboxError(404, `Conversation ${id} not found`);
    return conversation;
  }

  conversation(id: string): Conversation {
    return this.#existingConversation(id);
  }

  /** Refuses ids that do not exist in the account, as Missive would rather than ignore them. */
  #checkActions(actions: ConversationActions): void {
    if (actions.organization && actions.organization !== ORGANIZATION_ID) {
      throw badRequest(`organization ${actions.organization} not found`);
    }
    if (actions.team && !this.teams.some((team) => team.id === actions.team)) {
      throw badRequest(`team ${actions.team} not found`);
    }
    const labelIds = new Set(this.sharedLabels.map((label) => label.id));
    const unknownLabel = [...actions.add_shared_labels, ...actions.remove_shared_labels].find(
      (id) => !labelIds.has(id),
    );
    if (unknownLabel) throw badRequest(`shared label ${unknownLabel} not found`);
    const userIds = new Set(this.users.map((user) => user.id));
    const unknownUser = [...actions.add_users, ...actions.add_assignees].find((id) => !userIds.has(id));
    if (unknownUser) throw badRequest(`user ${unknownUser} not found`);
  }

  /**
   * Conversation-level effects. An incoming message lands in the Inbox unless told otherwise
   * (`arrivalOpens`); a post changes the Inbox state only when asked to.
   */
  #applyActions(
    conversation: Conversation,
    actions: ConversationActions,
    activityAt: number,
    arrivalOpens: boolean,
  ): void {
    if (actions.conversation_subject) conversation.subject = actions.conversation_subject;
    if (actions.conversation_color) conversation.color = actions.conversation_color;
    for (const id of actions.add_shared_labels) conversation.shared_labels.add(id);
    for (const id of actions.remove_shared_labels) conversation.shared_labels.delete(id);
    if (actions.team && (!conversation.team || actions.force_team)) conversation.team = actions.team;
    conversation.organization ??= actions.organization;
    for (const id of actions.add_users) conversation.users.add(id);
    for (const id of actions.add_assignees) {
      conversation.assignees.add(id);
      conversation.users.add(id);
    }
    if (actions.close) {
      conversation.closed = true;
      conversation.in_inbox = false;
    } else if (actions.add_to_inbox === true || (arrivalOpens && actions.add_to_inbox !== false)) {
      conversation.closed = false;
      conversation.in_inbox = true;
    }
    conversation.last_activity_at = Math.max(conversation.last_activity_at, activityAt);
  }

  // ── Contacts and shared labels ───────────────────────────────────────────────────────────────

  createContacts(inputs: ContactInput[]): StoredContact[] {
    const books = new Set(this.contactBooks.map((book) => book.id));
    const missing = inputs.find((input) => !books.has(input.contact_book));
    if (missing) throw badRequest(`contact_book ${missing.contact_book} not found`);
    const refusal = this.settings.syncedContactBookRefusal;
    if (refusal && inputs.some((input) => input.contact_book === SYNCED_CONTACT_BOOK_ID)) {
      throw new SandboxError(
        refusal,
        'This contact book is synced with Google: contacts cannot be created through the API. Import your CSV there.',
      );
    }
    return inputs.map((input) => {
      const now = this.now();
      const contact: StoredContact = {
        ...structuredClone(input.fields),
        id: this.settings.newId(),
        contact_book: input.contact_book,
        created_at: now,
        modified_at: now,
        deleted: false,
      };
      this.contacts.set(contact.id, contact);
      this.#contactSearchText.set(contact.id, searchText(input.fields));
      return contact;
    });
  }

  /** `search` matches any contact information, case-insensitively. */
  findContacts(contactBook: string, search: string | null): StoredContact[] {
    if (!this.contactBooks.some((book) => book.id === contactBook)) {
      throw new SandboxError(404, `contact_book ${contactBook} not found`);
    }
    const needle = search?.trim().toLowerCase() ?? '';
    return [...this.contacts.values()].filter(
      (contact) =>
        contact.contact_book === contactBook &&
        (!needle || (this.#contactSearchText.get(contact.id) ?? '').includes(needle)),
    );
  }

  createSharedLabels(inputs: SharedLabelInput[]): SharedLabel[] {
    const created: SharedLabel[] = [];
    for (const input of inputs) {
      if (input.organization !== ORGANIZATION_ID)
        throw badRequest(`organization ${input.organization} not found`);
      const parent = input.parent ? this.sharedLabels.find((label) => label.id === input.parent) : null;
      if (input.parent && !parent) throw badRequest(`parent shared label ${input.parent} not found`);
      const label: SharedLabel = {
        ...input,
        id: this.settings.newId(),
        name_with_parent_names: parent ? `${parent.name_with_parent_names}/${input.name}` : input.name,
      };
      created.push(label);
    }
    // Only after every label passed: a refused batch creates nothing.
    this.sharedLabels.push(...created);
    return created;
  }

  // ── Snapshot ─────────────────────────────────────────────────────────────────────────────────

  conversationSnapshot(conversation: Conversation): ConversationSnapshot {
    const {
      shared_labels,
      assignees,
      users,
      timeline: _timeline,
      latest_message_subject: _latest,
      ...rest
    } = conversation;
    return {
      ...rest,
      shared_labels: [...shared_labels],
      assignees: [...assignees],
      users: [...users],
      messages: [...conversation.messages],
      emails: [...conversation.emails],
      posts: [...conversation.posts],
    };
  }
}

function searchText(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value.toLowerCase());
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(fields);
  return parts.join('\n');
}
