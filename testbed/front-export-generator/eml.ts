/**
 * RFC 5322 / MIME messages, as Front serves them for `GET /messages/{id}` with
 * `Accept: message/rfc822`: CRLF line ends, RFC 2047 encoded words for non-ASCII headers,
 * multipart/alternative text + HTML, inline images in multipart/related, attachments in
 * multipart/mixed.
 */

export interface EmlAddress {
  name: string | null;
  address: string;
}

export interface EmlAttachment {
  filename: string;
  contentType: string;
  bytes: Buffer;
  inline: boolean;
  cid: string | null;
}

export interface EmlInput {
  from: EmlAddress;
  to: EmlAddress[];
  cc: EmlAddress[];
  replyTo: EmlAddress | null;
  subject: string;
  /** Unix seconds; the Date header shows it in the sender's zone. */
  sentAt: number;
  utcOffsetMinutes: number;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
  html: string;
  attachments: EmlAttachment[];
  /** Extra headers placed before the standard ones (Received, X-Mailer...). */
  traceHeaders: [string, string][];
  /** Makes MIME boundaries unique yet deterministic. */
  boundaryToken: string;
}

const CRLF = '\r\n';
/** Parts bigger than this go out as base64: quoted-printable in JS is slow on multi-MB bodies. */
const QUOTED_PRINTABLE_LIMIT = 256 * 1024;

export function buildEml(input: EmlInput): Buffer {
  const headers: [string, string][] = [
    ...input.traceHeaders,
    ['Date', rfc5322Date(input.sentAt, input.utcOffsetMinutes)],
    ['From', formatAddress(input.from)],
    ['To', input.to.map(formatAddress).join(`,${CRLF} `)],
  ];
  if (input.cc.length > 0) headers.push(['Cc', input.cc.map(formatAddress).join(`,${CRLF} `)]);
  if (input.replyTo) headers.push(['Reply-To', formatAddress(input.replyTo)]);
  headers.push(['Subject', encodeHeaderText(input.subject)], ['Message-ID', input.messageId]);
  if (input.inReplyTo) headers.push(['In-Reply-To', input.inReplyTo]);
  if (input.references.length > 0) headers.push(['References', input.references.join(`${CRLF} `)]);
  headers.push(['MIME-Version', '1.0']);

  const body = bodyPart(input);
  const chunks: Buffer[] = [Buffer.from(headers.map(([name, value]) => `${name}: ${value}${CRLF}`).join(''))];
  chunks.push(...body);
  return Buffer.concat(chunks);
}

/** A MIME part: its headers (ending with the blank line) then its content. */
type Part = Buffer[];

function bodyPart(input: EmlInput): Part {
  const alternative = multipart('alternative', `alt_${input.boundaryToken}`, [
    textPart('text/plain', input.text),
    textPart('text/html', input.html),
  ]);
  const inline = input.attachments.filter((a) => a.inline);
  const files = input.attachments.filter((a) => !a.inline);
  const related =
    inline.length > 0
      ? multipart('related', `rel_${input.boundaryToken}`, [alternative, ...inline.map(attachmentPart)])
      : alternative;
  return files.length > 0
    ? multipart('mixed', `mix_${input.boundaryToken}`, [related, ...files.map(attachmentPart)])
    : related;
}

function multipart(subtype: string, boundary: string, parts: Part[]): Part {
  const out: Buffer[] = [
    Buffer.from(`Content-Type: multipart/${subtype}; boundary="${boundary}"${CRLF}${CRLF}`),
  ];
  for (const part of parts) {
    out.push(Buffer.from(`--${boundary}${CRLF}`), ...part, Buffer.from(CRLF));
  }
  out.push(Buffer.from(`--${boundary}--${CRLF}`));
  return out;
}

function textPart(contentType: string, content: string): Part {
  const bytes = Buffer.from(content.replace(/\r?\n/g, CRLF), 'utf8');
  const useBase64 = bytes.length > QUOTED_PRINTABLE_LIMIT;
  const encoded = useBase64 ? base64Lines(bytes) : quotedPrintable(bytes);
  return [
    Buffer.from(
      `Content-Type: ${contentType}; charset="UTF-8"${CRLF}` +
        `Content-Transfer-Encoding: ${useBase64 ? 'base64' : 'quoted-printable'}${CRLF}${CRLF}`,
    ),
    encoded,
  ];
}

function attachmentPart(attachment: EmlAttachment): Part {
  const name = attachment.filename;
  const lines = [
    `Content-Type: ${attachment.contentType}; name="${isPlainAscii(name) ? quoteEscape(name) : encodedWord(name)}"`,
    `Content-Disposition: ${attachment.inline ? 'inline' : 'attachment'}; ${dispositionFilename(name)}`,
    'Content-Transfer-Encoding: base64',
  ];
  if (attachment.cid) lines.push(`Content-ID: <${attachment.cid}>`);
  return [Buffer.from(lines.join(CRLF) + CRLF + CRLF), base64Lines(attachment.bytes)];
}

/** RFC 2231 `filename*` for non-ASCII names, plain quoted `filename` otherwise. */
function dispositionFilename(name: string): string {
  if (isPlainAscii(name)) return `filename="${quoteEscape(name)}"`;
  return `filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function base64Lines(bytes: Buffer): Buffer {
  const base64 = bytes.toString('base64');
  const lineLength = 76;
  const out = Buffer.allocUnsafe(base64.length + Math.ceil(base64.length / lineLength) * 2);
  let written = 0;
  for (let start = 0; start < base64.length; start += lineLength) {
    written += out.write(base64.slice(start, start + lineLength), written, 'latin1');
    written += out.write(CRLF, written, 'latin1');
  }
  return out.subarray(0, written);
}

const HEX = '0123456789ABCDEF';

/** RFC 2045 quoted-printable: lines of at most 76 characters, soft breaks with "=". */
export function quotedPrintable(bytes: Buffer): Buffer {
  const out: number[] = [];
  let lineLength = 0;
  const push = (codes: number[]): void => {
    if (lineLength + codes.length > 75) {
      out.push(0x3d, 0x0d, 0x0a); // soft line break
      lineLength = 0;
    }
    out.push(...codes);
    lineLength += codes.length;
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x0d && bytes[i + 1] === 0x0a) {
      out.push(0x0d, 0x0a);
      lineLength = 0;
      i++;
      continue;
    }
    const next = bytes[i + 1];
    const endOfLine = next === undefined || next === 0x0d;
    const literal =
      (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && !endOfLine);
    if (literal) push([byte]);
    else push([0x3d, HEX.charCodeAt(byte >> 4), HEX.charCodeAt(byte & 15)]);
  }
  return Buffer.from(out);
}

function quoteEscape(text: string): string {
  return text.replace(/(["\\])/g, '\\$1');
}

/** One unfolded encoded word: inside a quoted parameter, folding would leave stray spaces. */
function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/**
 * RFC 2047 "B" encoded words, split on character boundaries so no word exceeds 75 characters,
 * separated by folding whitespace (which decoders drop between adjacent encoded words).
 */
export function encodeHeaderText(text: string): string {
  if (isPlainAscii(text)) return text;
  const words: string[] = [];
  let current = '';
  for (const char of text) {
    if (Buffer.byteLength(current + char, 'utf8') > 45) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  if (current) words.push(current);
  return words.map(encodedWord).join(`${CRLF} `);
}

function formatAddress(address: EmlAddress): string {
  if (!address.name) return `<${address.address}>`;
  if (!isPlainAscii(address.name)) return `${encodeHeaderText(address.name)} <${address.address}>`;
  const needsQuotes = /[()<>@,;:\\".[\]']/.test(address.name);
  const name = needsQuotes ? `"${quoteEscape(address.name)}"` : address.name;
  return `${name} <${address.address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Wed, 29 Nov 2023 22:17:19 +0100": the wall-clock time in the given zone, and the zone. */
export function rfc5322Date(unixSeconds: number, utcOffsetMinutes: number): string {
  const local = new Date((Math.floor(unixSeconds) + utcOffsetMinutes * 60) * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(utcOffsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(offset / 60))}${pad(offset % 60)}`
  );
}
