/**
 * Text helpers for what the import sends to Missive: escaping, dates, sizes and safe splitting.
 * Pure functions; no DOM (the worker has none).
 */

/** `\r\n` and lone `\r` become `\n`, so every later rule sees one kind of line break. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * SMS text for the body of an HTML custom channel: markup characters shown as typed (an SMS saying
 * `<b>` must not turn bold), line breaks kept as `<br>` because the channel renders the body as
 * HTML, where a bare newline would collapse into a space.
 */
export function smsTextToHtml(text: string): string {
  return normaliseNewlines(text)
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/\n/g, '<br>');
}

/**
 * Plain text from a Front HTML body, for SMS whose `text` field is empty. Deliberately small: SMS
 * bodies carry at most a few line breaks and entities, never real layout.
 */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** Characters with a Markdown meaning anywhere in a line: escaped with a backslash. */
const MARKDOWN_INLINE = /[\\`*_[\]()#|~]/g;
/** HTML in Markdown is live: written as entities, which every renderer shows as the character. */
const MARKDOWN_HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeMarkdownLine(line: string): string {
  // Leading spaces would make an indented code block; non-breaking spaces keep the indentation.
  const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
  let rest = line.slice(indent.length);
  rest = rest.replace(MARKDOWN_INLINE, '\\$&').replace(/[&<>]/g, (c) => MARKDOWN_HTML[c] ?? c);
  // Block markers only count at the start of a line: list bullets, setext underlines, "1." lists.
  rest = rest.replace(/^([-+=])/, '\\$1').replace(/^(\d+)\./, '$1\\.');
  return indent.replace(/\t/g, '    ').replace(/ /g, '&nbsp;') + rest;
}

/**
 * Untrusted text shown literally inside Markdown: `*_[]()#` and friends escaped, HTML disabled,
 * line breaks kept (two trailing spaces = hard line break; blank lines stay paragraph breaks).
 */
export function escapeMarkdown(text: string): string {
  const lines = normaliseNewlines(text).split('\n').map(escapeMarkdownLine);
  return lines
    .map((line, i) => {
      const next = lines[i + 1];
      const hardBreak = line.trim() !== '' && next !== undefined && next.trim() !== '';
      return hardBreak ? line + '  ' : line;
    })
    .join('\n');
}

/** Bytes of the UTF-8 encoding; what "10 MB per request" is measured in. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a request body exactly as `JSON.stringify` + UTF-8 will send it. */
export function jsonByteLength(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value));
}

/** Length of the base64 text for `bytes` raw bytes (padding included). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/**
 * The largest cut index ≤ `max` that does not split a surrogate pair, a backslash escape or an
 * HTML entity, so both halves stay valid text and valid escaped Markdown.
 */
function safeCut(text: string, max: number): number {
  let cut = Math.min(max, text.length);
  const code = text.charCodeAt(cut - 1);
  if (cut < text.length && code >= 0xd800 && code <= 0xdbff) cut--;
  // An odd run of backslashes before the cut means the next character is escaped: keep them together.
  let slashes = 0;
  while (cut - 1 - slashes >= 0 && text[cut - 1 - slashes] === '\\') slashes++;
  if (slashes % 2 === 1) cut--;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 10 && !text.slice(amp, cut).includes(';')) {
    const semi = text.indexOf(';', amp);
    if (semi >= cut && /^&#?\w+;$/.test(text.slice(amp, semi + 1))) cut = amp;
  }
  return cut;
}

/**
 * Splits text into pieces of at most `max` characters, preferring paragraph breaks, then line
 * breaks, then spaces, and never cutting inside an escape, an entity or a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 16) throw new Error(`splitText: max ${max} is too small`);
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const hard = safeCut(rest, max);
    const window = rest.slice(0, hard);
    const soft = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find(
      (i) => i > max / 2,
    );
    const cut = soft ?? hard;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** At most `max` characters (never splitting a surrogate pair), with how many were dropped. */
export function truncateText(text: string, max: number): { text: string; droppedChars: number } {
  if (text.length <= max) return { text, droppedChars: 0 };
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return { text: text.slice(0, cut), droppedChars: text.length - cut };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2023-11-29T21:18:10Z`: ISO 8601 in UTC, whole seconds. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `Wed 29 Nov 2023, 21:18 UTC`: the same instant for people; fixed format, no locale. */
export function humanUtc(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
  );
}

/** Unix seconds, as Missive's `delivered_at` and attachment `timestamp` want them (integers). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
