/**
 * One Gmail mailbox: labels, messages and threads, with Gmail's rules for import, labels and
 * search. No HTTP here.
 */
import { GmailApiError, invalidArgument, notFound } from './google-errors.ts';
import { bareMessageId, baseSubject, dateHeaderMillis, lineEndings } from './rfc822.ts';
import { decideThread, type ThreadRecord } from './threading.ts';
import type {
  GmailLabel,
  ParsedHeaders,
  SentLabelPolicy,
  StoredGmailMessage,
  ThreadReferenceRule,
  UploadForm,
} from './types.ts';

const SYSTEM_LABEL_IDS = [
  'INBOX',
  'SPAM',
  'TRASH',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'SENT',
  'DRAFT',
  'CHAT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
];

/** Names a user label cannot take (system labels and their display names). */
const RESERVED_LABEL_NAMES = new Set([
  ...SYSTEM_LABEL_IDS.map((id) => id.toLowerCase()),
  'drafts',
  'chats',
  'all mail',
  'sent mail',
  'starred',
]);

/** Gmail ids are 16 hex digits that grow with time; this keeps that look and order. */
const FIRST_MESSAGE_NUMBER = 0x18c1f0a2b3c40000n;

export interface ImportInput {
  raw: Buffer;
  headers: ParsedHeaders;
  labelIds: string[];
  threadId: string | null;
  /** The request's query parameters. */
  params: URLSearchParams;
  uploadForm: UploadForm;
}

export interface ImportRules {
  sentLabelOnImport: SentLabelPolicy;
  threadReferences: ThreadReferenceRule;
}

export interface LabelInput {
  name: string;
  messageListVisibility?: GmailLabel['messageListVisibility'];
  labelListVisibility?: GmailLabel['labelListVisibility'];
}

export interface SearchInput {
  rfc822msgid: string | null;
  labelIds: string[];
  includeSpamTrash: boolean;
  /** Messages imported after this clock time are not indexed yet. */
  indexedBefore: number;
}

export class GmailMailbox {
  readonly #clock: () => number;
  #labels = new Map<string, GmailLabel>();
  #messages = new Map<string, StoredGmailMessage>();
  /** Bare Message-ID → the one message holding it (Gmail keeps one per Message-ID). */
  #byMessageId = new Map<string, StoredGmailMessage>();
  #threads = new Map<string, ThreadRecord>();
  // Ids keep growing across reset(), so a stale id held by a client never names a new message.
  #nextMessageNumber = FIRST_MESSAGE_NUMBER;
  #nextLabelNumber = 1;
  #historyId = 1000;

  constructor(
    readonly emailAddress: string,
    clock: () => number,
  ) {
    this.#clock = clock;
    this.reset();
  }

  reset(): void {
    this.#labels = new Map(SYSTEM_LABEL_IDS.map((id) => [id, { id, name: id, type: 'system' }]));
    this.#messages.clear();
    this.#byMessageId.clear();
    this.#threads.clear();
  }

  // ── Labels ──────────────────────────────────────────────────────────────────────────────────

  labels(): GmailLabel[] {
    return [...this.#labels.values()].map((label) => ({ ...label }));
  }

  label(id: string): GmailLabel {
    const label = this.#labels.get(id);
    if (!label) throw notFound();
    return { ...label };
  }

  /** Nested labels are plain names with slashes ("Front import/Support"); no parent is created. */
  createLabel(input: LabelInput): GmailLabel {
    const name = input.name.trim();
    if (!isValidLabelName(name)) throw invalidArgument('Invalid label name');
    const taken = [...this.#labels.values()].some((label) => label.name.toLowerCase() === name.toLowerCase());
    if (taken) throw new GmailApiError(409, 'Label name exists or conflicts', 'duplicate');
    const label: GmailLabel = {
      id: `Label_${this.#nextLabelNumber++}`,
      name,
      type: 'user',
      messageListVisibility: input.messageListVisibility ?? 'show',
      labelListVisibility: input.labelListVisibility ?? 'labelShow',
    };
    this.#labels.set(label.id, label);
    return { ...label };
  }

  // ── Messages ────────────────────────────────────────────────────────────────────────────────

  /**
   * Gmail keeps one message per Message-ID in a mailbox: importing one it already holds adds the
   * new labels to the existing message and answers with it.
   */
  importMessage(input: ImportInput, rules: ImportRules): StoredGmailMessage {
    const labelIds = this.#checkedLabelIds(input.labelIds, rules.sentLabelOnImport);
    const bare = input.headers.messageId ? bareMessageId(input.headers.messageId) : null;
    const same = bare === null ? undefined : this.#byMessageId.get(bare);
    if (same) {
      same.labelIds = [...new Set([...same.labelIds, ...labelIds])];
      same.historyId = String(++this.#historyId);
      return same;
    }
    const receivedAt = this.#clock();
    const dated = internalDateOf(input.headers, input.params, receivedAt);
    const requestedThread = input.threadId === null ? undefined : this.#threads.get(input.threadId);
    const threading = decideThread(input.threadId, requestedThread, input.headers, rules.threadReferences);
    const id = this.#newMessageId();
    const thread = threading.joined && requestedThread ? requestedThread : this.#newThread(id, input.headers);
    const message: StoredGmailMessage = {
      id,
      threadId: thread.id,
      labelIds,
      internalDate: String(dated.millis),
      internalDateFrom: dated.from,
      historyId: String(++this.#historyId),
      sizeEstimate: input.raw.length,
      raw: input.raw,
      headers: input.headers,
      lineEndings: lineEndings(input.raw),
      importedAt: receivedAt,
      uploadForm: input.uploadForm,
      params: Object.fromEntries(input.params),
      threading,
    };
    thread.messageIds.push(id);
    if (input.headers.messageId) thread.rfcMessageIds.add(bareMessageId(input.headers.messageId));
    this.#messages.set(id, message);
    if (bare !== null) this.#byMessageId.set(bare, message);
    return message;
  }

  message(id: string): StoredGmailMessage {
    const message = this.#messages.get(id);
    if (!message) throw notFound();
    return message;
  }

  messages(): StoredGmailMessage[] {
    return [...this.#messages.values()];
  }

  thread(id: string): StoredGmailMessage[] {
    const thread = this.#threads.get(id);
    if (!thread) throw notFound();
    return thread.messageIds.map((messageId) => this.message(messageId));
  }

  threads(): { id: string; messageIds: string[] }[] {
    return [...this.#threads.values()].map((thread) => ({
      id: thread.id,
      messageIds: [...thread.messageIds],
    }));
  }

  /** messages.list: newest first, like Gmail. */
  search(input: SearchInput): StoredGmailMessage[] {
    const wanted = input.rfc822msgid === null ? null : bareMessageId(input.rfc822msgid).toLowerCase();
    return this.messages()
      .filter((message) => input.includeSpamTrash || !isSpamOrTrash(message))
      .filter((message) => input.labelIds.every((labelId) => message.labelIds.includes(labelId)))
      .filter((message) => wanted === null || matchesMessageId(message, wanted, input.indexedBefore))
      .sort((a, b) => Number(b.internalDate) - Number(a.internalDate) || b.id.localeCompare(a.id));
  }

  profile(): { emailAddress: string; messagesTotal: number; threadsTotal: number; historyId: string } {
    return {
      emailAddress: this.emailAddress,
      messagesTotal: this.#messages.size,
      threadsTotal: this.#threads.size,
      historyId: String(this.#historyId),
    };
  }

  #checkedLabelIds(labelIds: string[], sentPolicy: SentLabelPolicy): string[] {
    for (const labelId of labelIds) {
      if (!this.#labels.has(labelId)) throw invalidArgument(`Invalid label: ${labelId}`);
      if (labelId === 'SENT' && sentPolicy === 'reject') throw invalidArgument('Invalid label: SENT');
    }
    return [...new Set(labelIds)];
  }

  #newMessageId(): string {
    const id = this.#nextMessageNumber.toString(16);
    this.#nextMessageNumber += 1n;
    return id;
  }

  /** A thread's id is the id of its first message, as in Gmail. */
  #newThread(firstMessageId: string, headers: ParsedHeaders): ThreadRecord {
    const thread: ThreadRecord = {
      id: firstMessageId,
      baseSubject: baseSubject(headers.subject),
      messageIds: [],
      rfcMessageIds: new Set(),
    };
    this.#threads.set(thread.id, thread);
    return thread;
  }
}

function isValidLabelName(name: string): boolean {
  if (name === '' || RESERVED_LABEL_NAMES.has(name.toLowerCase())) return false;
  return name.split('/').every((segment) => segment.trim() !== '');
}

/** `dateHeader` (import's default) uses a valid Date header; otherwise the time of receipt. */
function internalDateOf(
  headers: ParsedHeaders,
  params: URLSearchParams,
  receivedAt: number,
): { millis: number; from: 'dateHeader' | 'receivedTime' } {
  const source = params.get('internalDateSource') ?? 'dateHeader';
  const fromHeader = source === 'dateHeader' ? dateHeaderMillis(headers.date) : null;
  return fromHeader === null
    ? { millis: receivedAt, from: 'receivedTime' }
    : { millis: fromHeader, from: 'dateHeader' };
}

function isSpamOrTrash(message: StoredGmailMessage): boolean {
  return message.labelIds.includes('SPAM') || message.labelIds.includes('TRASH');
}

function matchesMessageId(message: StoredGmailMessage, wanted: string, indexedBefore: number): boolean {
  if (message.importedAt > indexedBefore || !message.headers.messageId) return false;
  return bareMessageId(message.headers.messageId).toLowerCase() === wanted;
}
