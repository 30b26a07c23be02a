/**
 * The import ledger in IndexedDB (its own database, see ledger-schema.ts): every Front item's state,
 * every Front conversation's Missive conversation, and the run's metadata.
 *
 * Write order is the no-duplicate guarantee: `in_flight` is committed before a request leaves, and
 * `done` is committed with strict durability as soon as Missive answered 2xx. A done item is never
 * sent again; an item found in flight after a crash is checked against Missive first.
 *
 * The engine is the only writer, one conversation at a time per task, so the counts the ledger keeps
 * in memory follow every write without reading rows back.
 */
import { deleteDB, openDB } from 'idb';
import type { ConversationPlan, ItemAction } from '../domain/import/plan.ts';
import { SKIP_REASONS } from '../domain/import/reasons.ts';
import {
  LEDGER_DB_NAME,
  LEDGER_VERSION,
  REPORT_KINDS,
  emptyCounts,
  noRefs,
  reportStatus,
  upgradeLedger,
  type ConversationStatus,
  type LedgerConversation,
  type LedgerCounts,
  type LedgerDb,
  type LedgerDbSchema,
  type LedgerItem,
  type LedgerStatus,
  type ReportKind,
  type AccountObservations,
  type RunMeta,
} from './ledger-schema.ts';

export * from './ledger-schema.ts';

const RUN_KEY = 'run';
const OBSERVATIONS_KEY = 'observations';
const PAGE = 2000;

export interface LedgerOptions {
  /** Database name; tests use their own. */
  name?: string;
  now?: () => number;
}

/** How a plan merged into the ledger: what it changed. */
export interface MergeOptions {
  /** The conversation is one of the trial's. */
  trial: boolean;
  /** A new run (not a Resume): items that failed before are tried again. */
  retryFailed: boolean;
}

export class Ledger {
  readonly db: LedgerDb;
  readonly name: string;
  readonly #now: () => number;
  #counts: LedgerCounts = emptyCounts();

  private constructor(db: LedgerDb, name: string, now: () => number) {
    this.db = db;
    this.name = name;
    this.#now = now;
  }

  static async open(options: LedgerOptions = {}): Promise<Ledger> {
    const name = options.name ?? LEDGER_DB_NAME;
    const db: LedgerDb = await openDB<LedgerDbSchema>(name, LEDGER_VERSION, {
      upgrade: (database, oldVersion) => upgradeLedger(database, oldVersion),
      blocking: () => db.close(),
    });
    const ledger = new Ledger(db, name, options.now ?? Date.now);
    await ledger.recount();
    return ledger;
  }

  static async destroy(name: string = LEDGER_DB_NAME): Promise<void> {
    await deleteDB(name);
  }

  close(): void {
    this.db.close();
  }

  /** Counts per kind and report status (in flight counts as pending). */
  counts(): LedgerCounts {
    const copy = emptyCounts();
    for (const kind of REPORT_KINDS) copy[kind] = { ...this.#counts[kind] };
    return copy;
  }

  /** Counts everything again from the stores (on open, and after bulk changes). */
  async recount(): Promise<void> {
    const counts = emptyCounts();
    await this.#forEachPage('items', (row: LedgerItem) => counts[row.kind][reportStatus(row.status)]++);
    await this.#forEachPage('conversations', (row: LedgerConversation) => {
      counts.conversation[reportStatus(row.status)]++;
    });
    this.#counts = counts;
  }

  async #forEachPage<T extends LedgerItem | LedgerConversation>(
    store: 'items' | 'conversations',
    visit: (row: T) => void,
  ): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const page = (await this.db.getAll(store, range, PAGE)) as T[];
      for (const row of page) visit(row);
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.frontId;
    }
  }

  // ---- Run metadata ---------------------------------------------------------------------------

  async getRun(): Promise<RunMeta | undefined> {
    return (await this.db.get('meta', RUN_KEY)) as RunMeta | undefined;
  }

  async putRun(run: RunMeta): Promise<void> {
    await this.db.put('meta', { ...run, updatedAt: this.#now() }, RUN_KEY);
  }

  /** What the probes saw of the account (kept with the import: the full run and resumes use it). */
  async getObservations(): Promise<AccountObservations> {
    const stored = (await this.db.get('meta', OBSERVATIONS_KEY)) as Partial<AccountObservations> | undefined;
    return { reopenReading: null, reopenObservedOn: null, deliveredAtKept: null, ...stored };
  }

  /** Records what one probe saw; the other observations stay as they were. */
  async putObservations(observations: Partial<AccountObservations>): Promise<void> {
    await this.db.put('meta', { ...(await this.getObservations()), ...observations }, OBSERVATIONS_KEY);
  }

  // ---- Reads ----------------------------------------------------------------------------------

  async getConversation(frontId: string): Promise<LedgerConversation | undefined> {
    return this.db.get('conversations', frontId);
  }

  async getItem(frontId: string): Promise<LedgerItem | undefined> {
    return this.db.get('items', frontId);
  }

  async itemsOf(conversationId: string): Promise<LedgerItem[]> {
    return this.db.getAllFromIndex('items', 'byConversation', conversationId);
  }

  async itemsWithStatus(status: LedgerStatus): Promise<LedgerItem[]> {
    return this.db.getAllFromIndex('items', 'byStatus', status);
  }

  async countWithStatus(status: LedgerStatus): Promise<number> {
    return this.db.countFromIndex('items', 'byStatus', status);
  }

  /** The Front conversation already matched to this Missive conversation, if any. */
  async conversationByMissiveId(missiveConversationId: string): Promise<LedgerConversation | undefined> {
    return this.db.getFromIndex('conversations', 'byMissiveId', missiveConversationId);
  }

  /** Pending conversations, oldest first, after `after` (a queue key from the previous page). */
  async queuePage(after: [number, string] | null, limit: number): Promise<LedgerConversation[]> {
    const range = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    return this.db.getAllFromIndex('conversations', 'byQueue', range, limit);
  }

  /** Every conversation row, a page at a time (report, links). */
  async forEachConversation(visit: (row: LedgerConversation) => void): Promise<void> {
    await this.#forEachPage('conversations', visit);
  }

  async forEachItem(visit: (row: LedgerItem) => void): Promise<void> {
    await this.#forEachPage('items', visit);
  }

  // ---- Plan ------------------------------------------------------------------------------------

  /**
   * Writes the plan of some conversations (one transaction): new items are added as the plan says;
   * done and in-flight items are kept as they are; pending and skipped ones follow the plan (the
   * choices may have changed); failed ones are tried again on a new run.
   */
  async mergePlans(
    plans: readonly { plan: ConversationPlan; options: MergeOptions }[],
  ): Promise<{ items: LedgerItem[]; conversation: LedgerConversation }[]> {
    if (plans.length === 0) return [];
    const tx = this.db.transaction(['items', 'conversations'], 'readwrite');
    const items = tx.objectStore('items');
    const conversations = tx.objectStore('conversations');
    const now = this.#now();
    const [oldItems, oldConversations] = await Promise.all([
      Promise.all(plans.map(({ plan }) => items.index('byConversation').getAll(plan.conversation.frontId))),
      Promise.all(plans.map(({ plan }) => conversations.get(plan.conversation.frontId))),
    ]);
    const writes: Promise<unknown>[] = [];
    const merged: { items: LedgerItem[]; conversation: LedgerConversation }[] = [];
    plans.forEach(({ plan, options }, i) => {
      const byId = new Map(oldItems[i]!.map((row) => [row.frontId, row]));
      const rows: LedgerItem[] = [];
      for (const action of plan.items) {
        const old = byId.get(action.frontId);
        const merged = mergeItem(old, action, options, now);
        rows.push(merged);
        if (merged === old) continue;
        this.#move(merged.kind, old?.status ?? null, merged.status);
        writes.push(items.put(merged));
      }
      const old = oldConversations[i];
      const conversation = mergeConversation(old, plan, options, rows);
      this.#moveConversation(old?.status ?? null, conversation.status);
      writes.push(conversations.put(conversation));
      merged.push({ items: rows, conversation });
    });
    await Promise.all([...writes, tx.done]);
    return merged;
  }

  // ---- Item writes -----------------------------------------------------------------------------

  /**
   * Changes items in one transaction and returns the new rows. `strict` for done: the 2xx must survive
   * a crash of the browser right after, or the item would be sent again. An in-flight mark is always
   * strict: it is the only trace of a request that left, and a lost one would resend without the
   * check-before-resend.
   */
  async updateItems(
    rows: readonly LedgerItem[],
    change: (row: LedgerItem) => Partial<LedgerItem>,
    options: { strict?: boolean; conversation?: LedgerConversation } = {},
  ): Promise<LedgerItem[]> {
    const now = this.#now();
    const next = rows.map((row) => ({ ...row, ...change(row), updatedAt: now }));
    const tx = this.db.transaction(['items', 'conversations'], 'readwrite', {
      durability: options.strict || next.some((row) => row.status === 'in_flight') ? 'strict' : 'default',
    });
    const writes: Promise<unknown>[] = next.map((row) => tx.objectStore('items').put(row));
    if (options.conversation) writes.push(tx.objectStore('conversations').put(options.conversation));
    await Promise.all([...writes, tx.done]);
    rows.forEach((row, i) => this.#move(row.kind, row.status, next[i]!.status));
    return next;
  }

  /** Writes a conversation row (its Missive ID, its status). */
  async putConversation(before: LedgerConversation, after: LedgerConversation): Promise<LedgerConversation> {
    const row = withQueueKey(after);
    await this.db.put('conversations', row);
    this.#moveConversation(before.status, row.status);
    return row;
  }

  // ---- Counts ----------------------------------------------------------------------------------

  #move(kind: ReportKind, from: LedgerStatus | null, to: LedgerStatus): void {
    if (from !== null) this.#counts[kind][reportStatus(from)]--;
    this.#counts[kind][reportStatus(to)]++;
  }

  #moveConversation(from: ConversationStatus | null, to: ConversationStatus): void {
    this.#move('conversation', from, to);
  }

  /** Deletes everything (tests, and "start over" on an empty Missive). */
  async clear(): Promise<void> {
    const tx = this.db.transaction(['items', 'conversations', 'meta'], 'readwrite');
    await Promise.all([
      tx.objectStore('items').clear(),
      tx.objectStore('conversations').clear(),
      tx.objectStore('meta').clear(),
      tx.done,
    ]);
    this.#counts = emptyCounts();
  }
}

function mergeItem(
  old: LedgerItem | undefined,
  action: ItemAction,
  options: MergeOptions,
  now: number,
): LedgerItem {
  const parts = action.kind === 'sms' ? action.requests : action.kind === 'comment' ? action.posts : 0;
  if (old && (old.status === 'done' || old.status === 'in_flight')) return old;
  // The user's own choice for an item Missive could not tell about stands.
  if (old?.status === 'skipped' && old.reason === SKIP_REASONS.skippedUnknown) return old;
  if (old?.status === 'failed' && !options.retryFailed) return old;
  const next: LedgerItem = {
    frontId: action.frontId,
    kind: action.kind,
    conversationId: action.conversationId,
    status: action.status,
    reason: action.reason,
    flags: action.flags,
    parts,
    partsDone: Math.min(old?.partsDone ?? 0, parts),
    attempt: null,
    missive: old?.missive ?? noRefs(),
    updatedAt: now,
  };
  if (old && sameItem(old, next)) return old;
  return next;
}

function sameItem(a: LedgerItem, b: LedgerItem): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.parts === b.parts &&
    a.partsDone === b.partsDone &&
    a.conversationId === b.conversationId &&
    a.flags.join('\n') === b.flags.join('\n')
  );
}

/** A conversation's status from its items: done once nothing is left to send and something went in. */
export function conversationStatusOf(
  planned: 'pending' | 'skipped',
  items: readonly LedgerItem[],
): ConversationStatus {
  const sendable = items.filter((item) => item.status !== 'skipped');
  if (planned === 'skipped' && !sendable.some((item) => item.status === 'done')) return 'skipped';
  if (sendable.some((item) => item.status === 'pending' || item.status === 'in_flight')) return 'pending';
  if (sendable.some((item) => item.status === 'done')) return 'done';
  if (sendable.some((item) => item.status === 'failed')) return 'failed';
  return planned === 'skipped' ? 'skipped' : 'pending';
}

function mergeConversation(
  old: LedgerConversation | undefined,
  plan: ConversationPlan,
  options: MergeOptions,
  items: readonly LedgerItem[],
): LedgerConversation {
  const action = plan.conversation;
  return withQueueKey({
    frontId: action.frontId,
    status: conversationStatusOf(action.status, items),
    reason: action.reason,
    flags: action.flags,
    order: plan.startedAt,
    commentRoute: action.commentRoute,
    lookupMessageId: action.lookupMessageId,
    missiveConversationId: old?.missiveConversationId ?? null,
    webUrl: old?.webUrl ?? null,
    smsSent: Math.max(old?.smsSent ?? 0, items.filter((i) => i.kind === 'sms' && i.status === 'done').length),
    trial: (old?.trial ?? false) || options.trial,
  });
}

/** Pending conversations carry their queue key (the sparse index the run reads, oldest first). */
export function withQueueKey(row: LedgerConversation): LedgerConversation {
  const { queueKey: _old, ...rest } = row;
  const order = Number.isFinite(row.order) ? row.order : Number.MAX_SAFE_INTEGER;
  return row.status === 'pending' ? { ...rest, queueKey: [order, row.frontId] } : rest;
}
