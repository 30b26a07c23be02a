/**
 * The export index in IndexedDB (through idb): every Front object found in the dropped zips, deduplicated by
 * Front ID and merged on write, plus the dropped files with their checkpoints and the unrecognised entries.
 *
 * Writes arrive in batches (one transaction of hundreds to thousands of rows, relaxed durability) built
 * with {@link IndexBatch}; the batch also carries the source file's new checkpoint, so the rows and the
 * checkpoint are committed together: an interrupted ingest resumes exactly after the last committed entry.
 */
import { openDB, deleteDB, unwrap } from 'idb';
import type {
  Comment,
  Contact,
  Conversation,
  EntryRef,
  Inbox,
  Message,
  SourceFile,
  Teammate,
  UnrecognizedEntry,
} from '../domain/model.ts';
import type { EmlHeaders, UnusedFrontObject } from '../domain/front/contract.ts';
import {
  DB_NAME,
  DB_VERSION,
  EXPORT_STORES,
  addStats,
  commentStats,
  emptyStats,
  messageStats,
  upgrade,
  type ChannelRow,
  type ConversationRow,
  type ConversationStats,
  type ExportDb,
  type ExportDbSchema,
  type ExportStoreName,
  type FileRefRow,
  type SourceRow,
  type UnrecognizedRow,
  type UnusedObjectRow,
} from './store-schema.ts';
import {
  ConflictLog,
  applyFileRefs,
  mergeComment,
  mergeConversation,
  mergeInbox,
  mergeMessage,
  placeholderConversation,
} from './store-merge.ts';

export * from './store-schema.ts';

/** Storage ran out while writing: everything committed before is kept. */
export class StoreQuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreQuotaError';
  }
}

export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'QuotaExceededError' || name === 'StoreQuotaError') return true;
  return name === 'UnknownError' && typeof message === 'string' && /quota|space|disk/i.test(message);
}

function refKey(messageId: string, kind: FileRefRow['kind'], name: string): string {
  return `${messageId}\n${kind}\n${name}`;
}

/** Rows to write in one transaction; duplicates inside the batch are merged in memory first. */
export class IndexBatch {
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  readonly comments = new Map<string, Comment>();
  readonly inboxes = new Map<string, Inbox>();
  readonly channels = new Map<string, ChannelRow>();
  readonly teammates = new Map<string, Teammate>();
  readonly contacts = new Map<string, Contact>();
  readonly fileRefs = new Map<string, FileRefRow>();
  readonly unrecognized = new Map<string, UnrecognizedRow>();
  readonly unusedObjects = new Map<string, UnusedObjectRow>();
  /** The source row to commit with these rows (its checkpoint). */
  source: SourceRow | null = null;
  /** Rows added; decides when to flush. */
  size = 0;
  /** Differences between two copies of one record, met inside this batch. */
  readonly conflicts = new ConflictLog();

  addConversation(conversation: Conversation): void {
    const before = this.conversations.get(conversation.id);
    this.conversations.set(
      conversation.id,
      before ? this.conflicts.take(mergeConversation(before, conversation)) : conversation,
    );
    this.size++;
  }

  addMessage(message: Message): void {
    const before = this.messages.get(message.id);
    this.messages.set(message.id, before ? this.conflicts.take(mergeMessage(before, message)) : message);
    this.size++;
  }

  addComment(comment: Comment): void {
    const before = this.comments.get(comment.id);
    this.comments.set(comment.id, before ? this.conflicts.take(mergeComment(before, comment)) : comment);
    this.size++;
  }

  addInbox(inbox: Inbox): void {
    const before = this.inboxes.get(inbox.key);
    this.inboxes.set(inbox.key, before ? mergeInbox(before, inbox) : inbox);
    this.size++;
  }

  addChannel(channel: ChannelRow): void {
    this.channels.set(channel.id, channel);
    this.size++;
  }

  addTeammate(teammate: Teammate): void {
    this.teammates.set(teammate.id, teammate);
    this.size++;
  }

  addContact(contact: Contact): void {
    this.contacts.set(contact.id, contact);
    this.size++;
  }

  addEml(messageId: string | null, ref: EntryRef, headers: EmlHeaders): void {
    const id = messageId ?? '';
    const key = refKey(id, 'eml', ref.path);
    this.fileRefs.set(key, { key, messageId: id, kind: 'eml', name: ref.path, ref, headers });
    this.size++;
  }

  addAttachmentFile(messageId: string | null, filename: string, ref: EntryRef): void {
    const id = messageId ?? '';
    const key = refKey(id, 'attachment', `${filename}\n${ref.path}`);
    this.fileRefs.set(key, { key, messageId: id, kind: 'attachment', name: filename, ref, headers: null });
    this.size++;
  }

  addUnusedObject(object: UnusedFrontObject): void {
    this.unusedObjects.set(object.id, object);
    this.size++;
  }

  addUnrecognized(sourceId: string, entry: UnrecognizedEntry): void {
    const key = `${entry.source}\n${entry.path}\n${entry.reason}`;
    this.unrecognized.set(key, { ...entry, key, sourceId });
    this.size++;
  }

  get empty(): boolean {
    return this.size === 0 && this.source === null;
  }
}

export interface StoreOptions {
  /** Database name; tests use their own. */
  name?: string;
}

export class ExportStore {
  readonly db: ExportDb;
  readonly name: string;

  private constructor(db: ExportDb, name: string) {
    this.db = db;
    this.name = name;
  }

  static async open(options: StoreOptions = {}): Promise<ExportStore> {
    const name = options.name ?? DB_NAME;
    const db: ExportDb = await openDB<ExportDbSchema>(name, DB_VERSION, {
      upgrade: (database, oldVersion, _newVersion, tx) => upgrade(database, oldVersion, tx),
      // Another tab (or a newer version of the app) wants to upgrade: let it.
      blocking: () => db.close(),
    });
    return new ExportStore(db, name);
  }

  close(): void {
    this.db.close();
  }

  /** Deletes the whole database (tests). */
  static async destroy(name: string): Promise<void> {
    await deleteDB(name);
  }

  /**
   * Writes a batch in one transaction, merging every row with what the index already holds.
   * Returns the differences found between stored and incoming copies of a record.
   * Throws {@link StoreQuotaError} when storage runs out; nothing of the batch is written then.
   */
  async writeBatch(batch: IndexBatch): Promise<ConflictLog> {
    const conflicts = new ConflictLog();
    conflicts.absorb(batch.conflicts);
    if (batch.empty) return conflicts;
    try {
      await this.#write(batch, conflicts);
      return conflicts;
    } catch (error) {
      if (isQuotaError(error)) throw new StoreQuotaError(errorMessage(error));
      throw error;
    }
  }

  async #write(batch: IndexBatch, conflicts: ConflictLog): Promise<void> {
    const tx = this.db.transaction(EXPORT_STORES, 'readwrite', { durability: 'relaxed' });
    // The transaction's failure is observed through tx.done below; keep it from surfacing unhandled.
    const done = tx.done;
    done.catch(() => undefined);
    // Every read request of the transaction. Should anything throw while some are still under way
    // (even while they are being started), the abort below rejects them with AbortError: they are
    // awaited there, never left to reject unobserved. Promise.all over them is only built once all
    // of a step's reads have started, so no half-built combination is left behind either.
    const reads: Promise<unknown>[] = [];
    const read = <T>(request: Promise<T>): Promise<T> => {
      reads.push(request);
      return request;
    };
    try {
      const conversations = tx.objectStore('conversations');
      const messages = tx.objectStore('messages');
      const comments = tx.objectStore('comments');
      const fileRefs = tx.objectStore('fileRefs');

      // 1. Messages that receive file references, and the refs already stored for incoming messages.
      const msgIds = new Set(batch.messages.keys());
      for (const row of batch.fileRefs.values()) if (row.messageId) msgIds.add(row.messageId);
      const refsByMessage = new Map<string, FileRefRow[]>();
      for (const row of batch.fileRefs.values()) pushTo(refsByMessage, row.messageId, row);

      const msgList = [...msgIds];
      const messageReads = msgList.map((id) => read(messages.get(id)));
      const refReads = [...batch.messages.keys()].map((id) =>
        read(fileRefs.index('byMessage').getAll(id) as Promise<FileRefRow[]>),
      );
      const commentReads = [...batch.comments.keys()].map((id) => read(comments.get(id)));
      const [oldMessages, storedRefs, oldComments] = await Promise.all([
        Promise.all(messageReads),
        Promise.all(refReads),
        Promise.all(commentReads),
      ]);
      for (const list of storedRefs) for (const row of list) pushTo(refsByMessage, row.messageId, row);

      // 2. Merge messages and comments; collect the stats changes per conversation.
      const deltas = new Map<string, { add: ConversationStats[]; remove: ConversationStats[] }>();
      const delta = (id: string) => {
        let d = deltas.get(id);
        if (!d) deltas.set(id, (d = { add: [], remove: [] }));
        return d;
      };
      const messageRows: Message[] = [];
      msgList.forEach((id, i) => {
        const old = oldMessages[i];
        const incoming = batch.messages.get(id);
        let merged = old && incoming ? conflicts.take(mergeMessage(old, incoming)) : (incoming ?? old);
        if (!merged) return; // a file reference for a message not seen yet: kept in fileRefs
        merged = applyFileRefs(merged, refsByMessage.get(id) ?? []);
        if (merged === old) return; // nothing new: skip the write
        if (old) delta(old.conversationId).remove.push(messageStats(old));
        delta(merged.conversationId).add.push(messageStats(merged));
        messageRows.push(merged);
      });
      const commentRows: Comment[] = [];
      [...batch.comments.values()].forEach((incoming, i) => {
        const old = oldComments[i];
        const merged = old ? conflicts.take(mergeComment(old, incoming)) : incoming;
        if (merged === old) return;
        if (old) delta(old.conversationId).remove.push(commentStats(old));
        delta(merged.conversationId).add.push(commentStats(merged));
        commentRows.push(merged);
      });

      // 3. Conversations: merge, create placeholders for parents not seen yet, apply the stats.
      const convIds = new Set([...batch.conversations.keys(), ...deltas.keys()]);
      const convList = [...convIds];
      const oldConvs = await Promise.all(convList.map((id) => read(conversations.get(id))));
      const convRows: ConversationRow[] = [];
      convList.forEach((id, i) => {
        const old = oldConvs[i];
        const incoming = batch.conversations.get(id);
        const d = deltas.get(id);
        let row: ConversationRow;
        if (old && incoming) {
          const stored = stripStats(old);
          const merged = conflicts.take(mergeConversation(stored, incoming));
          if (merged === stored && !d) return; // nothing new: skip the write
          row = { ...merged, stats: { ...old.stats } };
        } else if (old) {
          row = { ...old, stats: { ...old.stats } };
        } else {
          row = { ...(incoming ?? placeholderConversation(id)), stats: emptyStats() };
        }
        if (d) {
          for (const s of d.remove) addStats(row.stats, s, -1);
          for (const s of d.add) addStats(row.stats, s, 1);
        }
        convRows.push(row);
      });

      // 4. Inboxes: the ones the batch names, and one per new inbox key of a conversation.
      const inboxStore = tx.objectStore('inboxes');
      const inboxKeys = new Set(batch.inboxes.keys());
      for (const row of convRows) for (const key of row.inboxKeys) inboxKeys.add(key);
      const inboxList = [...inboxKeys];
      const oldInboxes = await Promise.all(inboxList.map((key) => read(inboxStore.get(key))));
      const inboxRows: Inbox[] = [];
      inboxList.forEach((key, i) => {
        const old = oldInboxes[i];
        const incoming = batch.inboxes.get(key);
        if (old && incoming) {
          const merged = mergeInbox(old, incoming);
          if (merged !== old) inboxRows.push(merged);
        } else if (incoming) inboxRows.push(incoming);
        else if (!old) inboxRows.push(inboxFromKey(key));
      });

      // 5. Write. Through the raw IDBObjectStore: no promise per row (idb would make one, and each
      // would reject unobserved if the transaction aborts); failures surface through tx.done.
      const put = <Name extends ExportStoreName>(
        name: Name,
        rows: Iterable<ExportDbSchema[Name]['value']>,
      ) => {
        const raw = unwrap(tx.objectStore(name));
        for (const row of rows) raw.put(row);
      };
      put('conversations', convRows);
      put('messages', messageRows);
      put('comments', commentRows);
      put('fileRefs', batch.fileRefs.values());
      put('inboxes', inboxRows);
      put('channels', batch.channels.values());
      put('teammates', batch.teammates.values());
      put('contacts', batch.contacts.values());
      put('unrecognized', batch.unrecognized.values());
      put('unusedObjects', batch.unusedObjects.values());
      if (batch.source) put('sources', [batch.source]);
      unwrap(tx.objectStore('meta')).delete('summary');
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await Promise.allSettled([done, ...reads]);
      throw error;
    }
    await done;
  }

  // ---- Sources -------------------------------------------------------------------------------

  async getSource(id: string): Promise<SourceRow | undefined> {
    return this.db.get('sources', id);
  }

  /** `strict`: the row must outlive a crash of the tab right after (a large entry's mark). */
  async putSource(source: SourceRow, options: { strict?: boolean } = {}): Promise<void> {
    const tx = this.db.transaction('sources', 'readwrite', {
      durability: options.strict ? 'strict' : 'default',
    });
    await Promise.all([tx.store.put(source), tx.done]);
  }

  async listSources(): Promise<SourceRow[]> {
    return this.db.getAll('sources');
  }

  /**
   * The source files whose bytes are needed (attachments, .eml) and are not available in this session:
   * the user must drop these files again. `available` holds the fingerprints of the files at hand.
   */
  async sourcesToDropAgain(
    refs: Iterable<EntryRef | string>,
    available: ReadonlySet<string>,
  ): Promise<SourceFile[]> {
    const missing = new Set<string>();
    for (const ref of refs) {
      const id = typeof ref === 'string' ? ref : ref.source;
      if (!available.has(id)) missing.add(id);
    }
    const rows = await Promise.all([...missing].map((id) => this.db.get('sources', id)));
    return [...missing].map(
      (id, i) =>
        rows[i] ?? {
          id,
          name: id.split('|')[0] ?? id,
          size: 0,
          lastModified: 0,
          status: 'pending',
          checkpoint: 0,
          entries: 0,
          bytesDone: 0,
          error: null,
        },
    );
  }

  // ---- Reads ---------------------------------------------------------------------------------

  async listInboxes(): Promise<Inbox[]> {
    return this.db.getAll('inboxes');
  }

  async putInboxes(rows: Inbox[]): Promise<void> {
    const tx = this.db.transaction('inboxes', 'readwrite');
    for (const row of rows) void tx.store.put(row);
    await tx.done;
  }

  async listChannels(): Promise<ChannelRow[]> {
    return this.db.getAll('channels');
  }

  async setSmtpForwarding(key: string, smtpForwarding: boolean): Promise<Inbox | null> {
    const tx = this.db.transaction(['inboxes', 'meta'], 'readwrite');
    const inbox = await tx.objectStore('inboxes').get(key);
    if (!inbox) {
      await tx.done;
      return null;
    }
    const row = { ...inbox, smtpForwarding };
    await tx.objectStore('inboxes').put(row);
    await tx.objectStore('meta').delete('summary');
    await tx.done;
    return row;
  }

  async getConversation(id: string): Promise<ConversationRow | undefined> {
    return this.db.get('conversations', id);
  }

  async getMessage(id: string): Promise<Message | undefined> {
    return this.db.get('messages', id);
  }

  async getComment(id: string): Promise<Comment | undefined> {
    return this.db.get('comments', id);
  }

  async messagesOf(conversationId: string): Promise<Message[]> {
    const list = await this.db.getAllFromIndex('messages', 'byConversation', conversationId);
    return list.sort((a, b) => a.createdAt - b.createdAt);
  }

  async commentsOf(conversationId: string): Promise<Comment[]> {
    const list = await this.db.getAllFromIndex('comments', 'byConversation', conversationId);
    return list.sort((a, b) => a.postedAt - b.postedAt);
  }

  async count(
    store: 'conversations' | 'messages' | 'comments' | 'unrecognized' | 'fileRefs',
  ): Promise<number> {
    return this.db.count(store);
  }

  async listUnrecognized(offset = 0, limit = 200): Promise<UnrecognizedRow[]> {
    const out: UnrecognizedRow[] = [];
    let cursor = await this.db.transaction('unrecognized').store.openCursor();
    if (cursor && offset > 0) cursor = await cursor.advance(offset);
    while (cursor && out.length < limit) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }

  /** Walks every conversation row, in key order, a page at a time (no whole-store array in memory). */
  async forEachConversation(visit: (row: ConversationRow) => void, pageSize = 2000): Promise<void> {
    let after: string | null = null;
    while (true) {
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const page: ConversationRow[] = await this.db.getAll('conversations', range, pageSize);
      for (const row of page) visit(row);
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Walks every contact, in key order, a page at a time (the import names SMS parties from them). */
  async forEachContact(visit: (row: Contact) => void, pageSize = 2000): Promise<void> {
    let after: string | null = null;
    while (true) {
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const page: Contact[] = await this.db.getAll('contacts', range, pageSize);
      for (const row of page) visit(row);
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** How many Front objects the import does not use were indexed, per kind (deduplicated by Front ID). */
  async countUnusedObjectsByKind(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let cursor = await this.db.transaction('unusedObjects').store.openCursor();
    while (cursor) {
      const kind = cursor.value.kind;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      cursor = await cursor.continue();
    }
    return counts;
  }

  /** Walks file references never matched to a message (their message is not in the export). */
  async forEachOrphanFileRef(visit: (row: FileRefRow) => void): Promise<void> {
    const tx = this.db.transaction(['fileRefs', 'messages']);
    const messages = tx.objectStore('messages');
    const known = new Map<string, boolean>();
    let cursor = await tx.objectStore('fileRefs').openCursor();
    while (cursor) {
      const row = cursor.value;
      let found = row.messageId ? known.get(row.messageId) : false;
      if (found === undefined) {
        found = (await messages.getKey(row.messageId)) !== undefined;
        known.set(row.messageId, found);
      }
      if (!found) visit(row);
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  // ---- Meta ----------------------------------------------------------------------------------

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('meta', key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.put('meta', value, key);
  }

  /** Clears the whole export index (the dropped files, their rows, the inbox marks). */
  async clear(): Promise<void> {
    const tx = this.db.transaction(EXPORT_STORES, 'readwrite');
    await Promise.all(EXPORT_STORES.map((name) => tx.objectStore(name).clear()));
    await tx.done;
  }
}

function stripStats(row: ConversationRow): Conversation {
  const { stats: _stats, ...conversation } = row;
  return conversation;
}

function inboxFromKey(key: string): Inbox {
  const folder = key.startsWith('folder:') ? key.slice('folder:'.length) : null;
  return {
    key,
    frontId: folder === null ? key : null,
    name: folder ?? key,
    channelType: null,
    smtpForwarding: false,
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
