/**
 * Contacts for Missive's API (missive-api.md §7): `POST /contacts` bodies in batches, and the
 * check against a contact book's existing contacts (`GET /contacts?contact_book=…`) that makes a
 * second import create nothing new.
 */
import type { CustomerContact } from './build.ts';
import { normalizeEmail, normalizePhone, type PhoneOptions } from './handles.ts';

/** Labels Missive documents for email and phone infos; the export says nothing more specific. */
export const MISSIVE_EMAIL_LABEL = 'other';
/** Phone handles in Front come from SMS and WhatsApp, so they are mobile numbers. */
export const MISSIVE_PHONE_LABEL = 'mobile';
/** The reference recommends moderate batches; Missive documents no maximum. */
export const DEFAULT_CONTACT_BATCH_SIZE = 50;
const MAX_CONTACT_BATCH_SIZE = 500;

export interface MissiveContactInfo {
  kind: 'email' | 'phone_number';
  label: string;
  value: string;
}

export interface MissiveNewContact {
  contact_book: string;
  first_name?: string;
  last_name?: string;
  infos: MissiveContactInfo[];
}

/** The body of one `POST /contacts`. */
export interface MissiveContactsBody {
  contacts: MissiveNewContact[];
}

/** One request's worth: the body, and which people it creates (in the same order) for the report. */
export interface MissiveContactBatch {
  contactKeys: string[];
  body: MissiveContactsBody;
}

/** A contact as `GET /contacts` returns it; only the fields the match needs. */
export interface MissiveExistingContact {
  id?: string;
  deleted?: boolean;
  infos?: readonly { kind: string; value?: string | null; address?: string | null }[] | null;
}

export function missiveContactInput(contact: CustomerContact, contactBookId: string): MissiveNewContact {
  const input: MissiveNewContact = { contact_book: contactBookId, infos: [] };
  if (contact.firstName !== '') input.first_name = contact.firstName;
  if (contact.lastName !== '') input.last_name = contact.lastName;
  for (const email of contact.emails)
    input.infos.push({ kind: 'email', label: MISSIVE_EMAIL_LABEL, value: email });
  for (const phone of contact.phones) {
    input.infos.push({ kind: 'phone_number', label: MISSIVE_PHONE_LABEL, value: phone });
  }
  return input;
}

/** Bodies for `POST /contacts`, `batchSize` contacts each (the last one may be smaller). */
export function* missiveContactPayloads(
  contacts: Iterable<CustomerContact>,
  contactBookId: string,
  batchSize: number = DEFAULT_CONTACT_BATCH_SIZE,
): Generator<MissiveContactBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_CONTACT_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_CONTACT_BATCH_SIZE}`);
  }
  if (contactBookId.trim() === '') throw new Error('A contact book is required');
  let batch: MissiveContactBatch = { contactKeys: [], body: { contacts: [] } };
  for (const contact of contacts) {
    batch.contactKeys.push(contact.key);
    batch.body.contacts.push(missiveContactInput(contact, contactBookId));
    if (batch.body.contacts.length === batchSize) {
      yield batch;
      batch = { contactKeys: [], body: { contacts: [] } };
    }
  }
  if (batch.body.contacts.length > 0) yield batch;
}

/**
 * The emails and phone numbers already in a contact book, normalised like ours. Phone numbers
 * people typed in Missive may lack a country code, so a national number also matches an
 * international one that ends with it (never two different international numbers).
 */
export class ExistingContactIndex {
  private readonly emails = new Set<string>();
  private readonly internationalPhones = new Set<string>();
  /** National digits (no trunk zeros) of numbers stored without a country code. */
  private readonly nationalPhones = new Set<string>();
  /** The same, derived from stored international numbers by dropping a 1–3 digit country code. */
  private readonly nationalFormsOfInternational = new Set<string>();

  constructor(
    existing: Iterable<MissiveExistingContact> = [],
    private readonly options: PhoneOptions = {},
  ) {
    for (const contact of existing) this.add(contact);
  }

  /** Adds a contact from `GET /contacts` (call it for every page). Deleted contacts are ignored. */
  add(contact: MissiveExistingContact): void {
    if (contact.deleted === true) return;
    for (const info of contact.infos ?? []) {
      const raw = info.value ?? info.address;
      if (!raw) continue;
      if (info.kind === 'email') this.addEmail(raw);
      else if (info.kind === 'phone_number') this.addPhone(raw);
    }
  }

  /** Records a contact just created, so a retry in the same session does not create it again. */
  addCreated(contact: CustomerContact): void {
    for (const email of contact.emails) this.addEmail(email);
    for (const phone of contact.phones) this.addPhone(phone);
  }

  /** True when any of the person's emails or phone numbers is already in the book. */
  matches(candidate: Pick<CustomerContact, 'emails' | 'phones'>): boolean {
    return (
      candidate.emails.some((email) => this.hasEmail(email)) || candidate.phones.some((p) => this.hasPhone(p))
    );
  }

  private addEmail(raw: string): void {
    const email = normalizeEmail(raw);
    if (email !== null) this.emails.add(email);
  }

  private addPhone(raw: string): void {
    const phone = normalizePhone(raw, this.options);
    if (phone === null) return;
    if (phone.startsWith('+')) {
      this.internationalPhones.add(phone);
      for (const national of nationalForms(phone)) this.nationalFormsOfInternational.add(national);
    } else {
      this.nationalPhones.add(withoutTrunkZeros(phone));
    }
  }

  private hasEmail(raw: string): boolean {
    const email = normalizeEmail(raw);
    return email !== null && this.emails.has(email);
  }

  private hasPhone(raw: string): boolean {
    const phone = normalizePhone(raw, this.options);
    if (phone === null) return false;
    if (phone.startsWith('+')) {
      return (
        this.internationalPhones.has(phone) || nationalForms(phone).some((n) => this.nationalPhones.has(n))
      );
    }
    const national = withoutTrunkZeros(phone);
    return this.nationalPhones.has(national) || this.nationalFormsOfInternational.has(national);
  }
}

/**
 * True when Missive's book already has this person (any email or phone in common).
 * Pass an ExistingContactIndex when checking many candidates: a plain list is indexed on each call.
 */
export function isAlreadyInBook(
  candidate: Pick<CustomerContact, 'emails' | 'phones'>,
  existing: ExistingContactIndex | Iterable<MissiveExistingContact>,
  options: PhoneOptions = {},
): boolean {
  const index =
    existing instanceof ExistingContactIndex ? existing : new ExistingContactIndex(existing, options);
  return index.matches(candidate);
}

/** Splits the list into the people to create and those the book already has. */
export function partitionByBook(
  contacts: Iterable<CustomerContact>,
  index: ExistingContactIndex,
): { toCreate: CustomerContact[]; alreadyInBook: CustomerContact[] } {
  const toCreate: CustomerContact[] = [];
  const alreadyInBook: CustomerContact[] = [];
  for (const contact of contacts) (index.matches(contact) ? alreadyInBook : toCreate).push(contact);
  return { toCreate, alreadyInBook };
}

const MIN_NATIONAL_DIGITS = 7;

/** `+15551234567` → the national numbers it could be written as: `5551234567`, `551234567`, … */
function nationalForms(international: string): string[] {
  const digits = international.slice(1);
  const forms: string[] = [];
  for (let codeLength = 1; codeLength <= 3; codeLength += 1) {
    const national = digits.slice(codeLength);
    if (national.length >= MIN_NATIONAL_DIGITS) forms.push(national);
  }
  return forms;
}

function withoutTrunkZeros(national: string): string {
  return national.replace(/^0+/, '');
}
