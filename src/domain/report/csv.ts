/**
 * RFC 4180 CSV cells, shared by the report CSV and the contacts CSV. Rows end in CRLF; a cell is
 * quoted when it holds a comma, a quote or a line break, with quotes doubled. A `;` or a tab is
 * quoted too: Excel in semicolon locales (and on tab-separated paste) splits an unquoted cell there,
 * and the piece after the separator becomes a cell of its own that the formula guard never saw.
 *
 * Formula injection: Front content is untrusted, and spreadsheets run a cell starting with `=`,
 * `+`, `-`, `@`, tab or CR as a formula. Such cells get a leading `'` (OWASP advice). A plain
 * number such as an E.164 phone `+15551234567` is left alone: a spreadsheet reads it as a number,
 * it cannot call anything, and prefixing it would corrupt phone numbers on import. The same holds for
 * a written-out phone number (`+1 (555) 123-4567 ext. 8`) and an email address (`+tag@example.com`),
 * alone or several joined by Google's ` ::: ` (contacts CSV): importers store the `'` as part of
 * the value, so these are never prefixed. Neither can hold a function call (no letters but an
 * extension mark in a phone; no parentheses, quotes, spaces or `|` in an address).
 */

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
/** A phone number as people write it: optional leading `+`, digits and separators, an extension. */
const PHONE_NUMBER = /^\+?[\d(][\d ()./-]*(?: ?(?:ext\.?|x|#) ?\d+)?$/i;
const MIN_PHONE_DIGITS = 5;
/** An addr-spec with an unquoted local part (RFC 5322 atext without `|`) and a dotted domain. */
const EMAIL_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
/** Google Contacts' separator for several values in one cell (see contacts/csv.ts). */
const VALUE_SEPARATOR = ' ::: ';

function isPhoneNumber(value: string): boolean {
  return PHONE_NUMBER.test(value) && (value.match(/\d/g)?.length ?? 0) >= MIN_PHONE_DIGITS;
}

/** A plain number, phone number or email address, or several joined by ` ::: `: data, not a formula. */
function isContactValue(value: string): boolean {
  return value
    .split(VALUE_SEPARATOR)
    .every((part) => PLAIN_NUMBER.test(part) || isPhoneNumber(part) || EMAIL_ADDRESS.test(part));
}
const NEEDS_QUOTES = /[",;\t\r\n]/;

export const CSV_LINE_END = '\r\n';

/** Prefixes `'` to a cell a spreadsheet would evaluate as a formula. */
export function protectFormula(value: string): string {
  const first = value.charAt(0);
  if (!FORMULA_TRIGGERS.has(first) || isContactValue(value)) return value;
  return `'${value}`;
}

/** One cell: formula-protected, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = protectFormula(String(value));
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row, with its CRLF. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + CSV_LINE_END;
}
