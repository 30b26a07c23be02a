/**
 * MIME encoders: base64 (RFC 2045, wrapped at 76), quoted-printable (RFC 2045), encoded-words
 * (RFC 2047), extended parameters (RFC 2231) and header folding (RFC 5322 §2.2.3).
 * Everything here produces ASCII output with CRLF line breaks.
 */
import { CR, LF, utf8 } from './bytes.ts';

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CODES = Uint8Array.from(BASE64_ALPHABET, (char) => char.charCodeAt(0));
const PAD = 0x3d; // '='

/** RFC 2045 §6.8: encoded lines are at most 76 characters. */
export const BASE64_LINE_LENGTH = 76;

/**
 * Base64 straight into bytes, CRLF every `lineLength` characters (no trailing CRLF).
 * Written as a table loop over a pre-sized buffer: megabytes encode in milliseconds, with no
 * intermediate strings. `lineLength` 0 means one unbroken line.
 */
export function base64Encode(data: Uint8Array, lineLength = BASE64_LINE_LENGTH): Uint8Array {
  const groups = Math.ceil(data.length / 3);
  const groupsPerLine = lineLength > 0 ? Math.floor(lineLength / 4) : Infinity;
  const lineBreaks = groups > 0 && groupsPerLine !== Infinity ? Math.ceil(groups / groupsPerLine) - 1 : 0;
  const out = new Uint8Array(groups * 4 + lineBreaks * 2);
  let o = 0;
  let i = 0;
  for (let group = 0; group < groups; group++) {
    if (group > 0 && group % groupsPerLine === 0) {
      out[o++] = CR;
      out[o++] = LF;
    }
    const remaining = data.length - i;
    const b0 = data[i]!;
    const b1 = remaining > 1 ? data[i + 1]! : 0;
    const b2 = remaining > 2 ? data[i + 2]! : 0;
    const triple = (b0 << 16) | (b1 << 8) | b2;
    out[o++] = BASE64_CODES[triple >>> 18]!;
    out[o++] = BASE64_CODES[(triple >>> 12) & 63]!;
    out[o++] = remaining > 1 ? BASE64_CODES[(triple >>> 6) & 63]! : PAD;
    out[o++] = remaining > 2 ? BASE64_CODES[triple & 63]! : PAD;
    i += 3;
  }
  return out;
}

/** Unwrapped base64 as a string, for short values (encoded-words). */
export function base64String(data: Uint8Array): string {
  return String.fromCharCode(...base64Encode(data, 0));
}

const HEX = '0123456789ABCDEF';
const HEX_CODES = Uint8Array.from(HEX, (char) => char.charCodeAt(0));
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const DOT = 0x2e;
/** RFC 2045 §6.7 rule 5: at most 76 characters per encoded line, the soft-break `=` included. */
const QP_MAX_LINE = 76;

/**
 * Quoted-printable of UTF-8 bytes whose line breaks are already CRLF (they stay hard breaks).
 * Beyond RFC 2045, a `.` or the `F` of `From ` at the start of a line is encoded as well: the
 * message then survives SMTP dot-stuffing and mbox `From ` quoting even in careless tools.
 */
export function quotedPrintableEncode(data: Uint8Array): Uint8Array {
  // Worst case: every byte becomes `=XX`, plus a 3-byte soft break every 24 escapes.
  const out = new Uint8Array(data.length * 3 + Math.ceil((data.length * 3) / (QP_MAX_LINE - 3)) * 3 + 3);
  let o = 0;
  let column = 0;

  const softBreakIfNeeded = (width: number, isLastOnLine: boolean) => {
    // The last token of a line may use column 76; others leave room for the `=` soft break.
    const limit = isLastOnLine ? QP_MAX_LINE : QP_MAX_LINE - 1;
    if (column + width > limit) {
      out[o++] = EQUALS;
      out[o++] = CR;
      out[o++] = LF;
      column = 0;
    }
  };

  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === CR && data[i + 1] === LF) {
      out[o++] = CR;
      out[o++] = LF;
      column = 0;
      i++;
      continue;
    }
    const endsLine = i + 1 === data.length || (data[i + 1] === CR && data[i + 2] === LF);
    const isPrintable = byte >= 33 && byte <= 126 && byte !== EQUALS;
    const isInnerWhitespace = (byte === SPACE || byte === TAB) && !endsLine;
    let literal = isPrintable || isInnerWhitespace;
    if (literal) {
      softBreakIfNeeded(1, endsLine);
      if (column === 0 && (byte === DOT || (byte === 0x46 && startsWithFromSpace(data, i)))) literal = false;
    }
    if (literal) {
      out[o++] = byte;
      column += 1;
    } else {
      softBreakIfNeeded(3, endsLine);
      out[o++] = EQUALS;
      out[o++] = HEX_CODES[byte >>> 4]!;
      out[o++] = HEX_CODES[byte & 15]!;
      column += 3;
    }
  }
  return out.slice(0, o);
}

const FROM_SPACE = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

function startsWithFromSpace(data: Uint8Array, at: number): boolean {
  return FROM_SPACE.every((code, k) => data[at + k] === code);
}

/** Which transfer encoding keeps a text part smallest: QP for mostly-ASCII text, else base64. */
export function textTransferEncoding(data: Uint8Array): 'quoted-printable' | 'base64' {
  let nonAscii = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! >= 0x80) nonAscii++;
  // QP costs 2 extra bytes per non-ASCII byte, base64 a third of everything: break-even ≈ 1/6.
  return nonAscii * 6 > data.length ? 'base64' : 'quoted-printable';
}

/**
 * At most 36 UTF-8 bytes per encoded-word: 48 base64 characters, a 60-character word. RFC 2047
 * allows 75; 60 keeps `Subject: ` + one word within the preferred 78 columns.
 */
const ENCODED_WORD_MAX_BYTES = 36;

/**
 * RFC 2047 `B` encoded-words for a whole value, split on code point boundaries so no word ends
 * inside a multi-byte character (emoji stay whole). Decoders ignore the whitespace between
 * adjacent encoded-words, so the words may be folded onto separate lines.
 */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let pending = '';
  let pendingBytes = 0;
  for (const char of text) {
    const size = utf8ByteLength(char.codePointAt(0)!);
    if (pendingBytes + size > ENCODED_WORD_MAX_BYTES && pending !== '') {
      words.push(encodedWord(pending));
      pending = '';
      pendingBytes = 0;
    }
    pending += char;
    pendingBytes += size;
  }
  if (pending !== '' || words.length === 0) words.push(encodedWord(pending));
  return words;
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${base64String(utf8(text))}?=`;
}

function utf8ByteLength(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3; // lone surrogates become U+FFFD: 3 bytes too
  return 4;
}

/** Printable ASCII and tab only: anything else in a header needs an encoding. */
export function isPlainHeaderText(value: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(value);
}

/** Looks like an encoded-word: a literal one must be encoded itself, or readers would decode it. */
export function containsEncodedWordMarker(value: string): boolean {
  return value.includes('=?');
}

/** RFC 5322 `atext` plus single spaces: a display name that needs no quoting. */
export function isAtomPhrase(value: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(value);
}

export function quotedString(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/** IDs go into headers as printable ASCII only; anything else could not be a Front ID anyway. */
export function headerToken(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, '_');
}

/** RFC 5322 §2.1.1: lines should stay within 78 characters (the hard limit is 998). */
export const PREFERRED_LINE_LENGTH = 78;

/**
 * One header field, folded. `segments[0]` starts the value; every later segment must start with
 * whitespace, and a fold is placed before a segment (CRLF + its whitespace), so unfolding
 * restores the exact value. A segment longer than a line stays whole.
 */
export function foldHeader(name: string, segments: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:${segments.length > 0 && segments[0] !== '' ? ' ' : ''}${segments[0] ?? ''}`;
  for (const segment of segments.slice(1)) {
    if (line.length + segment.length > PREFERRED_LINE_LENGTH && /^[ \t]/.test(segment)) {
      lines.push(line);
      line = segment;
    } else {
      line += segment;
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** A longer run without spaces cannot fold within 78 columns after `Subject: `: encode it instead. */
const LONGEST_PLAIN_WORD = PREFERRED_LINE_LENGTH - 'Subject: '.length;

/**
 * An unstructured value (Subject) as fold segments: kept readable when it is plain ASCII whose
 * words fit a line, else encoded-words. Line breaks in the value become spaces (a header has none).
 */
export function unstructuredSegments(value: string): string[] {
  const flat = value.replace(/\r\n|\r|\n/g, ' ');
  const longestWord = Math.max(0, ...flat.split(/[ \t]+/).map((word) => word.length));
  const plain =
    isPlainHeaderText(flat) &&
    !containsEncodedWordMarker(flat) &&
    longestWord <= LONGEST_PLAIN_WORD &&
    !/^[ \t]|[ \t]$/.test(flat);
  if (!plain) return spaceSeparated(encodedWords(flat));
  // Each segment after the first carries the whitespace before it: folding keeps every space.
  return flat.match(/^[^ \t]*|[ \t]+[^ \t]+/g) ?? [flat];
}

/** Words as fold segments separated by one space. */
export function spaceSeparated(words: readonly string[]): string[] {
  return words.map((word, index) => (index === 0 ? word : ` ${word}`));
}

/** RFC 2231 `attr-char`: the characters an extended value keeps unescaped. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/** Percent-encoded pieces per code point, so continuation sections never split a character. */
function rfc2231Pieces(value: string): string[] {
  const pieces: string[] = [];
  for (const char of value) {
    if (ATTR_CHAR.test(char)) {
      pieces.push(char);
    } else {
      let piece = '';
      for (const byte of utf8(char)) piece += `%${HEX[byte >>> 4]}${HEX[byte & 15]}`;
      pieces.push(piece);
    }
  }
  return pieces;
}

/** Percent-encoded characters per RFC 2231 continuation section. */
const RFC2231_SECTION_LENGTH = 54;

/**
 * An RFC 2231 extended parameter, `name*=UTF-8''…`, split into `name*0*=`, `name*1*=`, … sections
 * when long so each fits a folded line.
 */
export function rfc2231Parameter(name: string, value: string): string[] {
  const sections: string[] = [];
  let section = "UTF-8''";
  for (const piece of rfc2231Pieces(value)) {
    if (section.length + piece.length > RFC2231_SECTION_LENGTH && section !== "UTF-8''" && section !== '') {
      sections.push(section);
      section = '';
    }
    section += piece;
  }
  sections.push(section);
  if (sections.length === 1) return [`${name}*=${sections[0]}`];
  return sections.map((text, index) => `${name}*${index}*=${text}`);
}

/**
 * A structured value `head; p1; p2` as fold segments: folds fall between parameters, or inside a
 * parameter at the later pieces it is given in (each of which must start with whitespace).
 */
export function parameterSegments(head: string, parameters: readonly (readonly string[])[]): string[] {
  const segments = [parameters.length > 0 ? `${head};` : head];
  parameters.forEach((pieces, index) => {
    const isLastParameter = index === parameters.length - 1;
    pieces.forEach((piece, k) => {
      const text = k === 0 ? ` ${piece}` : piece;
      segments.push(k === pieces.length - 1 && !isLastParameter ? `${text};` : text);
    });
  });
  return segments;
}
