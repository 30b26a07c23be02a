/**
 * RFC 4180 CSV cells, shared by the report CSV and the contacts CSV. Rows end in CRLF; a cell is
 * quoted when it holds a comma, a quote or a line break, with quotes doubled. A `;` or a tab is
 * quoted too: Excel in semicolon locales (and on tab-separated paste) splits an unquoted cell there,
 * and the piece after the separator becomes a cell of its own that the formula guard never saw.
 *
 * Formula injection: Front content is untrusted, and spreadsheets run a cell starting with `=`,
 * `+`, `-`, `@`, tab or CR as a formula. Such cells get a leading `'` (OWASP advice). A plain
 * number such as an E.164 phone `+15551234567` is left alone: a spreadsheet reads it as a number,
 * it cannot call anything, and prefixing it would corrupt phone numbers on import.
 */

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const NEEDS_QUOTES = /[",;\t\r\n]/;

export const CSV_LINE_END = '\r\n';

/** Prefixes `'` to a cell a spreadsheet would evaluate as a formula. */
export function protectFormula(value: string): string {
  const first = value.charAt(0);
  if (!FORMULA_TRIGGERS.has(first) || PLAIN_NUMBER.test(value)) return value;
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
