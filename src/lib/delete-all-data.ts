/**
 * "Delete all data from this browser": every IndexedDB database the app writes (export index, import
 * ledger, relay ledger, contacts outcomes), its settings in localStorage and the token remembered in
 * sessionStorage. The workers hold the databases open: they are stopped first, so nothing blocks the
 * deletion and nothing writes after it.
 */
import { DB_NAME } from '../adapters/store-schema.ts';
import { LEDGER_DB_NAME } from '../adapters/ledger-schema.ts';
import { RELAY_LEDGER_DB_NAME } from '../adapters/relay/ledger.ts';
import { CONTACTS_DB_NAME } from '../adapters/report/contact-outcomes.ts';

export const APP_DATABASES = [DB_NAME, LEDGER_DB_NAME, RELAY_LEDGER_DB_NAME, CONTACTS_DB_NAME];
/** Every key the app writes in localStorage or sessionStorage starts so; MSAL's own start with `msal.`. */
const STORAGE_PREFIXES = ['front-missive:', 'msal.'];

export interface DeleteAllDeps {
  /** Stops the workers (they hold the databases open). */
  stopWorkers: () => void;
  indexedDB?: IDBFactory;
  storages?: Storage[];
}

export async function deleteAllAppData(deps: DeleteAllDeps): Promise<void> {
  deps.stopWorkers();
  const factory = deps.indexedDB ?? indexedDB;
  const listed = await factory.databases().catch(() => []);
  const names = new Set(APP_DATABASES);
  for (const db of listed) if (db.name && APP_DATABASES.includes(db.name)) names.add(db.name);
  for (const name of names) await deleteDatabase(factory, name);
  for (const storage of deps.storages ?? [localStorage, sessionStorage]) {
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key && STORAGE_PREFIXES.some((prefix) => key.startsWith(prefix))) keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  }
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`Could not delete ${name}`));
    // "blocked": a connection is still open; the deletion completes once it closes (success fires).
  });
}
