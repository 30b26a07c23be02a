/**
 * The direct contacts import: reads the chosen contact book (`GET /contacts?contact_book=…`, paged)
 * to learn who is already there, then creates the others with `POST /contacts` in batches, through
 * the import's own rate scheduler and requester (same limits, same 429 and CORS handling).
 *
 * Nothing is created twice: the book is read before sending, and again whenever a request's outcome
 * is unknown (5xx, dropped connection) before anything of it is sent again. A batch Missive refuses
 * as too large is halved, for the rest of the run; a batch refused for another reason is split until
 * the contact at fault fails alone with Missive's error text, and the others go in.
 *
 * A book that refuses writes (Missive lists books synced with Google or Office 365, whose contacts
 * are managed there) stops the run at once with Missive's message: a 403 on its first refusal; a
 * 400/422 before the book took any contact once two contacts sent alone are refused alike, or five
 * with the same status (a single refusal may be that contact's fault). Splitting a 200-contact batch down to single contacts would
 * otherwise cost about 400 requests that all fail.
 */
import type { CustomerContact } from '../../domain/contacts/build.ts';
import {
  ExistingContactIndex,
  missiveContactInput,
  type MissiveContactsBody,
  type MissiveExistingContact,
} from '../../domain/contacts/missive.ts';
import { ALREADY_IN_BOOK_REASON } from '../../domain/contacts/report-items.ts';
import { backoffDelay, RateScheduler, scaledLimits } from '../../domain/import/rate-scheduler.ts';
import type { ItemStatus } from '../../domain/model.ts';
import { realClock, type EngineClock } from '../import-engine.ts';
import { Requester, type StopState } from '../import-engine-requests.ts';
import { MissiveClient } from '../missive-client.ts';
import type { ContactOutcome, ContactOutcomeStore } from './contact-outcomes.ts';

/** Contacts per `POST /contacts` at first; Missive documents no maximum, so a refusal halves it. */
export const DEFAULT_CONTACTS_BATCH = 200;
/** `GET /contacts` pages (Missive's maximum `limit`). */
export const CONTACTS_PAGE = 200;
/** Unknown outcomes of one batch, each followed by a fresh read of the book, before giving up. */
const MAX_UNKNOWN_RETRIES = 4;
const OUTCOME_WRITE_BATCH = 1000;
/** Contacts refused alone before the book took any that prove the book refuses writes. */
const LONE_REFUSALS_ALIKE = 2;
const LONE_REFUSALS_SAME_STATUS = 5;

export const PENDING_CONTACT_REASON = 'not sent yet: run the contacts import again';
export const READ_ONLY_BOOK_HINT =
  'A contact book synced with Google or Office 365 takes its contacts from there: import the contacts CSV (Google Contacts layout) into Google Contacts or Outlook instead, or choose another book.';
export const UNKNOWN_OUTCOME_REASON =
  'Missive did not answer: run the contacts import again (the book is read first, nothing is created twice)';

export interface ContactBook {
  id: string;
  name: string;
  description: string | null;
}

export interface MissiveAccess {
  /** Kept in the worker's memory for this call only. */
  token: string;
  apiBase: string;
  /** 1 in real use; compressed only against a loopback sandbox (see importTimeScale). */
  timeScale?: number;
}

export interface ContactsImportRequest extends MissiveAccess {
  contactBookId: string;
  contactBookName?: string | null;
  batchSize?: number;
}

export type ContactsImportState = 'reading-book' | 'sending' | 'finished' | 'stopped';

export interface ContactsImportProgress {
  state: ContactsImportState;
  total: number;
  imported: number;
  skipped: number;
  failed: number;
  pending: number;
  /** Contacts the book held before this run. */
  existingInBook: number;
  requests: number;
  batchSize: number;
  /** Why the run stopped (token refused, CORS, network), in words for the user. */
  message: string | null;
}

export interface ContactsImporterDeps {
  outcomes: ContactOutcomeStore;
  fetch?: typeof fetch;
  clock?: EngineClock;
  rng?: () => number;
}

type SentBatch = 'done' | 'stopped';

interface CreatedContacts {
  contacts?: { id?: string }[] | null;
}

/** One contacts import run (or a book listing): its scheduler, requester and counts. */
class ContactsRun {
  readonly controller = new AbortController();
  readonly requester: Requester;
  readonly scheduler: RateScheduler;
  stopMessage: string | null = null;
  batchSize: number;
  existingInBook = 0;
  /** The book took at least one contact in this run: a refusal is about the contacts, not the book. */
  bookTookContacts = false;
  /** Contacts refused alone before the book took any: status and message of each. */
  readonly loneRefusals: { status: number; message: string }[] = [];
  readonly statuses = new Map<string, ItemStatus>();

  constructor(
    access: MissiveAccess,
    readonly deps: Required<Omit<ContactsImporterDeps, 'fetch'>> & Pick<ContactsImporterDeps, 'fetch'>,
    batchSize: number,
  ) {
    const timeScale = access.timeScale ?? 1;
    this.scheduler = new RateScheduler(deps.clock, scaledLimits(timeScale));
    this.batchSize = batchSize;
    this.requester = new Requester({
      client: new MissiveClient(access.apiBase, access.token, deps.fetch),
      scheduler: this.scheduler,
      clock: deps.clock,
      signal: this.controller.signal,
      rng: deps.rng,
      timeScale,
      stop: (state, reason) => this.stop(state, reason),
    });
  }

  stop(state: StopState | 'cancelled', reason: string): void {
    if (this.stopMessage !== null) return;
    this.stopMessage =
      state === 'needs-token'
        ? `Missive refused the token (${reason}). Verify your token, then import the contacts again.`
        : reason;
    this.controller.abort();
  }

  get stopped(): boolean {
    return this.stopMessage !== null;
  }

  dispose(): void {
    this.scheduler.dispose();
  }
}

export class ContactsImporter {
  readonly #deps: ContactsRun['deps'];
  #active: ContactsRun | null = null;

  constructor(deps: ContactsImporterDeps) {
    this.#deps = { clock: realClock, rng: Math.random, ...deps };
  }

  /** The contact books the token can see. */
  async listBooks(access: MissiveAccess): Promise<ContactBook[]> {
    const run = new ContactsRun(access, this.#deps, DEFAULT_CONTACTS_BATCH);
    try {
      const books: ContactBook[] = [];
      for (let offset = 0; ; offset += CONTACTS_PAGE) {
        const result = await run.requester.read<{ contact_books?: Partial<ContactBook>[] }>(
          `/contact_books?limit=${CONTACTS_PAGE}&offset=${offset}`,
        );
        if (!result.ok) throw new Error(run.stopMessage ?? result.message);
        const page = result.body?.contact_books ?? [];
        for (const book of page) {
          if (typeof book.id !== 'string') continue;
          books.push({ id: book.id, name: book.name || book.id, description: book.description || null });
        }
        if (page.length < CONTACTS_PAGE) return books;
      }
    } finally {
      run.dispose();
    }
  }

  /** Stops the running import after the requests in flight. */
  cancel(): void {
    this.#active?.stop('cancelled', 'Stopped. Run the contacts import again to continue.');
  }

  async run(
    contacts: readonly CustomerContact[],
    request: ContactsImportRequest,
    onProgress: (progress: ContactsImportProgress) => void = () => undefined,
  ): Promise<ContactsImportProgress> {
    if (this.#active) throw new Error('A contacts import is already running.');
    const size = Math.max(1, Math.min(request.batchSize ?? DEFAULT_CONTACTS_BATCH, 500));
    const run = new ContactsRun(request, this.#deps, size);
    this.#active = run;
    const { outcomes } = this.#deps;
    const book = request.contactBookId;
    const progress = (state: ContactsImportState) => progressOf(run, contacts.length, state);
    try {
      await outcomes.putRun({
        contactBookId: book,
        contactBookName: request.contactBookName ?? null,
        apiBase: request.apiBase,
        startedAt: this.#deps.clock.epochNow(),
        finishedAt: null,
      });
      const previous = await outcomes.getAll();
      const rows = new Map<string, ContactOutcome>();
      for (const contact of contacts) {
        const before = previous.get(contact.key);
        const row =
          before?.status === 'imported' && before.contactBookId === book
            ? before
            : this.#row(contact.key, book, 'pending', PENDING_CONTACT_REASON, {
                attempted: before?.contactBookId === book && before.attempted,
              });
        rows.set(contact.key, row);
        run.statuses.set(contact.key, row.status);
      }
      await this.#write(run, [...rows.values()]);
      onProgress(progress('reading-book'));

      const existing = await this.#readBook(run, book);
      if (!existing) return progress('stopped');
      run.existingInBook = existing.count;
      const toCreate: CustomerContact[] = [];
      const decided: ContactOutcome[] = [];
      for (const contact of contacts) {
        const row = rows.get(contact.key)!;
        if (row.status === 'imported') continue;
        if (!existing.index.matches(contact)) toCreate.push(contact);
        // A person found after our own request went unanswered is the copy we created.
        else if (row.attempted) decided.push(this.#row(contact.key, book, 'imported', null));
        else decided.push(this.#row(contact.key, book, 'skipped', ALREADY_IN_BOOK_REASON));
      }
      await this.#write(run, decided);
      onProgress(progress('sending'));

      for (let start = 0; start < toCreate.length && !run.stopped;) {
        const batch = toCreate.slice(start, start + run.batchSize);
        start += batch.length;
        if ((await this.#send(run, book, batch, 0)) === 'stopped') break;
        onProgress(progress('sending'));
      }
      const final = progress(run.stopped ? 'stopped' : 'finished');
      if (!run.stopped) {
        const meta = await outcomes.getRun();
        if (meta) await outcomes.putRun({ ...meta, finishedAt: this.#deps.clock.epochNow() });
      }
      onProgress(final);
      return final;
    } finally {
      run.dispose();
      this.#active = null;
    }
  }

  /** Sends one batch; splits it on a refusal; reads the book again when the outcome is unknown. */
  async #send(
    run: ContactsRun,
    book: string,
    batch: readonly CustomerContact[],
    unknownRetries: number,
  ): Promise<SentBatch> {
    if (batch.length === 0) return 'done';
    const waiting = (attempted: boolean) =>
      batch.map((c) => this.#row(c.key, book, 'pending', PENDING_CONTACT_REASON, { attempted }));
    // Recorded before the request leaves, like the ledger's in_flight (see #run).
    await this.#write(run, waiting(true));
    const body: MissiveContactsBody = { contacts: batch.map((c) => missiveContactInput(c, book)) };
    for (;;) {
      const sent = await run.requester.send<CreatedContacts>('POST', '/contacts', body);
      if (!sent.sent) {
        await this.#write(run, waiting(false)); // nothing left the browser
        return 'stopped';
      }
      const response = sent.response;
      if (response.ok) {
        run.bookTookContacts = true;
        const created = response.body?.contacts ?? [];
        const rows = batch.map((contact, i) =>
          this.#row(contact.key, book, 'imported', null, { missiveContactId: created[i]?.id ?? null }),
        );
        await this.#write(run, rows);
        return 'done';
      }
      switch (response.kind) {
        case 'rate_limited':
          continue; // not processed; the scheduler waits for Retry-After
        case 'unauthorized':
          run.stop('needs-token', response.message);
          return 'stopped';
        case 'forbidden':
          await this.#write(run, waiting(false));
          run.stop('blocked', bookRefusalMessage(response.message));
          return 'stopped';
        case 'cors':
          run.stop('blocked', response.message);
          return 'stopped';
        case 'server':
        case 'network':
          return this.#afterUnknownOutcome(run, book, batch, response.message, unknownRetries);
        default:
          return this.#afterRefusal(run, book, batch, response.status, response.message);
      }
    }
  }

  async #afterRefusal(
    run: ContactsRun,
    book: string,
    batch: readonly CustomerContact[],
    status: number,
    message: string,
  ): Promise<SentBatch> {
    const sizeLimit = looksLikeSizeLimit(status, message);
    if (batch.length === 1) {
      const contact = batch[0]!;
      if (!run.bookTookContacts && !sizeLimit) {
        run.loneRefusals.push({ status, message });
        if (this.#bookRefusesWrites(run)) {
          await this.#write(run, [this.#row(contact.key, book, 'pending', PENDING_CONTACT_REASON)]);
          await this.#writeBackRefusedAlone(run, book);
          run.stop('blocked', bookRefusalMessage(message));
          return 'stopped';
        }
      }
      await this.#write(run, [this.#row(contact.key, book, 'failed', message)]);
      return 'done';
    }
    if (sizeLimit) run.batchSize = Math.max(1, Math.floor(batch.length / 2));
    else if (!run.bookTookContacts) return this.#sendAlone(run, book, batch);
    const half = Math.ceil(batch.length / 2);
    if ((await this.#send(run, book, batch.slice(0, half), 0)) === 'stopped') return 'stopped';
    return this.#send(run, book, batch.slice(half), 0);
  }

  /**
   * A batch refused before the book took anything: contacts one at a time until one goes in (then
   * the rest is sent as a batch again) or two are refused alike (the book refuses writes).
   */
  async #sendAlone(run: ContactsRun, book: string, batch: readonly CustomerContact[]): Promise<SentBatch> {
    for (let i = 0; i < batch.length; i += 1) {
      if (run.bookTookContacts) return this.#send(run, book, batch.slice(i), 0);
      if ((await this.#send(run, book, [batch[i]!], 0)) === 'stopped') {
        await this.#write(
          run,
          batch.slice(i + 1).map((c) => this.#row(c.key, book, 'pending', PENDING_CONTACT_REASON)),
        );
        return 'stopped';
      }
    }
    return 'done';
  }

  /** Two lone refusals alike, or more with the same status (a message may name the contact). */
  #bookRefusesWrites(run: ContactsRun): boolean {
    const refusals = run.loneRefusals;
    const first = refusals[0];
    if (!first || !refusals.every((r) => r.status === first.status)) return false;
    const alike = refusals.every((r) => r.message === first.message);
    return refusals.length >= (alike ? LONE_REFUSALS_ALIKE : LONE_REFUSALS_SAME_STATUS);
  }

  /** The contacts refused alone before the book refused as a whole were not at fault: pending again. */
  async #writeBackRefusedAlone(run: ContactsRun, book: string): Promise<void> {
    const failed = [...run.statuses].filter(([, status]) => status === 'failed').map(([key]) => key);
    await this.#write(
      run,
      failed.map((key) => this.#row(key, book, 'pending', PENDING_CONTACT_REASON)),
    );
  }

  /** 5xx or no answer: the contacts may exist now. Read the book, then send only those it lacks. */
  async #afterUnknownOutcome(
    run: ContactsRun,
    book: string,
    batch: readonly CustomerContact[],
    message: string,
    retries: number,
  ): Promise<SentBatch> {
    const { clock, rng } = this.#deps;
    if (retries >= MAX_UNKNOWN_RETRIES) {
      await this.#write(
        run,
        batch.map((c) =>
          this.#row(c.key, book, 'pending', `${UNKNOWN_OUTCOME_REASON} (${message})`, { attempted: true }),
        ),
      );
      return 'done';
    }
    try {
      await clock.sleep(backoffDelay(retries, rng, run.requester.timeScale), run.controller.signal);
    } catch {
      return 'stopped';
    }
    const fresh = await this.#readBook(run, book);
    if (!fresh) return 'stopped';
    const arrived = batch.filter((contact) => fresh.index.matches(contact));
    await this.#write(
      run,
      arrived.map((contact) => this.#row(contact.key, book, 'imported', null)),
    );
    const missing = batch.filter((contact) => !fresh.index.matches(contact));
    return this.#send(run, book, missing, retries + 1);
  }

  /** Everyone in the book, a page at a time; null when the run stopped. */
  async #readBook(
    run: ContactsRun,
    book: string,
  ): Promise<{ index: ExistingContactIndex; count: number } | null> {
    const index = new ExistingContactIndex();
    let count = 0;
    for (let offset = 0; ; offset += CONTACTS_PAGE) {
      const path = `/contacts?contact_book=${encodeURIComponent(book)}&limit=${CONTACTS_PAGE}&offset=${offset}`;
      const result = await run.requester.read<{ contacts?: MissiveExistingContact[] }>(path);
      if (!result.ok) {
        run.stop('blocked', run.stopMessage ?? `Could not read the contact book: ${result.message}`);
        return null;
      }
      const page = result.body?.contacts ?? [];
      for (const contact of page) {
        index.add(contact);
        if (contact.deleted !== true) count += 1;
      }
      if (page.length < CONTACTS_PAGE) return { index, count };
    }
  }

  #row(
    key: string,
    contactBookId: string,
    status: ItemStatus,
    reason: string | null,
    extra: Partial<Pick<ContactOutcome, 'attempted' | 'missiveContactId'>> = {},
  ): ContactOutcome {
    return {
      key,
      status,
      reason,
      missiveContactId: extra.missiveContactId ?? null,
      contactBookId,
      attempted: extra.attempted ?? false,
      updatedAt: this.#deps.clock.epochNow(),
    };
  }

  async #write(run: ContactsRun, rows: readonly ContactOutcome[]): Promise<void> {
    for (let start = 0; start < rows.length; start += OUTCOME_WRITE_BATCH) {
      await this.#deps.outcomes.put(rows.slice(start, start + OUTCOME_WRITE_BATCH));
    }
    for (const row of rows) run.statuses.set(row.key, row.status);
  }
}

/** Why the run stopped on a book that takes no contacts: Missive's own words, then what to do. */
function bookRefusalMessage(missiveMessage: string): string {
  return `Missive refused to create contacts in this contact book (${missiveMessage}). ${READ_ONLY_BOOK_HINT}`;
}

/** A refusal that is about the request's size, not its content. */
export function looksLikeSizeLimit(status: number, message: string): boolean {
  if (status === 413) return true;
  if (status !== 400 && status !== 422) return false;
  return /too (large|long|many|big)|payload|exceed|maximum|limit|at most/i.test(message);
}

function progressOf(run: ContactsRun, total: number, state: ContactsImportState): ContactsImportProgress {
  const counts: Record<ItemStatus, number> = { imported: 0, skipped: 0, failed: 0, pending: 0 };
  for (const status of run.statuses.values()) counts[status] += 1;
  return {
    state,
    total,
    ...counts,
    existingInBook: run.existingInBook,
    requests: run.requester.sent,
    batchSize: run.batchSize,
    message: run.stopMessage,
  };
}
