/**
 * The pre-flight Export summary, built from records or from per-conversation counts. Per conversation
 * only a few counters live in typed arrays (no records are kept), and everything that depends on
 * a conversation's messages and inboxes together (per-inbox counts, comment eligibility) is
 * resolved in summary(), so records may arrive in any order.
 *
 * Orphans (messages and comments whose conversation object never appeared) count in the totals and in
 * the inbox folder they were found in; their conversation counts as missing, not as a conversation.
 */
import type { AttachmentInfo, Comment, Conversation, Inbox, Message, UnrecognizedEntry } from '../model.ts';
import type {
  ConversationCounts,
  ExportSummary,
  InboxSummary,
  SummaryAccumulator,
  UnrecognizedGroup,
} from './contract.ts';
import { folderNameFromKey } from './paths.ts';

/** Missive starts a new conversation past 400 messages (missive-api.md §9). */
export const MISSIVE_MAX_MESSAGES_PER_CONVERSATION = 400;
const MAX_LISTED_IDS = 1000;
const MAX_EXAMPLES_PER_GROUP = 5;
const INITIAL_CAPACITY = 1024;
const ORPHAN_CATEGORY = 'orphan';
const CATEGORY_SEPARATOR = ': ';

const SEEN = 1;
const DELETED = 2;
/** Threading bits per conversation: an email with its own Message-ID; one naming its parent's. */
const HAS_MESSAGE_ID = 1;
const HAS_REPLY_REFERENCE = 2;

/** The reason category used to group unrecognised entries: the text before the first `: `. */
export function reasonCategory(reason: string): string {
  const end = reason.indexOf(CATEGORY_SEPARATOR);
  return end >= 0 ? reason.slice(0, end) : reason;
}

function grown<T extends Uint32Array | Uint8Array>(column: T, capacity: number): T {
  if (column.length >= capacity) return column;
  const larger = new (column.constructor as new (length: number) => T)(Math.max(capacity, column.length * 2));
  larger.set(column);
  return larger;
}

/** Small per-conversation counters, one typed-array slot per conversation ID. */
class ConversationCounters {
  readonly slots = new Map<string, number>();
  sms = new Uint32Array(INITIAL_CAPACITY);
  emails = new Uint32Array(INITIAL_CAPACITY);
  others = new Uint32Array(INITIAL_CAPACITY);
  comments = new Uint32Array(INITIAL_CAPACITY);
  flags = new Uint8Array(INITIAL_CAPACITY);
  threading = new Uint8Array(INITIAL_CAPACITY);
  /** Interned inbox key indices per slot; undefined when none is known. */
  readonly inboxes: (number[] | undefined)[] = [];

  slotOf(conversationId: string): number {
    let slot = this.slots.get(conversationId);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(conversationId, slot);
      this.ensureCapacity(slot + 1);
    }
    return slot;
  }

  private ensureCapacity(capacity: number): void {
    this.sms = grown(this.sms, capacity);
    this.emails = grown(this.emails, capacity);
    this.others = grown(this.others, capacity);
    this.comments = grown(this.comments, capacity);
    this.flags = grown(this.flags, capacity);
    this.threading = grown(this.threading, capacity);
  }
}

interface InboxCounts {
  conversations: number;
  sms: number;
  emails: number;
  otherMessages: number;
  comments: number;
}

class SummaryBuilder implements SummaryAccumulator {
  private readonly conversations = new ConversationCounters();
  private readonly inboxKeys: string[] = [];
  private readonly inboxIndex = new Map<string, number>();
  private readonly inboxNames = new Map<string, string>();
  private readonly groups = new Map<string, UnrecognizedGroup>();
  private unrecognizedTotal = 0;
  private drafts = 0;
  private emailsWithMessageId = 0;
  private emailsWithoutMessageId = 0;
  private attachments = 0;
  private attachmentsWithBytes = 0;
  private readonly unusedKinds = new Map<string, number>();
  private ignoredEntries = 0;

  addConversation(conversation: Conversation): void {
    this.conversationSlot(conversation);
  }

  addConversationCounts(conversation: Conversation, counts: ConversationCounts): void {
    const slot = this.conversationSlot(conversation);
    const counters = this.conversations;
    counters.sms[slot]! += counts.sms;
    counters.emails[slot]! += counts.emails;
    counters.others[slot]! += counts.otherMessages;
    counters.comments[slot]! += counts.comments;
    if (counts.emailsWithMessageId > 0) counters.threading[slot]! |= HAS_MESSAGE_ID;
    if ((counts.emailsWithReplyReference ?? 0) > 0) counters.threading[slot]! |= HAS_REPLY_REFERENCE;
    this.drafts += counts.drafts;
    this.emailsWithMessageId += counts.emailsWithMessageId;
    this.emailsWithoutMessageId += counts.emails - counts.emailsWithMessageId;
    this.attachments += counts.attachments;
    this.attachmentsWithBytes += counts.attachmentsWithBytes;
  }

  addMessage(message: Message): void {
    const slot = this.conversations.slotOf(message.conversationId);
    switch (message.kind) {
      case 'sms':
        this.conversations.sms[slot]!++;
        break;
      case 'email':
        this.conversations.emails[slot]!++;
        if (message.messageId !== null) this.emailsWithMessageId++;
        else this.emailsWithoutMessageId++;
        if (message.messageId !== null) this.conversations.threading[slot]! |= HAS_MESSAGE_ID;
        if (message.inReplyTo !== null || message.references.length > 0) {
          this.conversations.threading[slot]! |= HAS_REPLY_REFERENCE;
        }
        break;
      default:
        this.conversations.others[slot]!++;
    }
    if (message.isDraft) this.drafts++;
    this.countAttachments(message.attachments);
  }

  addComment(comment: Comment): void {
    const slot = this.conversations.slotOf(comment.conversationId);
    this.conversations.comments[slot]!++;
    this.countAttachments(comment.attachments);
  }

  addInbox(inbox: Inbox): void {
    this.internInbox(inbox.key);
    this.inboxNames.set(inbox.key, inbox.name);
  }

  addUnusedObjects(kind: string, count: number): void {
    if (count > 0) this.unusedKinds.set(kind, (this.unusedKinds.get(kind) ?? 0) + count);
  }

  addIgnoredEntries(count: number): void {
    this.ignoredEntries += count;
  }

  addUnrecognized(entry: UnrecognizedEntry): void {
    this.unrecognizedTotal++;
    const category = reasonCategory(entry.reason);
    let group = this.groups.get(category);
    if (!group) this.groups.set(category, (group = { category, count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < MAX_EXAMPLES_PER_GROUP) group.examples.push(entry);
  }

  summary(): ExportSummary {
    const counters = this.conversations;
    const perInbox: InboxCounts[] = this.inboxKeys.map(() => ({
      conversations: 0,
      sms: 0,
      emails: 0,
      otherMessages: 0,
      comments: 0,
    }));
    const result: ExportSummary = {
      conversations: 0,
      missingConversations: 0,
      sms: 0,
      emails: 0,
      otherMessages: 0,
      drafts: this.drafts,
      comments: 0,
      attachments: {
        total: this.attachments,
        withBytes: this.attachmentsWithBytes,
        missingBytes: this.attachments - this.attachmentsWithBytes,
      },
      perInbox: [],
      conversationsWithoutInbox: 0,
      eligibleComments: 0,
      notEligibleComments: 0,
      deletedConversations: 0,
      commentOnlyConversations: 0,
      emptyConversations: 0,
      conversationsOverSmsLimit: { count: 0, ids: [] },
      emailsWithMessageId: this.emailsWithMessageId,
      emailsWithoutMessageId: this.emailsWithoutMessageId,
      emailConversationsLocatable: { byMessageId: 0, byInReplyToOnly: 0, notLocatable: 0 },
      orphanMessages: 0,
      orphanComments: 0,
      orphanEntries: this.groups.get(ORPHAN_CATEGORY)?.count ?? 0,
      unusedObjects: this.unusedObjectsSummary(),
      ignoredEntries: this.ignoredEntries,
      unrecognized: { total: this.unrecognizedTotal, groups: [...this.groups.values()] },
    };

    for (const [id, slot] of counters.slots) {
      const sms = counters.sms[slot]!;
      const emails = counters.emails[slot]!;
      const others = counters.others[slot]!;
      const comments = counters.comments[slot]!;
      const flags = counters.flags[slot]!;
      const messages = sms + emails + others;
      result.sms += sms;
      result.emails += emails;
      result.otherMessages += others;
      result.comments += comments;

      const found = (flags & SEEN) !== 0;
      if (found) {
        result.conversations++;
        if (flags & DELETED) result.deletedConversations++;
        if (messages === 0) {
          if (comments > 0) result.commentOnlyConversations++;
          else result.emptyConversations++;
        }
      } else {
        result.missingConversations++;
        result.orphanMessages += messages;
        result.orphanComments += comments;
      }
      // Missive's own import keeps comments only where an email or SMS anchors them.
      if (sms + emails > 0) result.eligibleComments += comments;
      else result.notEligibleComments += comments;
      if (emails > 0) {
        const threading = counters.threading[slot]!;
        const locatable = result.emailConversationsLocatable;
        if (threading & HAS_MESSAGE_ID) locatable.byMessageId++;
        else if (threading & HAS_REPLY_REFERENCE) locatable.byInReplyToOnly++;
        else locatable.notLocatable++;
      }
      if (sms > MISSIVE_MAX_MESSAGES_PER_CONVERSATION) {
        const over = result.conversationsOverSmsLimit;
        over.count++;
        if (over.ids.length < MAX_LISTED_IDS) over.ids.push(id);
      }

      const inboxes = counters.inboxes[slot];
      if (!inboxes || inboxes.length === 0) {
        if (found) result.conversationsWithoutInbox++;
        continue;
      }
      for (const index of inboxes) {
        const row = perInbox[index]!;
        // A missing conversation is not counted; its messages and comments are, where they were found.
        if (found) row.conversations++;
        row.sms += sms;
        row.emails += emails;
        row.otherMessages += others;
        row.comments += comments;
      }
    }

    result.perInbox = perInbox
      .map((counts, index): InboxSummary => {
        const key = this.inboxKeys[index]!;
        return { key, name: this.inboxName(key), ...counts };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
    return result;
  }

  /** The conversation's slot, with its found/deleted flags and every inbox it was seen in. */
  private conversationSlot(conversation: Conversation): number {
    const slot = this.conversations.slotOf(conversation.id);
    const flags = this.conversations.flags;
    if (conversation.seen) flags[slot] = SEEN | (conversation.status === 'deleted' ? DELETED : 0);
    // A conversation added again (e.g. after a merge) keeps every inbox it was seen in.
    let inboxes = this.conversations.inboxes[slot];
    for (const key of conversation.inboxKeys) {
      const index = this.internInbox(key);
      if (!inboxes) this.conversations.inboxes[slot] = inboxes = [];
      if (!inboxes.includes(index)) inboxes.push(index);
    }
    return slot;
  }

  private unusedObjectsSummary(): ExportSummary['unusedObjects'] {
    const kinds = [...this.unusedKinds]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
    return { total: kinds.reduce((sum, row) => sum + row.count, 0), kinds };
  }

  private internInbox(key: string): number {
    let index = this.inboxIndex.get(key);
    if (index === undefined) {
      index = this.inboxKeys.length;
      this.inboxKeys.push(key);
      this.inboxIndex.set(key, index);
    }
    return index;
  }

  private inboxName(key: string): string {
    return this.inboxNames.get(key) ?? folderNameFromKey(key) ?? key;
  }

  private countAttachments(attachments: readonly AttachmentInfo[]): void {
    this.attachments += attachments.length;
    for (const attachment of attachments) if (attachment.ref !== null) this.attachmentsWithBytes++;
  }
}

/** A fresh accumulator for one export; see {@link SummaryAccumulator}. */
export function createSummaryAccumulator(): SummaryAccumulator {
  return new SummaryBuilder();
}
