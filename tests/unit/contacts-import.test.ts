/**
 * The direct contacts import against the Missive sandbox over HTTP (compressed windows): contacts
 * built from a generated export, imported into a contact book twice (nothing duplicated), with a
 * payload limit that forces the batch to halve, answers lost after the write, a contact Missive
 * refuses, and contacts already in the book. Then the report lists them (kind `contact`).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContactListFromStore } from '../../src/adapters/report/contact-list.ts';
import { ContactOutcomeStore } from '../../src/adapters/report/contact-outcomes.ts';
import { ContactsImporter, looksLikeSizeLimit } from '../../src/adapters/report/contacts-import.ts';
import { createReportApi } from '../../src/adapters/report/report-api.ts';
import { IndexBatch } from '../../src/adapters/store.ts';
import type { CustomerContact } from '../../src/domain/contacts/build.ts';
import { ALREADY_IN_BOOK_REASON } from '../../src/domain/contacts/report-items.ts';
import { normalizeEmail } from '../../src/domain/contacts/handles.ts';
import type { StoredContact } from '../../testbed/missive-sandbox/server.ts';
import { TEST_TIME_SCALE, generate, startEngineBed, type EngineBed } from '../support/engine-fixtures.ts';

let bed: EngineBed | null = null;
let outcomes: ContactOutcomeStore | null = null;
let dbName = '';
let count = 0;

afterEach(async () => {
  outcomes?.close();
  outcomes = null;
  if (dbName) await ContactOutcomeStore.destroy(dbName);
  await bed?.close();
  bed = null;
});

async function setUp(options: Parameters<typeof startEngineBed>[1] = {}): Promise<{
  contacts: CustomerContact[];
  importer: ContactsImporter;
  book: string;
}> {
  const { paths } = await generate(41, 30);
  bed = await startEngineBed(paths, options);
  dbName = `contacts-${process.pid}-${++count}`;
  outcomes = await ContactOutcomeStore.open(dbName);
  const contacts = await buildContactListFromStore(bed.store);
  const importer = new ContactsImporter({ outcomes });
  const book = bed.sandbox.snapshot().contactBooks[0]!.id;
  return { contacts, importer, book };
}

function access(engineBed: EngineBed) {
  return { token: engineBed.sandbox.token, apiBase: engineBed.sandbox.url, timeScale: TEST_TIME_SCALE };
}

/** Handles (emails, phones) held by more than one contact of the book: duplicates. */
function duplicatedHandles(stored: readonly StoredContact[]): string[] {
  const seen = new Map<string, number>();
  for (const contact of stored) {
    const infos = (contact.infos ?? []) as { kind: string; value: string }[];
    for (const info of infos) {
      const key = info.kind === 'email' ? (normalizeEmail(info.value) ?? info.value) : info.value;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Once the book is read (GET /contacts shares the path), Missive refuses the next `count` POSTs. */
/** Refuses the next `count` POSTs once `batchesFirst` batches went in (0: from the first one). */
function refuseOnceSending(engineBed: EngineBed, count: number, batchesFirst = 0) {
  let injected = false;
  let sendingEvents = 0;
  return (progress: { state: string }) => {
    if (injected || progress.state !== 'sending' || sendingEvents++ < batchesFirst) return;
    injected = true;
    engineBed.sandbox.injectResponses({ status: 422, count, paths: /^\/v1\/contacts$/ });
  };
}

function posts(engineBed: EngineBed): number {
  return engineBed.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v1/contacts').length;
}

describe('contacts: direct import into a Missive contact book', () => {
  it('lists the contact books', async () => {
    const { importer } = await setUp();
    const books = await importer.listBooks(access(bed!));
    expect(books).toEqual([
      { id: expect.any(String), name: 'Sandbox contacts', description: expect.any(String) },
    ]);
  });

  it('imports everyone once; a second import creates nothing and keeps them imported', async () => {
    const { contacts, importer, book } = await setUp();
    expect(contacts.length).toBeGreaterThan(10);
    const first = await importer.run(contacts, { ...access(bed!), contactBookId: book, batchSize: 50 });
    expect(first).toMatchObject({ state: 'finished', imported: contacts.length, failed: 0, pending: 0 });
    const stored = bed!.sandbox.snapshot().contacts;
    expect(stored).toHaveLength(contacts.length);
    expect(duplicatedHandles(stored)).toEqual([]);
    expect(posts(bed!)).toBe(Math.ceil(contacts.length / 50));
    // What Missive received: names and every email and phone number of each person.
    const person = contacts.find((c) => c.firstName && c.emails.length > 0)!;
    const copy = stored.find((c) =>
      ((c.infos ?? []) as { value: string }[]).some((info) => info.value === person.emails[0]),
    );
    expect(copy).toMatchObject({ contact_book: book, first_name: person.firstName });

    const second = await importer.run(contacts, { ...access(bed!), contactBookId: book });
    expect(second).toMatchObject({ state: 'finished', imported: contacts.length, skipped: 0 });
    expect(bed!.sandbox.snapshot().contacts).toHaveLength(contacts.length);
    expect(posts(bed!)).toBe(Math.ceil(contacts.length / 50));
    const row = await outcomes!.get(person.key);
    expect(row).toMatchObject({ status: 'imported', contactBookId: book, missiveContactId: copy!.id });
  }, 60_000);

  it('skips people the book already has (by email or phone), and says so', async () => {
    const { contacts, importer, book } = await setUp();
    const withEmail = contacts.find((c) => c.emails.length > 0)!;
    const withPhone = contacts.find((c) => c.phones.length > 0 && c.emails.length === 0)!;
    // Typed by hand in Missive: other case, a national number.
    const response = await fetch(`${bed!.sandbox.url}/contacts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bed!.sandbox.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        contacts: [
          {
            contact_book: book,
            infos: [{ kind: 'email', label: 'work', value: withEmail.emails[0]!.toUpperCase() }],
          },
          {
            contact_book: book,
            infos: [{ kind: 'phone_number', label: 'mobile', value: withPhone.phones[0]! }],
          },
        ],
      }),
    });
    expect(response.status).toBe(201);
    const result = await importer.run(contacts, { ...access(bed!), contactBookId: book });
    expect(result).toMatchObject({
      state: 'finished',
      skipped: 2,
      imported: contacts.length - 2,
      existingInBook: 2,
    });
    expect(await outcomes!.get(withEmail.key)).toMatchObject({
      status: 'skipped',
      reason: ALREADY_IN_BOOK_REASON,
    });
    expect(duplicatedHandles(bed!.sandbox.snapshot().contacts)).toEqual([]);
  }, 60_000);

  it('halves the batch when Missive refuses it as too large', async () => {
    const { contacts, importer, book } = await setUp({ faults: { maxBodyBytes: 4000 } });
    const result = await importer.run(contacts, { ...access(bed!), contactBookId: book, batchSize: 200 });
    expect(result).toMatchObject({ state: 'finished', imported: contacts.length, failed: 0 });
    expect(result.batchSize).toBeLessThan(50);
    const statuses = bed!.sandbox.requests().filter((r) => r.path === '/v1/contacts' && r.method === 'POST');
    expect(statuses.some((r) => r.status === 413)).toBe(true);
    expect(bed!.sandbox.snapshot().contacts).toHaveLength(contacts.length);
  }, 60_000);

  it('answers lost after the write: reads the book again and creates nothing twice', async () => {
    const { contacts, importer, book } = await setUp();
    bed!.sandbox.injectResponses({ status: 502, count: 2, paths: /^\/v1\/contacts$/, afterWrite: true });
    bed!.sandbox.injectResponses({ status: 0, count: 1, paths: /^\/v1\/contacts$/, afterWrite: true });
    const result = await importer.run(contacts, { ...access(bed!), contactBookId: book, batchSize: 10 });
    expect(result).toMatchObject({ state: 'finished', imported: contacts.length, failed: 0, pending: 0 });
    const stored = bed!.sandbox.snapshot().contacts;
    expect(stored).toHaveLength(contacts.length);
    expect(duplicatedHandles(stored)).toEqual([]);
  }, 60_000);

  it('a contact Missive refuses fails alone with Missive’s text; the rest of its batch goes in', async () => {
    const { contacts, importer, book } = await setUp();
    // After the first batch went in, refuse the 2nd POST, then the halves' first ones: 8 → 4 → 2 → 1.
    const result = await importer.run(
      contacts,
      { ...access(bed!), contactBookId: book, batchSize: 8 },
      refuseOnceSending(bed!, 4, 1),
    );
    expect(result).toMatchObject({ state: 'finished', failed: 1, imported: contacts.length - 1 });
    expect(bed!.sandbox.snapshot().contacts).toHaveLength(contacts.length - 1);
    const failed = await outcomes!.get(contacts[8]!.key);
    expect(failed).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^HTTP 422/) });
  }, 60_000);

  it('before the book took anyone, a refused batch goes one by one: one refused contact fails alone', async () => {
    const { contacts, importer, book } = await setUp();
    // The first batch, then its first contact alone: the second contact goes in, so the book takes
    // writes and the rest of the batch goes together again.
    const result = await importer.run(
      contacts,
      { ...access(bed!), contactBookId: book, batchSize: 8 },
      refuseOnceSending(bed!, 2),
    );
    expect(result).toMatchObject({ state: 'finished', failed: 1, imported: contacts.length - 1 });
    expect(await outcomes!.get(contacts[0]!.key)).toMatchObject({ status: 'failed' });
    // 8 refused, 1 refused, 1 in, the other 6 together, then batches of 8.
    expect(posts(bed!)).toBe(4 + Math.ceil((contacts.length - 8) / 8));
  }, 60_000);

  for (const status of [403, 400, 422] as const) {
    it(`a synced (read-only) book refusing writes with ${status} stops at once with Missive’s message`, async () => {
      const { contacts, importer } = await setUp({ syncedContactBookRefusal: status });
      const books = await importer.listBooks(access(bed!));
      const synced = books.find((b) => b.name === 'Google contacts')!;
      expect(synced).toBeDefined();
      const result = await importer.run(contacts, {
        ...access(bed!),
        contactBookId: synced.id,
        batchSize: 200,
      });
      expect(result).toMatchObject({ state: 'stopped', imported: 0, failed: 0, pending: contacts.length });
      expect(result.message).toContain('synced with Google: contacts cannot be created through the API');
      expect(result.message).toContain('Google Contacts');
      // One refusal (403), or the batch and two contacts alone refused alike: not ~2 per contact.
      expect(posts(bed!)).toBe(status === 403 ? 1 : 3);
      expect(bed!.sandbox.snapshot().contacts).toHaveLength(0);
      const rows = await Promise.all(contacts.map((c) => outcomes!.get(c.key)));
      expect(rows.every((row) => row?.status === 'pending' && !row.attempted)).toBe(true);
    }, 60_000);
  }

  it('stops on a revoked token and resumes without duplicates', async () => {
    const { contacts, importer, book } = await setUp();
    bed!.sandbox.injectResponses({ status: 401, count: 1, paths: /^\/v1\/contacts$/ });
    const stopped = await importer.run(contacts, { ...access(bed!), contactBookId: book, batchSize: 20 });
    expect(stopped.state).toBe('stopped');
    expect(stopped.message).toMatch(/token/);
    const again = await importer.run(contacts, { ...access(bed!), contactBookId: book, batchSize: 20 });
    expect(again).toMatchObject({ state: 'finished', imported: contacts.length });
    expect(duplicatedHandles(bed!.sandbox.snapshot().contacts)).toEqual([]);
  }, 60_000);

  it('the report lists the contacts once imported (kind contact), with the same status rules', async () => {
    const { contacts, importer, book } = await setUp();
    const api = createReportApi({
      exportDbName: bed!.store.name,
      ledgerDbName: bed!.ledger.name,
      contactsDbName: dbName,
    });
    const before = await api.view({ secrets: [], apiBase: bed!.sandbox.url }, true);
    expect(before.summary.totals.contact.found).toBe(0);
    // One batch of everyone, then the first contact alone, are refused; the second alone goes in.
    await importer.run(
      contacts,
      { ...access(bed!), contactBookId: book, batchSize: 64 },
      refuseOnceSending(bed!, 2),
    );
    const after = await api.view({ secrets: [], apiBase: bed!.sandbox.url }, false);
    expect(after.violations).toEqual([]);
    expect(after.summary.totals.contact).toEqual({
      found: contacts.length,
      imported: contacts.length - 1,
      skipped: 0,
      failed: 1,
      pending: 0,
    });
    const page = await api.page({ kind: 'contact', status: 'failed' }, 0, 10);
    expect(page.items).toEqual([
      {
        kind: 'contact',
        frontId: contacts[0]!.key,
        frontConversationId: null,
        status: 'failed',
        reason: expect.stringMatching(/^HTTP 422/),
      },
    ]);
    const csv = await (await api.contactsCsv(null)).blob!.text();
    expect(csv.split('\r\n')[0]).toContain('First Name,Last Name');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(contacts.length + 1);
  }, 60_000);
});

describe('contacts: the list from the export index', () => {
  it('merges a Front contact object with the recipients it names; the team’s own addresses stay out', async () => {
    const { contacts: before } = await setUp();
    const person = before.find((c) => c.emails.length > 0 && c.phones.length === 0)!;
    const batch = new IndexBatch();
    batch.addContact({
      id: 'crd_ada',
      name: 'Ada Lovelace',
      handles: [
        { handle: person.emails[0]!.toUpperCase(), source: 'email' },
        { handle: '+1 (555) 000-9999', source: 'phone' },
      ],
    });
    // An address that turns out to be a teammate's is the team's own: never a customer.
    const teammate = before.find((c) => c !== person && c.emails.length === 1 && c.phones.length === 0)!;
    batch.addTeammate({ id: 'tea_1', email: teammate.emails[0]!, name: 'Owner' });
    await bed!.store.writeBatch(batch);
    const after = await buildContactListFromStore(bed!.store);
    expect(after).toHaveLength(before.length - 1);
    expect(after.find((c) => c.frontContactIds.includes('crd_ada'))).toMatchObject({
      name: 'Ada Lovelace',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emails: [person.emails[0]],
      phones: ['+15550009999'],
    });
    expect(after.some((c) => c.emails.includes(teammate.emails[0]!))).toBe(false);
  }, 60_000);
});

describe('contacts: size-limit refusals', () => {
  it('tells a size limit from a refused contact', () => {
    expect(looksLikeSizeLimit(413, 'HTTP 413')).toBe(true);
    expect(looksLikeSizeLimit(400, 'HTTP 400: too many contacts (maximum 100)')).toBe(true);
    expect(looksLikeSizeLimit(422, 'HTTP 422: infos[0].kind must be one of email, …')).toBe(false);
    expect(looksLikeSizeLimit(404, 'HTTP 404: payload')).toBe(false);
  });
});
