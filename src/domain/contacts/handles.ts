/**
 * Email addresses and phone numbers, normalised so that the same person written two ways is
 * recognised: `Jane@Example.com ` = `jane@example.com`, `+1 (555) 123-4567` = `+15551234567`.
 */

export type HandleKind = 'email' | 'phone';

/** `email:<normalised address>` or `phone:<normalised number>`: one key space for both kinds. */
export type HandleId = `email:${string}` | `phone:${string}`;

export interface PhoneOptions {
  /**
   * Country calling code (digits, e.g. `'1'`, `'44'`) for numbers written without one. Without it
   * such numbers keep their national digits and no `+`: guessing a country would invent data.
   * (Front itself stores phone handles in E.164, so this matters mostly for hand-typed numbers.)
   */
  defaultCountryCode?: string;
}

const EMAIL_SHAPE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:".]+$/u;
const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+$/;
const PHONE_EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d{1,6}$/i;
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15; // E.164 maximum
const REDACTED_MARK = /\[redacted\]/i;

/** Front replaces tweet handles and content with `[REDACTED]`: never a contact. */
export function isRedacted(text: string): boolean {
  return REDACTED_MARK.test(text);
}

/** Lowercased, trimmed address; `mailto:` and `Name <…>` wrappers removed; null when not an email. */
export function normalizeEmail(raw: string): string | null {
  if (isRedacted(raw)) return null;
  let text = raw.normalize('NFC').trim();
  const bracketed = /<([^<>]*)>\s*$/.exec(text);
  if (bracketed?.[1] !== undefined) text = bracketed[1].trim();
  text = text
    .replace(/^mailto:/i, '')
    .replace(/\.$/, '')
    .toLowerCase();
  return EMAIL_SHAPE.test(text) ? text : null;
}

/**
 * E.164-like `+<digits>` (or national digits, see PhoneOptions); null when not a phone number.
 * Handles spaces, dots, dashes, brackets, a `(0)` trunk marker, `00` international prefix,
 * `tel:` and a trailing extension (dropped: it does not identify the person).
 */
export function normalizePhone(raw: string, options: PhoneOptions = {}): string | null {
  if (isRedacted(raw)) return null;
  // NFKC turns full-width digits and plus signs into ASCII.
  const text = raw.normalize('NFKC').trim().replace(/^tel:/i, '').replace(PHONE_EXTENSION, '');
  if (!PHONE_CHARACTERS.test(text)) return null;

  let digits: string;
  let international = true;
  if (text.startsWith('+')) {
    digits = text.replace(/\(0\)/g, '').replace(/\D/g, '');
  } else {
    digits = text.replace(/\D/g, '');
    if (digits.startsWith('00')) digits = digits.slice(2);
    else if (options.defaultCountryCode) digits = withCountryCode(digits, options.defaultCountryCode);
    else international = false;
  }
  if (digits.length < MIN_PHONE_DIGITS || digits.length > MAX_PHONE_DIGITS) return null;
  return international ? `+${digits}` : digits;
}

function withCountryCode(nationalDigits: string, countryCode: string): string {
  const code = countryCode.replace(/\D/g, '');
  // North America writes its trunk prefix `1`, which is also the country code.
  if (code === '1' && nationalDigits.length === 11 && nationalDigits.startsWith('1')) return nationalDigits;
  // Most other countries dial a trunk `0` nationally that E.164 drops.
  return code + nationalDigits.replace(/^0+/, '');
}

export function looksLikeEmail(text: string): boolean {
  return normalizeEmail(text) !== null;
}

export function looksLikePhone(text: string): boolean {
  return normalizePhone(text) !== null;
}

export function handleId(kind: HandleKind, normalised: string): HandleId {
  return kind === 'email' ? `email:${normalised}` : `phone:${normalised}`;
}

/** Splits a HandleId back into its kind and value. */
export function parseHandleId(id: HandleId): { kind: HandleKind; value: string } {
  return id.startsWith('email:')
    ? { kind: 'email', value: id.slice(6) }
    : { kind: 'phone', value: id.slice(6) };
}

/**
 * Normalises a handle of the given kinds; emails are tried first because an address is never
 * mistaken for a number, while a numeric ID (Facebook, Intercom) can look like a phone.
 */
export function normalizeHandle(
  raw: string,
  accept: readonly HandleKind[],
  options: PhoneOptions = {},
): HandleId | null {
  if (accept.includes('email')) {
    const email = normalizeEmail(raw);
    if (email !== null) return handleId('email', email);
  }
  if (accept.includes('phone')) {
    const phone = normalizePhone(raw, options);
    if (phone !== null) return handleId('phone', phone);
  }
  return null;
}
