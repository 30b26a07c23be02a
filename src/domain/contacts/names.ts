/**
 * People's names: cleaning what Front gives (`"Jane Doe" <jane@x.com>`, a handle used as a name)
 * and splitting a full name into first and last name for Missive and the contacts CSV.
 * Unicode-aware: letters of any script count, any Unicode space separates words.
 */
import { isRedacted, looksLikeEmail, looksLikePhone } from './handles.ts';

export interface PersonName {
  firstName: string;
  lastName: string;
}

/** Lowercase words that start a family name: "van Gogh", "de la Cruz", "al Said". */
const FAMILY_NAME_PARTICLES = new Set([
  'al',
  'ap',
  'bin',
  'binti',
  'da',
  'dal',
  'das',
  'de',
  'del',
  'della',
  'der',
  'di',
  'do',
  'dos',
  'du',
  'el',
  'ibn',
  'la',
  'le',
  'st.',
  'ten',
  'ter',
  'van',
  'von',
]);

/** Generational and academic suffixes, kept with the last name: "King Jr.". */
const NAME_SUFFIXES = new Set([
  'jr',
  'jr.',
  'sr',
  'sr.',
  'ii',
  'iii',
  'iv',
  'phd',
  'ph.d.',
  'md',
  'm.d.',
  'esq',
  'esq.',
]);

/** Company forms: such a "name" is an organisation, kept whole as the first name. */
const COMPANY_SUFFIXES = new Set([
  'inc',
  'inc.',
  'llc',
  'llc.',
  'ltd',
  'ltd.',
  'gmbh',
  'ag',
  'sa',
  's.a.',
  'sas',
  'sarl',
  'bv',
  'b.v.',
  'nv',
  'plc',
  'corp',
  'corp.',
  'co.',
  'oy',
  'ab',
  'as',
  'srl',
  's.r.l.',
  'spa',
  's.p.a.',
  'pty',
  'kk',
]);

/** Scripts that write the family name first (Chinese, Japanese, Korean). */
const FAMILY_NAME_FIRST_SCRIPT =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー・\s]+$/u;
const HAS_LETTER = /\p{L}/u;
const QUOTES = /^["'“”‘’«»]+|["'“”‘’«»]+$/gu;

/**
 * A display name as people write it: NFC, whitespace collapsed, wrapping quotes and a trailing
 * `<address>` removed. Null when nothing is left.
 */
export function cleanDisplayName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const cleaned = raw
    .normalize('NFC')
    .replace(/<[^<>]*>\s*$/u, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(QUOTES, '')
    .trim();
  return cleaned === '' ? null : cleaned;
}

/**
 * True when the text names a person rather than repeating a handle: it has a letter, it is not an
 * address, a number, `[REDACTED]`, or one of the person's own handles (or an address's local part).
 */
export function isRealName(name: string, ownHandles: readonly string[] = []): boolean {
  const cleaned = cleanDisplayName(name);
  if (cleaned === null || !HAS_LETTER.test(cleaned) || isRedacted(cleaned)) return false;
  if (looksLikeEmail(cleaned) || looksLikePhone(cleaned)) return false;
  const lower = cleaned.toLowerCase();
  // A lowercase local part ("jsmith" for jsmith@x.com) is the handle again; "John" for john@x.com is a name.
  return !ownHandles.some(
    (handle) => lower === handle.toLowerCase() || cleaned === handle.toLowerCase().split('@')[0],
  );
}

/**
 * Splits a full name: "Mary Ann Smith" → Mary Ann / Smith; "Ludwig van Beethoven" → Ludwig /
 * van Beethoven; "Smith, John" → John / Smith; "Martin Luther King Jr." → Martin Luther / King Jr.;
 * "山田 太郎" → 太郎 / 山田 (family name first); a single word or a company stays whole in firstName.
 */
export function splitPersonName(fullName: string): PersonName {
  const cleaned = cleanDisplayName(fullName);
  if (cleaned === null) return { firstName: '', lastName: '' };

  const commaParts = cleaned
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const suffixes: string[] = [];
  while (commaParts.length > 1 && isSuffix(commaParts[commaParts.length - 1] ?? '')) {
    suffixes.unshift(commaParts.pop() ?? '');
  }
  if (commaParts.length === 2) {
    // "Family, Given" as address books and exports often write it.
    return { firstName: commaParts[1] ?? '', lastName: joinWords([commaParts[0] ?? '', ...suffixes]) };
  }
  const words = [...commaParts.join(' ').split(' '), ...suffixes].filter((word) => word !== '');
  return splitWords(words);
}

function splitWords(words: string[]): PersonName {
  const last = words[words.length - 1] ?? '';
  if (words.length === 1 || COMPANY_SUFFIXES.has(last.toLowerCase())) {
    return { firstName: joinWords(words), lastName: '' };
  }
  if (FAMILY_NAME_FIRST_SCRIPT.test(words.join(' '))) {
    return { firstName: joinWords(words.slice(1)), lastName: words[0] ?? '' };
  }

  const trailingSuffixes: string[] = [];
  const core = [...words];
  while (core.length > 2 && isSuffix(core[core.length - 1] ?? '')) trailingSuffixes.unshift(core.pop() ?? '');

  // The family name starts at the first particle after the given name, else it is the last word.
  let familyStart = core.length - 1;
  for (let i = 1; i < core.length - 1; i += 1) {
    if (FAMILY_NAME_PARTICLES.has((core[i] ?? '').toLowerCase())) {
      familyStart = i;
      break;
    }
  }
  return {
    firstName: joinWords(core.slice(0, familyStart)),
    lastName: joinWords([...core.slice(familyStart), ...trailingSuffixes]),
  };
}

function isSuffix(word: string): boolean {
  return NAME_SUFFIXES.has(word.toLowerCase().replace(/,$/, ''));
}

function joinWords(words: string[]): string {
  return words
    .map((word) => word.replace(/,$/, ''))
    .filter((word) => word !== '')
    .join(' ');
}
