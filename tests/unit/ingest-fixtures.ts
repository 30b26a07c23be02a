/**
 * Small hand-built Front export zips for the ingest and store tests (the layout of front-export.md §2).
 */
import { BlobWriter, TextReader, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { File } from 'node:buffer';
import type { SourceBlob } from '../../src/adapters/zip-source.ts';

export type ZipContent = Record<string, string | Uint8Array | object>;

let uniqueName = 0;

/** A zip as the browser would hand it over: a File with a name, size and last-modified time. */
export async function makeZip(
  content: ZipContent,
  name = `export-${++uniqueName}.zip`,
  options: { lastModified?: number; password?: string } = {},
): Promise<SourceBlob> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {
    useWebWorkers: false,
    ...(options.password ? { password: options.password } : {}),
  });
  for (const [path, value] of Object.entries(content)) {
    if (value instanceof Uint8Array) await writer.add(path, new Uint8ArrayReader(value));
    else await writer.add(path, new TextReader(typeof value === 'string' ? value : JSON.stringify(value)));
  }
  const blob = await writer.close();
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return toFile(bytes, name, options.lastModified ?? 1_700_000_000_000);
}

export function toFile(bytes: Uint8Array, name: string, lastModified = 1_700_000_000_000): SourceBlob {
  return new File([bytes], name, { lastModified }) as unknown as SourceBlob;
}

const API = 'https://acme.api.frontapp.com';

export function conversation(id: string, extra: object = {}): object {
  return {
    _links: { self: `${API}/conversations/${id}` },
    id,
    type: 'conversation',
    subject: `Subject of ${id}`,
    status: 'archived',
    ticket_ids: [],
    assignee: null,
    recipient: { handle: 'pat@example.com', name: 'Pat', role: 'from' },
    tags: [],
    links: [],
    custom_fields: {},
    created_at: 1701292639,
    is_private: false,
    scheduled_reminders: [],
    metadata: {},
    ...extra,
  };
}

export function message(id: string, conversationId: string, type = 'email', extra: object = {}): object {
  return {
    _links: {
      self: `${API}/messages/${id}`,
      related: { conversation: `${API}/conversations/${conversationId}` },
    },
    id,
    type,
    is_inbound: true,
    draft_mode: null,
    created_at: 1701292639.25,
    subject: 'Hello',
    blurb: 'Hi',
    author: null,
    recipients: [
      { handle: type === 'sms' ? '+14155550123' : 'pat@example.com', name: null, role: 'from' },
      { handle: type === 'sms' ? '+14155559876' : 'support@acme.com', name: null, role: 'to' },
    ],
    body: '<p>Hi</p>',
    text: 'Hi',
    attachments: [],
    metadata: {},
    ...extra,
  };
}

export function comment(id: string, conversationId: string, extra: object = {}): object {
  return {
    _links: { related: { conversation: `${API}/conversations/${conversationId}` } },
    id,
    author: { id: 'tea_1', email: 'sam@acme.com', username: 'sam', first_name: 'Sam', last_name: 'Lee' },
    body: 'Internal note',
    posted_at: 1701292690.112,
    attachments: [],
    is_pinned: false,
    ...extra,
  };
}

export function attachment(id: string, filename: string, size: number): object {
  return {
    id,
    filename,
    url: `${API}/download/${id}`,
    content_type: 'application/pdf',
    size,
    metadata: { is_inline: false, cid: null },
  };
}

/** The files of one conversation in one inbox folder: its object, its messages and comments. */
export function conversationFiles(
  inbox: string,
  id: string,
  parts: { messages?: [string, string][]; comments?: string[]; withConversation?: boolean } = {},
): ZipContent {
  const out: ZipContent = {};
  const base = `export/${inbox}/${id}`;
  if (parts.withConversation !== false) out[`${base}/${id}.json`] = conversation(id);
  for (const [msgId, type] of parts.messages ?? []) {
    out[`${base}/1701292639-message-${msgId}.json`] = message(msgId, id, type);
  }
  for (const comId of parts.comments ?? [])
    out[`${base}/1701292690-comment-${comId}.json`] = comment(comId, id);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A zip of stored (uncompressed) entries with a Zip64 end of central directory, written directly: fast
 * enough to build archives of more than 65,535 entries in a unit test.
 */
export function makeZip64(entries: Iterable<[string, string]>, name = 'zip64.zip'): SourceBlob {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  let count = 0;
  for (const [path, text] of entries) {
    const nameBytes = encoder.encode(path);
    const data = encoder.encode(text);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    local.set(data, 30 + nameBytes.length);
    const record = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(record.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    record.set(nameBytes, 46);
    locals.push(local);
    central.push(record);
    offset += local.length;
    count++;
  }
  const directoryOffset = offset;
  const directorySize = central.reduce((sum, r) => sum + r.length, 0);
  const tail = new Uint8Array(56 + 20 + 22);
  const tv = new DataView(tail.buffer);
  // Zip64 end of central directory record.
  tv.setUint32(0, 0x06064b50, true);
  tv.setBigUint64(4, 44n, true);
  tv.setUint16(12, 45, true);
  tv.setUint16(14, 45, true);
  tv.setBigUint64(24, BigInt(count), true);
  tv.setBigUint64(32, BigInt(count), true);
  tv.setBigUint64(40, BigInt(directorySize), true);
  tv.setBigUint64(48, BigInt(directoryOffset), true);
  // Zip64 end of central directory locator.
  tv.setUint32(56, 0x07064b50, true);
  tv.setBigUint64(64, BigInt(directoryOffset + directorySize), true);
  tv.setUint32(72, 1, true);
  // End of central directory, pointing to the Zip64 record.
  tv.setUint32(76, 0x06054b50, true);
  tv.setUint16(84, 0xffff, true);
  tv.setUint16(86, 0xffff, true);
  tv.setUint32(88, 0xffffffff, true);
  tv.setUint32(92, 0xffffffff, true);
  const total = offset + directorySize + tail.length;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of [...locals, ...central, tail]) {
    bytes.set(part, at);
    at += part.length;
  }
  return toFile(bytes, name);
}

/**
 * A zip bomb built in the test (nothing big is committed): `bytes` zeros deflated as a stream, a few
 * hundred KB on disk. `declare` patches the size the central directory states (what readers trust),
 * with the local header's CRC and sizes blanked so nothing contradicts it
 * to lie about what the entry inflates to.
 */
export async function makeZipBomb(
  path: string,
  bytes: number,
  other: ZipContent = {},
  options: { declare?: number; name?: string } = {},
): Promise<SourceBlob> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {
    useWebWorkers: false,
    dataDescriptor: false,
  });
  const chunk = new Uint8Array(1024 * 1024);
  let left = bytes;
  const zeros = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const size = Math.min(left, chunk.length);
      controller.enqueue(chunk.subarray(0, size));
      left -= size;
    },
  });
  await writer.add(path, zeros, { level: 9 });
  for (const [name, value] of Object.entries(other))
    await writer.add(name, new TextReader(typeof value === 'string' ? value : JSON.stringify(value)));
  const zip = new Uint8Array(await (await writer.close()).arrayBuffer());
  if (options.declare !== undefined) {
    const view = new DataView(zip.buffer);
    for (let at = 0; at + 4 <= zip.length; at++) {
      const signature = view.getUint32(at, true);
      const nameLength = (offset: number) => view.getUint16(at + offset, true);
      const named = (offset: number, nameAt: number) =>
        new TextDecoder().decode(zip.subarray(at + nameAt, at + nameAt + nameLength(offset))) === path;
      if (signature === 0x02014b50 && named(28, 46)) view.setUint32(at + 24, options.declare, true);
      // A local header without CRC and sizes defers to the central directory (zip.js then checks nothing).
      if (signature === 0x04034b50 && named(26, 30))
        for (const field of [14, 18, 22]) view.setUint32(at + field, 0, true);
    }
  }
  return toFile(zip, options.name ?? `bomb-${++uniqueName}.zip`);
}
