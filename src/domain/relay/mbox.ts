/**
 * mboxrd (RFC 4155 + the "rd" quoting rule): the download for IMAP accounts, imported with
 * Thunderbird's ImportExportTools NG.
 *
 * Each message is `From MAILER-DAEMON <asctime>` + its lines with LF endings + one blank line.
 * Any line matching `^>*From ` gets one more `>`; the reader removes one again. Unlike mboxo
 * (which only quotes `From `), this is reversible: `>From ` in a body survives the round trip.
 */
import { CR, LF, utf8 } from './bytes.ts';
import { asctimeDate } from './dates.ts';

export interface MboxEntry {
  /** The RFC 5322 message, CRLF line endings. */
  raw: Uint8Array;
  /** Unix milliseconds for the `From ` separator line (the message date). */
  date: number;
}

const GREATER_THAN = 0x3e;
const FROM_SPACE = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

function hasFromSpaceAt(bytes: Uint8Array, at: number, end: number): boolean {
  return end - at >= FROM_SPACE.length && FROM_SPACE.every((code, k) => bytes[at + k] === code);
}

/** `^>*From `: the lines mboxrd quotes on write. */
function isFromLine(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] === GREATER_THAN) i++;
  return hasFromSpaceAt(bytes, i, end);
}

export function mboxrdSeparator(date: number): string {
  return `From MAILER-DAEMON ${asctimeDate(date)}\n`;
}

interface Line {
  start: number;
  /** End of the content: before the LF, and before a CR right ahead of it. */
  end: number;
  /** Whether an LF ended the line (false only for a last line without one). */
  terminated: boolean;
}

/** Splits at LF; a CR right before the LF is not content (CRLF and LF files read alike). */
function* lines(bytes: Uint8Array): Generator<Line> {
  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    if (lf === -1) {
      yield { start, end: bytes.length, terminated: false };
      return;
    }
    yield { start, end: lf > start && bytes[lf - 1] === CR ? lf - 1 : lf, terminated: true };
    start = lf + 1;
  }
}

/**
 * One message as an mboxrd chunk: separator, quoted lines with LF endings, blank line.
 * A message not ending in a line break gets one (an mbox line always ends with LF).
 */
export function encodeMboxrdMessage(entry: MboxEntry): Uint8Array {
  const { raw } = entry;
  const separator = utf8(mboxrdSeparator(entry.date));
  // Two passes over the lines (size, then copy): one exact allocation, no per-line arrays kept.
  let size = separator.length + 1; // + the blank line after the message
  for (const line of lines(raw)) {
    size += line.end - line.start + 1 + (isFromLine(raw, line.start, line.end) ? 1 : 0);
  }
  const out = new Uint8Array(size);
  out.set(separator, 0);
  let o = separator.length;
  for (const line of lines(raw)) {
    if (isFromLine(raw, line.start, line.end)) out[o++] = GREATER_THAN;
    out.set(raw.subarray(line.start, line.end), o);
    o += line.end - line.start;
    out[o++] = LF;
  }
  out[o] = LF;
  return out;
}

/** Streams messages one at a time into mboxrd chunks (concatenate them for the file). */
export function* encodeMboxrd(entries: Iterable<MboxEntry>): Generator<Uint8Array> {
  for (const entry of entries) yield encodeMboxrdMessage(entry);
}

/** The same for messages built or read asynchronously. */
export async function* encodeMboxrdAsync(
  entries: AsyncIterable<MboxEntry> | Iterable<MboxEntry>,
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) yield encodeMboxrdMessage(entry);
}

/** A TransformStream for a download pipeline: MboxEntry in, mboxrd bytes out. */
export function createMboxrdEncoderStream(): TransformStream<MboxEntry, Uint8Array> {
  return new TransformStream<MboxEntry, Uint8Array>({
    transform(entry, controller) {
      controller.enqueue(encodeMboxrdMessage(entry));
    },
  });
}

/**
 * The messages of an mboxrd file, each with CRLF line endings: every unquoted `From ` line starts
 * a message, one `>` is removed from `^>+From ` lines, and the blank line the writer puts after
 * each message is dropped. Reverses {@link encodeMboxrd} byte for byte for CRLF messages.
 */
export function readMboxrd(mbox: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let current: Line[] | null = null;
  for (const line of lines(mbox)) {
    if (hasFromSpaceAt(mbox, line.start, line.end)) {
      if (current !== null) messages.push(joinMessage(mbox, current));
      current = [];
    } else if (current === null) {
      throw new Error('Not an mbox file: it does not start with a "From " line.');
    } else {
      current.push(line);
    }
  }
  if (current !== null) messages.push(joinMessage(mbox, current));
  return messages;
}

function joinMessage(mbox: Uint8Array, messageLines: Line[]): Uint8Array {
  const last = messageLines.at(-1);
  if (last && last.start === last.end && last.terminated) messageLines.pop();
  let size = 0;
  for (const line of messageLines) {
    const unquote = isQuotedFromLine(mbox, line) ? 1 : 0;
    size += line.end - line.start - unquote + (line.terminated ? 2 : 0);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const line of messageLines) {
    const start = isQuotedFromLine(mbox, line) ? line.start + 1 : line.start;
    out.set(mbox.subarray(start, line.end), o);
    o += line.end - start;
    if (line.terminated) {
      out[o++] = CR;
      out[o++] = LF;
    }
  }
  return out;
}

function isQuotedFromLine(mbox: Uint8Array, line: Line): boolean {
  return mbox[line.start] === GREATER_THAN && isFromLine(mbox, line.start, line.end);
}
