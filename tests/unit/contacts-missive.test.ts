import { describe, expect, it } from 'vitest';
import {
  ALREADY_IN_BOOK_REASON,
  ExistingContactIndex,
  contactReportItem,
  buildContactList,
  isAlreadyInBook,
  missiveContactPayloads,
  partitionByBook,
  type CustomerContact,
  type MissiveExistingContact,
} from '../../src/domain/contacts/index.ts';

const BOOK = 'book-123';

function person(i: number, overrides: Partial<CustomerContact> = {}): CustomerContact {
  return {
    key: `email:p${i}@example.com`,
    name: `Person ${i}`,
    firstName: 'Person',
    lastName: String(i),
    emails: [`p${i}@example.com`],
    phones: [],
    frontContactIds: [],
    ...overrides,
  };
}

describe('Missive contact payloads', () => {
  it('builds POST /contacts bodies in batches of 50 by default', () => {
    const people = Array.from({ length: 120 }, (_, i) => person(i));
    const batches = [...missiveContactPayloads(people, BOOK)];
    expect(batches.map((batch) => batch.body.contacts.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((batch) => batch.contactKeys)).toEqual(people.map((p) => p.key));
    expect([...missiveContactPayloads([], BOOK)]).toEqual([]);
  });

  it('gives each contact its book, names and infos in the documented shape', () => {
    const jane = person(1, {
      firstName: 'Jane',
      lastName: 'Doe',
      emails: ['jane@example.com', 'jd@work.example'],
      phones: ['+15551234567'],
    });
    const nameless = person(2, { name: null, firstName: '', lastName: '' });
    const [batch] = [...missiveContactPayloads([jane, nameless], BOOK, 10)];
    expect(batch?.body).toEqual({
      contacts: [
        {
          contact_book: BOOK,
          first_name: 'Jane',
          last_name: 'Doe',
          infos: [
            { kind: 'email', label: 'other', value: 'jane@example.com' },
            { kind: 'email', label: 'other', value: 'jd@work.example' },
            { kind: 'phone_number', label: 'mobile', value: '+15551234567' },
          ],
        },
        { contact_book: BOOK, infos: [{ kind: 'email', label: 'other', value: 'p2@example.com' }] },
      ],
    });
  });

  it('refuses a bad batch size or a missing book', () => {
    expect(() => [...missiveContactPayloads([person(1)], BOOK, 0)]).toThrow(RangeError);
    expect(() => [...missiveContactPayloads([person(1)], BOOK, 2.5)]).toThrow(RangeError);
    expect(() => [...missiveContactPayloads([person(1)], BOOK, 10_000)]).toThrow(RangeError);
    expect(() => [...missiveContactPayloads([person(1)], ' ')]).toThrow();
  });
});

describe('already in the contact book', () => {
  const existing: MissiveExistingContact[] = [
    { id: 'c1', infos: [{ kind: 'email', value: 'Jane@Example.com' }] },
    { id: 'c2', infos: [{ kind: 'phone_number', value: '+1 518 777-7777' }] },
    { id: 'c3', infos: [{ kind: 'phone_number', value: '020 7946 0000' }] },
    { id: 'c4', deleted: true, infos: [{ kind: 'email', value: 'gone@example.com' }] },
    {
      id: 'c5',
      infos: [
        { kind: 'twitter', value: '@someone' },
        { kind: 'email', value: null },
      ],
    },
    { id: 'c6' },
  ];

  it('matches by any email (case-insensitive) or any phone (whatever its format)', () => {
    expect(isAlreadyInBook(person(1, { emails: ['nope@x.com', 'jane@example.com'] }), existing)).toBe(true);
    expect(isAlreadyInBook(person(1, { emails: [], phones: ['+15187777777'] }), existing)).toBe(true);
    expect(isAlreadyInBook(person(1, { emails: [], phones: ['+442079460000'] }), existing)).toBe(true);
    expect(isAlreadyInBook(person(1, { emails: ['other@x.com'], phones: ['+15550000000'] }), existing)).toBe(
      false,
    );
  });

  it('ignores deleted contacts and never matches two different international numbers', () => {
    expect(isAlreadyInBook(person(1, { emails: ['gone@example.com'] }), existing)).toBe(false);
    expect(isAlreadyInBook(person(1, { emails: [], phones: ['+445187777777'] }), existing)).toBe(false);
  });

  it('makes a second import create nothing new', () => {
    const people = buildContactList({
      contacts: [
        { id: 'crd_1', name: 'Jane Doe', handles: [{ handle: 'jane@example.com', source: 'email' }] },
        { id: 'crd_2', name: 'Kim Park', handles: [{ handle: '+1 (555) 222-3333', source: 'phone' }] },
        { id: 'crd_3', name: 'Lou Reed', handles: [{ handle: 'lou@example.com', source: 'email' }] },
      ],
    });
    // First import into an empty book: everyone is created. Missive stores what we sent,
    // perhaps reformatted (as its own docs show phones: "+1 555 222-3333").
    const firstRun = partitionByBook(people, new ExistingContactIndex([]));
    expect(firstRun.toCreate).toHaveLength(3);
    const book: MissiveExistingContact[] = [...missiveContactPayloads(firstRun.toCreate, BOOK)]
      .flatMap((batch) => batch.body.contacts)
      .map((contact) => ({
        infos: contact.infos.map((info) => ({
          kind: info.kind,
          value: info.kind === 'phone_number' ? '+1 555 222-3333' : info.value.toUpperCase(),
        })),
      }));

    const secondRun = partitionByBook(people, new ExistingContactIndex(book));
    expect(secondRun.toCreate).toEqual([]);
    expect(secondRun.alreadyInBook).toHaveLength(3);
  });

  it('remembers contacts created in this session', () => {
    const index = new ExistingContactIndex();
    const jane = person(1);
    expect(index.matches(jane)).toBe(false);
    index.addCreated(jane);
    expect(isAlreadyInBook(jane, index)).toBe(true);
  });
});

describe('contacts in the report', () => {
  it('are items of kind contact keyed by the contact key, with no conversation', () => {
    expect(contactReportItem(person(1), 'skipped', ALREADY_IN_BOOK_REASON)).toEqual({
      kind: 'contact',
      frontId: 'email:p1@example.com',
      frontConversationId: null,
      status: 'skipped',
      reason: 'Already in the Missive contact book',
    });
    expect(contactReportItem(person(2), 'imported')).not.toHaveProperty('reason');
  });
});
