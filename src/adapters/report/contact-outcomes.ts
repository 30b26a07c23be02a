/**
 * What the direct contacts import did, person by person, in its own small IndexedDB database: the
 * report lists contacts (kind `contact`) from here once the user imported them, and a second
 * import knows what it already created. Never holds the token.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ItemStatus } from '../../domain/model.ts';

export const CONTACTS_DB_NAME = 'front-missive-contacts';
const VERSION = 1;
const RUN_KEY = 'run';
const PAGE = 2000;

export interface ContactOutcome {
  /** The contact key (see contactKey): the report item's frontId. */
  key: string;
  status: ItemStatus;
  /** Why skipped, failed or still pending; null when imported. */
  reason: string | null;
  /** The Missive contact created for this person. */
  missiveContactId: string | null;
  contactBookId: string;
  /**
   * A `POST /contacts` carrying this person left without a known answer: if the book has the person
   * on the next run, that copy is ours (imported), not someone else's.
   */
  attempted: boolean;
  updatedAt: number;
}

export interface ContactsRun {
  contactBookId: string;
  contactBookName: string | null;
  apiBase: string;
  startedAt: number;
  finishedAt: number | null;
}

interface ContactsDbSchema extends DBSchema {
  outcomes: { key: string; value: ContactOutcome };
  meta: { key: string; value: unknown };
}

type ContactsDb = IDBPDatabase<ContactsDbSchema>;

export class ContactOutcomeStore {
  private constructor(private readonly db: ContactsDb) {}

  static async open(name: string = CONTACTS_DB_NAME): Promise<ContactOutcomeStore> {
    const db: ContactsDb = await openDB<ContactsDbSchema>(name, VERSION, {
      upgrade: (database) => {
        database.createObjectStore('outcomes', { keyPath: 'key' });
        database.createObjectStore('meta');
      },
      blocking: () => db.close(),
    });
    return new ContactOutcomeStore(db);
  }

  static async destroy(name: string = CONTACTS_DB_NAME): Promise<void> {
    await deleteDB(name);
  }

  close(): void {
    this.db.close();
  }

  async getRun(): Promise<ContactsRun | undefined> {
    return (await this.db.get('meta', RUN_KEY)) as ContactsRun | undefined;
  }

  async putRun(run: ContactsRun): Promise<void> {
    await this.db.put('meta', run, RUN_KEY);
  }

  async get(key: string): Promise<ContactOutcome | undefined> {
    return this.db.get('outcomes', key);
  }

  async count(): Promise<number> {
    return this.db.count('outcomes');
  }

  /** Writes rows in one transaction (durable by default: an imported contact must stay imported). */
  async put(rows: readonly ContactOutcome[]): Promise<void> {
    if (rows.length === 0) return;
    const tx = this.db.transaction('outcomes', 'readwrite');
    await Promise.all([...rows.map((row) => tx.store.put(row)), tx.done]);
  }

  /** Every outcome in key order, a page at a time. */
  async forEach(visit: (row: ContactOutcome) => void): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const page: ContactOutcome[] = await this.db.getAll('outcomes', range, PAGE);
      for (const row of page) visit(row);
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.key;
    }
  }

  async getAll(): Promise<Map<string, ContactOutcome>> {
    const rows = new Map<string, ContactOutcome>();
    await this.forEach((row) => rows.set(row.key, row));
    return rows;
  }
}
