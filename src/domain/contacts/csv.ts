/**
 * The contacts CSV, in the Google Contacts CSV layout (`First Name`, `Last Name`, `Notes`,
 * `E-mail 1 - Label`, `E-mail 1 - Value`, …, `Phone 1 - Label`, `Phone 1 - Value`, …): the layout
 * most contact importers recognise, and the one Google Contacts takes when a Missive contact book
 * is synced with Google. RFC 4180 with formula-injection protection (see report/csv.ts).
 */
import { ChunkBuffer } from '../report/chunks.ts';
import { csvRow } from '../report/csv.ts';
import type { CustomerContact } from './build.ts';

export const CONTACTS_CSV_LAYOUT = 'Google Contacts CSV';
export const CSV_EMAIL_LABEL = 'Other';
export const CSV_PHONE_LABEL = 'Mobile';
export const CONTACTS_CSV_NOTE = 'Imported from Front';
/** Google's separator for several values in one cell, used past the last column. */
export const MULTI_VALUE_SEPARATOR = ' ::: ';

export interface ContactsCsvOptions {
  /** Most email (and phone) column pairs; more values share the last cell. Default 5. */
  maxValueColumns?: number;
  /** Text for the Notes column. */
  note?: string;
  chunkSize?: number;
}

/** The header row's columns for this many email and phone pairs. */
export function contactsCsvColumns(emailColumns: number, phoneColumns: number): string[] {
  const columns = ['First Name', 'Last Name', 'Notes'];
  for (let i = 1; i <= emailColumns; i += 1) columns.push(`E-mail ${i} - Label`, `E-mail ${i} - Value`);
  for (let i = 1; i <= phoneColumns; i += 1) columns.push(`Phone ${i} - Label`, `Phone ${i} - Value`);
  return columns;
}

/** Yields the CSV in chunks: as many email and phone columns as the people need, at least one each. */
export async function* contactsCsvChunks(
  contacts: readonly CustomerContact[],
  options: ContactsCsvOptions = {},
): AsyncGenerator<string> {
  const maxColumns = options.maxValueColumns ?? 5;
  const note = options.note ?? CONTACTS_CSV_NOTE;
  const emailColumns = columnCount(
    contacts.map((contact) => contact.emails.length),
    maxColumns,
  );
  const phoneColumns = columnCount(
    contacts.map((contact) => contact.phones.length),
    maxColumns,
  );
  const buffer = new ChunkBuffer(options.chunkSize);
  buffer.push(csvRow(contactsCsvColumns(emailColumns, phoneColumns)));
  for (const contact of contacts) {
    const cells = [
      contact.firstName,
      contact.lastName,
      note,
      ...labelledValues(contact.emails, emailColumns, CSV_EMAIL_LABEL),
      ...labelledValues(contact.phones, phoneColumns, CSV_PHONE_LABEL),
    ];
    const chunk = buffer.push(csvRow(cells));
    if (chunk !== null) yield chunk;
  }
  const rest = buffer.flush();
  if (rest !== null) yield rest;
}

function columnCount(counts: number[], max: number): number {
  // A loop, not Math.max(...counts): spreading 100k arguments can overflow the stack.
  let needed = 1;
  for (const count of counts) if (count > needed) needed = count;
  return Math.min(max, needed);
}

/** Label/value pairs for `columns` columns; extra values join the last value cell. */
function labelledValues(values: readonly string[], columns: number, label: string): string[] {
  const cells: string[] = [];
  for (let i = 0; i < columns; i += 1) {
    const isLast = i === columns - 1;
    const value = isLast ? values.slice(i).join(MULTI_VALUE_SEPARATOR) : (values[i] ?? '');
    cells.push(value === '' ? '' : label, value);
  }
  return cells;
}
