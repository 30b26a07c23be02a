/**
 * A strict-enough reader for `multipart/related` upload bodies (RFC 2046 §5.1, RFC 2387), as
 * Google's upload protocol uses them: parts separated by `--boundary` lines, each with its own
 * header block. Bytes stay bytes: the message part must reach the store unchanged.
 */

export interface MimePart {
  /** Lower-cased header names. */
  headers: Map<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {}

/** The `boundary` parameter of a Content-Type header (quoted or not), or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2] ?? null;
}

export function parseMultipart(body: Buffer, boundary: string): MimePart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MimePart[] = [];
  let cursor = findDelimiter(body, delimiter, 0);
  if (cursor < 0) throw new MultipartError(`no --${boundary} delimiter in the body`);
  for (;;) {
    const afterDelimiter = cursor + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString('latin1') === '--') return parts;
    const partStart = skipLine(body, afterDelimiter);
    const next = findDelimiter(body, delimiter, partStart);
    if (next < 0) throw new MultipartError(`the body ends without the closing --${boundary}--`);
    parts.push(parsePart(body.subarray(partStart, lineBreakStart(body, next))));
    cursor = next;
  }
}

/** A delimiter counts only at the start of the body or of a line. */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  let index = body.indexOf(delimiter, from);
  while (index > 0 && body[index - 1] !== 0x0a) index = body.indexOf(delimiter, index + 1);
  return index;
}

/** Position after the end of the line containing `from` (transport padding is ignored). */
function skipLine(body: Buffer, from: number): number {
  const lineFeed = body.indexOf(0x0a, from);
  return lineFeed < 0 ? body.length : lineFeed + 1;
}

/** The CRLF (or bare LF) before a delimiter belongs to the delimiter, not to the part. */
function lineBreakStart(body: Buffer, delimiterIndex: number): number {
  const beforeLf = delimiterIndex - 1;
  return body[beforeLf - 1] === 0x0d ? beforeLf - 1 : beforeLf;
}

function parsePart(part: Buffer): MimePart {
  const { headerEnd, bodyStart } = headerBoundary(part);
  const headers = new Map<string, string>();
  const unfolded = part
    .subarray(0, headerEnd)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header line: ${line.slice(0, 80)}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    headers,
    body: decodeTransfer(part.subarray(bodyStart), headers.get('content-transfer-encoding')),
  };
}

/** A part with no headers starts with the empty line itself. */
function headerBoundary(part: Buffer): { headerEnd: number; bodyStart: number } {
  if (part.subarray(0, 2).toString('latin1') === '\r\n') return { headerEnd: 0, bodyStart: 2 };
  if (part[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  throw new MultipartError('a part has no empty line between its headers and its body');
}

function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === '7bit' || name === '8bit' || name === 'binary') return body;
  if (name === 'base64') return Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64');
  throw new MultipartError(`unsupported Content-Transfer-Encoding: ${name}`);
}
