/**
 * The customer's contacts, as the page sees them: the list built in the report worker from the
 * export's contacts and recipients, its CSV for Missive's (or Google's) contact import, and the
 * direct import into a contact book the user picks. The import goes through the same rate limits as
 * the Missive import, so it waits while that one runs.
 */
import { proxy } from 'comlink';
import type { ContactListSummary } from '../adapters/report/contact-list.ts';
import type { ContactBook, ContactsImportProgress } from '../adapters/report/contacts-import.ts';
import type { Connection } from './connection.svelte.ts';
import { importTimeScale, type ImportState } from './import.svelte.ts';
import { browserSaver, text, type FileSaver, type ReportBridge } from './report.svelte.ts';
import type { Settings } from './settings.svelte.ts';

export interface ContactsStateDeps {
  bridge: ReportBridge;
  connection: Connection;
  settings: Settings;
  search?: string;
  /** While the Missive import runs, the contacts import waits (both share Missive's limits). */
  importState?: ImportState | null;
  saver?: FileSaver;
  /** Called after an import run, so the report shows the contacts. */
  onImported?: () => void;
}

export type ContactsStatus = 'idle' | 'building' | 'downloading' | 'loading-books' | 'importing';

export class ContactsState {
  list = $state.raw<ContactListSummary | null>(null);
  books = $state.raw<ContactBook[]>([]);
  bookId = $state('');
  progress = $state.raw<ContactsImportProgress | null>(null);
  status = $state<ContactsStatus>('idle');
  error = $state<string | null>(null);
  notice = $state<string | null>(null);

  readonly busy = $derived(this.status !== 'idle');
  /** What stops the direct import, in words; null when it can go. */
  readonly blocked = $derived(this.#blocked());
  readonly #deps: ContactsStateDeps;
  readonly #saver: FileSaver;

  constructor(deps: ContactsStateDeps) {
    this.#deps = deps;
    this.#saver = deps.saver ?? browserSaver();
  }

  async build(): Promise<void> {
    await this.#do('building', async () => {
      this.list = await this.#deps.bridge.call(undefined, (api) => api.contactList());
    });
  }

  async downloadCsv(): Promise<void> {
    const target = await this.#saver.pick(`front-contacts.csv`, 'csv');
    if (target === undefined) return;
    await this.#do('downloading', async () => {
      const file = await this.#deps.bridge.call(undefined, (api) => api.contactsCsv(target));
      if (file.blob) this.#saver.save(file.name, file.blob);
      this.notice = `Saved ${file.name}.`;
    });
  }

  async loadBooks(): Promise<void> {
    const access = this.#access();
    if (!access) return;
    await this.#do('loading-books', async () => {
      const books = await this.#deps.bridge.call(undefined, (api) => api.contactBooks(access));
      this.books = books;
      if (!books.some((book) => book.id === this.bookId))
        this.bookId = books.length === 1 ? books[0]!.id : '';
    });
  }

  /** Creates the people the chosen book lacks; those it has are skipped, nothing is created twice. */
  async importIntoBook(): Promise<void> {
    const access = this.#access();
    const book = this.books.find((b) => b.id === this.bookId);
    if (!access || !book || this.blocked) return;
    this.progress = null;
    await this.#do('importing', async () => {
      const onProgress = proxy((progress: ContactsImportProgress) => (this.progress = progress));
      this.progress = await this.#deps.bridge.call(undefined, (api) =>
        api.importContacts({ ...access, contactBookId: book.id, contactBookName: book.name }, onProgress),
      );
    });
    this.#deps.onImported?.();
  }

  async cancel(): Promise<void> {
    await this.#deps.bridge.call(undefined, (api) => api.cancelContacts());
  }

  #access() {
    const { connection, settings, search } = this.#deps;
    const token = connection.token.trim();
    if (!token) {
      this.error = 'Enter and verify your Missive API token first (step "Connect Missive").';
      return null;
    }
    return { token, apiBase: settings.apiBase, timeScale: importTimeScale(search ?? '', settings.apiBase) };
  }

  #blocked(): string | null {
    if (this.#deps.importState?.running) return 'The Missive import is running: contacts go once it stops.';
    if (!this.bookId) return 'Choose a contact book.';
    return null;
  }

  async #do(status: ContactsStatus, work: () => Promise<void>): Promise<void> {
    if (this.status !== 'idle') return;
    this.status = status;
    this.error = null;
    this.notice = null;
    try {
      await work();
    } catch (error) {
      this.error = text(error);
    } finally {
      this.status = 'idle';
    }
  }
}
