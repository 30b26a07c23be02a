/**
 * The relay ledger: one row per (target account, Front message), in its own IndexedDB database so that
 * clearing the export or the Missive import ledger never forgets what a mailbox already holds.
 *
 *   pending ──► sending(attemptId) ──► done(remoteId, threadId)
 *                    │                └─► failed(reason)
 *                    └─ outcome unknown (reload, no answer): checked on the target before any resend
 *
 * `sending` is committed before the request leaves and `done` with strict durability as soon as the
 * target answers, so a closed tab never sends an email twice. Never holds a token.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RelayCounts, TargetAccount } from './types.ts';

export const RELAY_LEDGER_DB_NAME = 'front-missive-relay';
const VERSION = 1;

export type RelayItemStatus = 'pending' | 'sending' | 'done' | 'failed';

export interface RelayAttempt {
  /** Random: tells two sends of the same email apart. */
  id: string;
  /** Wall-clock Unix ms when it left: a search for the copy waits until the target has indexed it. */
  startedAt: number;
}

export interface RelayItem {
  /** The target account key (see {@link TargetAccount.key}). */
  target: string;
  /** Front message ID (`msg_…`). */
  frontId: string;
  conversationId: string;
  /** The Message-ID the copy carries, with angle brackets: how the copy is found on the target. */
  messageId: string;
  status: RelayItemStatus;
  attempt: RelayAttempt | null;
  /** The target's ID for the stored copy. */
  remoteId: string | null;
  /** Gmail's thread, so the conversation's later emails join it. */
  threadId: string | null;
  /** Why it failed or still waits; null otherwise. */
  reason: string | null;
  /** Notes on a copy that is not exactly the Front email (e.g. attachments missing from the export). */
  notes: string[];
  /** Sends that ended without an answer and were not found on the target. */
  failures: number;
  /** Done, but the mailbox already held an email with this Message-ID (Gmail merged the two). */
  alreadyInMailbox?: boolean;
  updatedAt: number;
}

/** A target the ledger has seen, with what the report says about it. */
export interface RelayTargetRow extends TargetAccount {
  /** Where copies went, in words ("labels Front import/<inbox>", "mailbox Archive"). */
  destination: string;
  updatedAt: number;
}

interface RelayLedgerSchema extends DBSchema {
  items: {
    key: [string, string];
    value: RelayItem;
    indexes: {
      byTargetStatus: [string, RelayItemStatus];
      byTargetConversation: [string, string];
      byFront: string;
      byConversation: string;
    };
  };
  targets: { key: string; value: RelayTargetRow };
}

type LedgerDb = IDBPDatabase<RelayLedgerSchema>;

export interface RelayLedgerOptions {
  /** Database name; tests use their own. */
  name?: string;
  now?: () => number;
}

/** A new email to follow: everything else starts empty. */
export interface NewRelayItem {
  frontId: string;
  conversationId: string;
  messageId: string;
}

const STATUSES: readonly RelayItemStatus[] = ['pending', 'sending', 'done', 'failed'];

export class RelayLedger {
  readonly #db: LedgerDb;
  readonly #now: () => number;

  private constructor(db: LedgerDb, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  static async open(options: RelayLedgerOptions = {}): Promise<RelayLedger> {
    const db: LedgerDb = await openDB<RelayLedgerSchema>(options.name ?? RELAY_LEDGER_DB_NAME, VERSION, {
      upgrade(database) {
        const items = database.createObjectStore('items', { keyPath: ['target', 'frontId'] });
        items.createIndex('byTargetStatus', ['target', 'status']);
        items.createIndex('byTargetConversation', ['target', 'conversationId']);
        items.createIndex('byFront', 'frontId');
        items.createIndex('byConversation', 'conversationId');
        database.createObjectStore('targets', { keyPath: 'key' });
      },
      // Another tab (or a newer version of the app) wants to upgrade: let it.
      blocking: () => db.close(),
    });
    return new RelayLedger(db, options.now ?? Date.now);
  }

  static async destroy(name: string = RELAY_LEDGER_DB_NAME): Promise<void> {
    await deleteDB(name);
  }

  close(): void {
    this.#db.close();
  }

  // ---- Targets --------------------------------------------------------------------------------

  async putTarget(account: TargetAccount, destination: string): Promise<void> {
    await this.#db.put('targets', { ...account, destination, updatedAt: this.#now() });
  }

  async getTarget(key: string): Promise<RelayTargetRow | undefined> {
    return this.#db.get('targets', key);
  }

  async listTargets(): Promise<RelayTargetRow[]> {
    return this.#db.getAll('targets');
  }

  // ---- Items ----------------------------------------------------------------------------------

  async get(target: string, frontId: string): Promise<RelayItem | undefined> {
    return this.#db.get('items', [target, frontId]);
  }

  /** The rows of one conversation for one target. */
  async itemsOf(target: string, conversationId: string): Promise<RelayItem[]> {
    return this.#db.getAllFromIndex('items', 'byTargetConversation', [target, conversationId]);
  }

  /** Every target's row for one Front message (the report picks the best outcome). */
  async rowsOfMessage(frontId: string): Promise<RelayItem[]> {
    return this.#db.getAllFromIndex('items', 'byFront', frontId);
  }

  /** Whether any target holds a copy of one of this conversation's emails. */
  async hasDoneInConversation(conversationId: string): Promise<boolean> {
    const rows = await this.#db.getAllFromIndex('items', 'byConversation', conversationId);
    return rows.some((row) => row.status === 'done');
  }

  async withStatus(target: string, status: RelayItemStatus): Promise<RelayItem[]> {
    return this.#db.getAllFromIndex('items', 'byTargetStatus', [target, status]);
  }

  /**
   * Rows for the emails not followed yet (pending); existing rows are returned as they are. When the
   * Message-ID a pending row carries changed (an .eml dropped later), the row follows it.
   */
  async ensure(target: string, emails: readonly NewRelayItem[]): Promise<RelayItem[]> {
    const tx = this.#db.transaction('items', 'readwrite');
    const now = this.#now();
    const rows = await Promise.all(emails.map((email) => tx.store.get([target, email.frontId])));
    const out = emails.map((email, i): RelayItem => {
      const old = rows[i];
      if (old && (old.status !== 'pending' || old.messageId === email.messageId)) return old;
      const row: RelayItem = old
        ? { ...old, messageId: email.messageId, updatedAt: now }
        : {
            target,
            frontId: email.frontId,
            conversationId: email.conversationId,
            messageId: email.messageId,
            status: 'pending',
            attempt: null,
            remoteId: null,
            threadId: null,
            reason: null,
            notes: [],
            failures: 0,
            updatedAt: now,
          };
      void tx.store.put(row);
      return row;
    });
    await tx.done;
    return out;
  }

  /** Written (and committed, strictly: it must outlive a crash) before the request leaves. */
  async markSending(row: RelayItem, attempt: RelayAttempt, notes: string[] = row.notes): Promise<RelayItem> {
    return this.#put({ ...row, status: 'sending', attempt, reason: null, notes }, true);
  }

  /** The target holds the copy: strict durability, or a crash right after would send it again. */
  async markDone(
    row: RelayItem,
    remoteId: string,
    threadId: string | null,
    alreadyInMailbox = false,
  ): Promise<RelayItem> {
    const done = { ...row, status: 'done' as const, attempt: null, remoteId, threadId, reason: null };
    if (alreadyInMailbox) done.alreadyInMailbox = true;
    else delete done.alreadyInMailbox;
    return this.#put(done, true);
  }

  async markFailed(row: RelayItem, reason: string): Promise<RelayItem> {
    return this.#put({ ...row, status: 'failed', attempt: null, reason });
  }

  /** Back to pending: not sent, or checked and not on the target. `reason` says why it waits. */
  async markPending(
    row: RelayItem,
    reason: string | null = null,
    options: { countFailure?: boolean } = {},
  ): Promise<RelayItem> {
    const failures = row.failures + (options.countFailure ? 1 : 0);
    return this.#put({ ...row, status: 'pending', attempt: null, reason, failures });
  }

  /** Records many copies at once as done (a finished file download): one transaction. */
  async recordDone(target: string, copies: readonly (NewRelayItem & { remoteId: string })[]): Promise<void> {
    const now = this.#now();
    for (let start = 0; start < copies.length; start += 2000) {
      const tx = this.#db.transaction('items', 'readwrite', { durability: 'strict' });
      for (const copy of copies.slice(start, start + 2000)) {
        void tx.store.put({
          target,
          frontId: copy.frontId,
          conversationId: copy.conversationId,
          messageId: copy.messageId,
          status: 'done',
          attempt: null,
          remoteId: copy.remoteId,
          threadId: null,
          reason: null,
          notes: [],
          failures: 0,
          updatedAt: now,
        });
      }
      await tx.done;
    }
  }

  /** A new run gives failed emails another chance (after the user fixed the cause). */
  async retryFailed(target: string): Promise<number> {
    const failed = await this.withStatus(target, 'failed');
    const tx = this.#db.transaction('items', 'readwrite');
    const now = this.#now();
    for (const row of failed)
      void tx.store.put({ ...row, status: 'pending', reason: null, failures: 0, updatedAt: now });
    await tx.done;
    return failed.length;
  }

  /** Counts per status for one target (index counts: no row is read). */
  async counts(target: string): Promise<RelayCounts> {
    const [pending, sending, done, failed] = await Promise.all(
      STATUSES.map((status) => this.#db.countFromIndex('items', 'byTargetStatus', [target, status])),
    );
    return {
      pending: pending!,
      sending: sending!,
      done: done!,
      failed: failed!,
      total: pending! + sending! + done! + failed!,
    };
  }

  /** Every row, a page at a time, in key order (target, then Front ID). */
  async forEach(visit: (row: RelayItem) => void, pageSize = 2000): Promise<void> {
    let after: [string, string] | null = null;
    for (;;) {
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const page: RelayItem[] = await this.#db.getAll('items', range, pageSize);
      for (const row of page) visit(row);
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = [last.target, last.frontId];
    }
  }

  /** Forgets one target's rows (the user starts over on an emptied mailbox). */
  async clearTarget(target: string): Promise<void> {
    const tx = this.#db.transaction(['items', 'targets'], 'readwrite');
    const range = IDBKeyRange.bound([target, ''], [target, '\uffff']);
    await Promise.all([
      tx.objectStore('items').delete(range),
      tx.objectStore('targets').delete(target),
      tx.done,
    ]);
  }

  async #put(row: RelayItem, strict = false): Promise<RelayItem> {
    const next = { ...row, updatedAt: this.#now() };
    const tx = this.#db.transaction('items', 'readwrite', { durability: strict ? 'strict' : 'default' });
    await Promise.all([tx.store.put(next), tx.done]);
    return next;
  }
}
