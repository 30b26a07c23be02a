/**
 * The ground truth: counted from the objects as they are generated, never by parsing the zips,
 * so it stays independent of any parser under test.
 *
 * Counting rules (the same as the app's Export summary):
 * - Conversations, messages and comments are counted once, however many folders or zips hold them.
 *   `conversations` includes deleted and comment-only ones.
 * - An orphan message (its `_links.related.conversation` names a conversation written nowhere) is a
 *   Front object: it counts in `sms` / `emails` / `otherMessages` and in the messages of the inbox
 *   folder it sits in. Its conversation counts in `missingConversations`, never in `conversations` nor
 *   in any inbox's conversations. Orphans are listed in `orphans`, not in `unrecognized` (their
 *   conversation is known).
 * - Malformed files are listed in `unrecognized`. Junk files (`__MACOSX/`, `.DS_Store`, `Thumbs.db`,
 *   `progress.log`) are listed in `ignored`. Directory entries and array-variant list files appear in
 *   neither; `export/_meta/*` holds inboxes, channels and teammates (used) and tags, counted in
 *   `unusedObjects` (Front objects the import does not use).
 * - A comment is eligible when its conversation holds at least one email or SMS.
 * - `smsConversations` / `emailConversations`: conversations holding at least one SMS / email (a
 *   mixed conversation can count in both).
 * - `attachments`: attachment objects on messages; `attachmentsWithBytes`: those whose bytes are
 *   packed under `attachments/{msg id}/` (the .eml of an email may carry them too).
 */
import type { BuiltConversation } from './conversation-builder.ts';

export interface InboxCounts {
  conversations: number;
  sms: number;
  emails: number;
  otherMessages: number;
  comments: number;
}

export interface ManifestFile {
  name: string;
  size: number;
  entries: number;
}

export interface UnrecognizedFile {
  file: string;
  path: string;
  reason: 'malformed-json' | string;
}

/** A message file whose conversation is written nowhere in the export. */
export interface OrphanFile {
  file: string;
  path: string;
  messageId: string;
  /** The conversation its `_links.related.conversation` names. */
  conversationId: string;
}

export interface ExportManifest {
  seed: number;
  files: ManifestFile[];
  conversations: number;
  /** Conversations named by orphan messages, never written (distinct IDs). */
  missingConversations: number;
  deletedConversations: number;
  commentOnlyConversations: number;
  /** Messages by kind, orphans included. */
  sms: number;
  emails: number;
  otherMessages: number;
  comments: number;
  attachments: number;
  attachmentsWithBytes: number;
  eligibleComments: number;
  ineligibleComments: number;
  /**
   * Keyed by inbox display name; a shared conversation counts in each of its inboxes. Orphan messages
   * count in the inbox they sit in; their missing conversation does not.
   */
  perInbox: Record<string, InboxCounts>;
  /** `.eml` files written (one per email when `includeEml`). */
  emlFiles: number;
  unrecognized: UnrecognizedFile[];
  orphans: OrphanFile[];
  /** Front objects the import does not use, by kind as the app names them (`tag`, ...). */
  unusedObjects: Record<string, number>;
  ignored: { file: string; path: string }[];
  smsConversations: number;
  emailConversations: number;
  /**
   * Conversations with emails (orphans' missing ones included), as the Export summary counts them: an
   * email carries its own Message-ID (`.eml` or `metadata.headers.message_id`); else one names its
   * parent's (`in_reply_to`); else none.
   */
  emailConversationsLocatable: { byMessageId: number; byInReplyToOnly: number; notLocatable: number };
  /**
   * Each written conversation with emails: the RFC 5322 Message-IDs of its emails, oldest first, whether
   * or not the export carries them (what Missive holds once it synced the thread). Tests seed part of a
   * thread from it.
   */
  emailThreads: { conversationId: string; messageIds: string[] }[];
  conversationsOver400Sms: string[];
  /** Which conversations carry each hard case (always included: these lists are short). */
  hardCaseConversations: {
    shared: string[];
    split: string[];
    deleted: string[];
    commentOnly: string[];
    arrayVariant: string[];
    largeBody: string[];
    longSms: string[];
    missingAttachmentBytes: string[];
    /** Email conversations exported without Message-IDs, their replies naming their parents. */
    replyOnly: string[];
  };
  /** False when the export is too big to list every ID: the `ids` lists are then empty. */
  idsIncluded: boolean;
  ids: {
    conversations: string[];
    sms: string[];
    emails: string[];
    comments: string[];
    otherMessages: string[];
  };
}

/** Above this many conversations the ID lists are dropped (they would dwarf the manifest's use). */
export const MAX_CONVERSATIONS_WITH_IDS = 5000;

export class ManifestBuilder {
  readonly manifest: ExportManifest;

  constructor(seed: number, inboxNames: string[]) {
    this.manifest = {
      seed,
      files: [],
      conversations: 0,
      missingConversations: 0,
      deletedConversations: 0,
      commentOnlyConversations: 0,
      sms: 0,
      emails: 0,
      otherMessages: 0,
      comments: 0,
      attachments: 0,
      attachmentsWithBytes: 0,
      eligibleComments: 0,
      ineligibleComments: 0,
      perInbox: Object.fromEntries(
        inboxNames.map((name) => [
          name,
          { conversations: 0, sms: 0, emails: 0, otherMessages: 0, comments: 0 },
        ]),
      ),
      emlFiles: 0,
      unrecognized: [],
      orphans: [],
      unusedObjects: {},
      ignored: [],
      smsConversations: 0,
      emailConversations: 0,
      emailConversationsLocatable: { byMessageId: 0, byInReplyToOnly: 0, notLocatable: 0 },
      emailThreads: [],
      conversationsOver400Sms: [],
      hardCaseConversations: {
        shared: [],
        split: [],
        deleted: [],
        commentOnly: [],
        arrayVariant: [],
        largeBody: [],
        longSms: [],
        missingAttachmentBytes: [],
        replyOnly: [],
      },
      idsIncluded: true,
      ids: { conversations: [], sms: [], emails: [], comments: [], otherMessages: [] },
    };
  }

  addConversation(built: BuiltConversation): void {
    const m = this.manifest;
    const counts = countMessages(built);
    const eligible = counts.sms > 0 || counts.emails > 0;
    m.conversations++;
    if (built.conversation.status === 'deleted') m.deletedConversations++;
    if (built.conversation.type === 'discussion' && built.messages.length === 0) m.commentOnlyConversations++;
    m.sms += counts.sms;
    m.emails += counts.emails;
    m.otherMessages += counts.other;
    m.comments += built.comments.length;
    if (eligible) m.eligibleComments += built.comments.length;
    else m.ineligibleComments += built.comments.length;
    if (counts.sms > 0) m.smsConversations++;
    if (counts.emails > 0) m.emailConversations++;
    if (counts.sms > 400) m.conversationsOver400Sms.push(built.conversation.id);
    for (const message of built.messages) {
      if (message.eml) m.emlFiles++;
      for (const attachment of message.attachments) {
        m.attachments++;
        if (attachment.exported) m.attachmentsWithBytes++;
      }
    }
    for (const inbox of built.plan.inboxes) {
      const perInbox = m.perInbox[inbox.spec.name];
      if (!perInbox) continue;
      perInbox.conversations++;
      perInbox.sms += counts.sms;
      perInbox.emails += counts.emails;
      perInbox.otherMessages += counts.other;
      perInbox.comments += built.comments.length;
    }
    this.recordHardCase(built);
    this.recordIds(built);
    this.recordThreading(built.conversation.id, built.messages);
    const threadIds = built.messages.flatMap((message) => (message.messageId ? [message.messageId] : []));
    if (threadIds.length > 0)
      m.emailThreads.push({ conversationId: built.conversation.id, messageIds: threadIds });
  }

  /** Threading bits per conversation with emails (1: own Message-ID, 2: a parent's named). */
  readonly #threading = new Map<string, number>();

  private recordThreading(
    conversationId: string,
    messages: readonly BuiltConversation['messages'][number][],
  ): void {
    let bits = this.#threading.get(conversationId) ?? 0;
    let emails = false;
    for (const message of messages) {
      if (message.kind !== 'email') continue;
      emails = true;
      const headers = message.json.metadata.headers;
      const header = (name: string): unknown =>
        typeof headers === 'object' && headers !== null
          ? (headers as Record<string, unknown>)[name]
          : undefined;
      if (message.eml || typeof header('message_id') === 'string') bits |= 1;
      if (typeof header('in_reply_to') === 'string') bits |= 2;
    }
    if (!emails) return;
    const counts = this.manifest.emailConversationsLocatable;
    const before = this.#threading.get(conversationId);
    if (before !== undefined) counts[locatability(before)]--;
    this.#threading.set(conversationId, bits);
    counts[locatability(bits)]++;
  }

  addUnrecognized(file: string, path: string, reason: UnrecognizedFile['reason']): void {
    this.manifest.unrecognized.push({ file, path, reason });
  }

  /** A message written alone, in `inboxName`'s folder, for a conversation written nowhere. */
  addOrphanMessage(
    file: string,
    path: string,
    message: BuiltConversation['messages'][number],
    conversationId: string,
    inboxName: string,
  ): void {
    const m = this.manifest;
    if (!m.orphans.some((orphan) => orphan.conversationId === conversationId)) m.missingConversations++;
    m.orphans.push({ file, path, messageId: message.json.id, conversationId });
    this.recordThreading(conversationId, [message]);
    const perInbox = m.perInbox[inboxName];
    if (message.kind === 'sms') {
      m.sms++;
      if (perInbox) perInbox.sms++;
    } else if (message.kind === 'email') {
      m.emails++;
      if (perInbox) perInbox.emails++;
    } else {
      m.otherMessages++;
      if (perInbox) perInbox.otherMessages++;
    }
    if (m.idsIncluded) {
      const list =
        message.kind === 'sms' ? m.ids.sms : message.kind === 'email' ? m.ids.emails : m.ids.otherMessages;
      list.push(message.json.id);
    }
  }

  addUnusedObjects(kind: string, count: number): void {
    if (count > 0) this.manifest.unusedObjects[kind] = (this.manifest.unusedObjects[kind] ?? 0) + count;
  }

  addIgnored(file: string, path: string): void {
    this.manifest.ignored.push({ file, path });
  }

  private recordHardCase(built: BuiltConversation): void {
    const id = built.conversation.id;
    const cases = this.manifest.hardCaseConversations;
    const role = built.plan.role;
    if (role !== 'regular') cases[role].push(id);
    if (
      built.messages.some((message) => message.attachments.some((a) => !a.exported)) &&
      built.plan.attachmentsWithoutBytes > 0
    ) {
      cases.missingAttachmentBytes.push(id);
    }
  }

  private recordIds(built: BuiltConversation): void {
    const m = this.manifest;
    if (!m.idsIncluded) return;
    if (m.conversations > MAX_CONVERSATIONS_WITH_IDS) {
      m.idsIncluded = false;
      m.ids = { conversations: [], sms: [], emails: [], comments: [], otherMessages: [] };
      return;
    }
    m.ids.conversations.push(built.conversation.id);
    for (const message of built.messages) {
      const list =
        message.kind === 'sms' ? m.ids.sms : message.kind === 'email' ? m.ids.emails : m.ids.otherMessages;
      list.push(message.json.id);
    }
    for (const comment of built.comments) m.ids.comments.push(comment.id);
  }
}

function countMessages(built: BuiltConversation): { sms: number; emails: number; other: number } {
  const counts = { sms: 0, emails: 0, other: 0 };
  for (const message of built.messages) {
    if (message.kind === 'sms') counts.sms++;
    else if (message.kind === 'email') counts.emails++;
    else counts.other++;
  }
  return counts;
}

function locatability(bits: number): keyof ExportManifest['emailConversationsLocatable'] {
  return bits & 1 ? 'byMessageId' : bits & 2 ? 'byInReplyToOnly' : 'notLocatable';
}
