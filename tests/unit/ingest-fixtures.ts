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
