/**
 * Read access to the import ledger for the report, through the ledger's own schema and upgrade.
 *
 * Not `Ledger.open`: that recounts every row on open (seconds for a million items), and the report
 * only needs range reads. The connection gives way at once when the engine upgrades the database.
 */
import { openDB } from 'idb';
import {
  LEDGER_DB_NAME,
  LEDGER_VERSION,
  upgradeLedger,
  type LedgerConversation,
  type LedgerDb,
  type LedgerDbSchema,
  type LedgerItem,
  type RunMeta,
} from '../ledger-schema.ts';

const RUN_KEY = 'run';

export class LedgerReader {
  private constructor(
    private db: LedgerDb | null,
    private readonly name: string,
  ) {}

  static async open(name: string = LEDGER_DB_NAME): Promise<LedgerReader> {
    const reader = new LedgerReader(null, name);
    await reader.connection();
    return reader;
  }

  async getRun(): Promise<RunMeta | undefined> {
    return (await (await this.connection()).get('meta', RUN_KEY)) as RunMeta | undefined;
  }

  /** Items of the Front conversations whose IDs lie in [first, last] (one index range read). */
  async itemsOfConversations(first: string, last: string): Promise<LedgerItem[]> {
    const db = await this.connection();
    return db.getAllFromIndex('items', 'byConversation', IDBKeyRange.bound(first, last));
  }

  /** Conversation rows with IDs in [first, last]. */
  async conversationsBetween(first: string, last: string): Promise<LedgerConversation[]> {
    const db = await this.connection();
    return db.getAll('conversations', IDBKeyRange.bound(first, last));
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** Reopens after the engine's upgrade closed this connection. */
  private async connection(): Promise<LedgerDb> {
    if (this.db) return this.db;
    const db: LedgerDb = await openDB<LedgerDbSchema>(this.name, LEDGER_VERSION, {
      upgrade: (database, oldVersion) => upgradeLedger(database, oldVersion),
      blocking: () => {
        db.close();
        if (this.db === db) this.db = null;
      },
    });
    this.db = db;
    return db;
  }
}
