/**
 * A small export index for the relay tests: inbox "Support" marked as SMTP forwarding, "Sales" not.
 *
 * - cnv_a (Support): three emails; the first has its original .eml in the zip, the two replies are
 *   built from the JSON (no Message-ID in the export).
 * - cnv_b (Support): one email with a PDF attachment in the zip and a non-ASCII subject, plus a draft.
 * - cnv_c (Sales): one email, synced by its mail server: never relayed.
 * - cnv_d (Support): deleted in Front: not relayed.
 */
import { IndexBatch, ExportStore } from '../../src/adapters/store.ts';
import { fingerprint, type SourceBlob } from '../../src/adapters/zip-source.ts';
import type { AttachmentInfo, Conversation, Inbox, Message } from '../../src/domain/model.ts';
import { makeZip } from './ingest-fixtures.ts';

export const T0 = Date.UTC(2023, 10, 29, 9, 0, 0);
export const RELAYED_IDS = ['msg_a1', 'msg_a2', 'msg_a3', 'msg_b1'] as const;

export const ORIGINAL_EML = [
  'Message-ID: <original-a1@customer.example>',
  'Date: Wed, 29 Nov 2023 09:00:00 +0000',
  'From: Pat Customer <pat@customer.example>',
  'To: support@acme.example',
  'Subject: Broken invoice',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'Hello, my invoice is broken.',
  'From here on it is fine.',
  '',
].join('\r\n');

export const PDF_BYTES = new TextEncoder().encode('%PDF-1.4\n% relay test file\n%%EOF\n');

function inbox(key: string, name: string, smtpForwarding: boolean): Inbox {
  return { key, frontId: key, name, channelType: null, smtpForwarding };
}

function conversation(
  id: string,
  inboxKeys: string[],
  subject: string,
  extra: Partial<Conversation> = {},
): Conversation {
  return {
    id,
    seen: true,
    subject,
    status: 'archived',
    type: 'conversation',
    createdAt: T0,
    inboxKeys,
    tags: [],
    assigneeName: null,
    recipientHandle: null,
    ...extra,
  };
}

function email(id: string, conversationId: string, minutes: number, extra: Partial<Message> = {}): Message {
  return {
    id,
    conversationId,
    kind: 'email',
    frontType: 'email',
    isInbound: true,
    isDraft: false,
    createdAt: T0 + minutes * 60_000,
    subject: '',
    body: `<p>Body of ${id}</p>`,
    text: `Body of ${id}`,
    authorName: null,
    recipients: [
      { role: 'from', handle: 'pat@customer.example', name: 'Pat Customer' },
      { role: 'to', handle: 'support@acme.example', name: null },
    ],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...extra,
  };
}

export interface RelayFixture {
  zip: SourceBlob;
  dbName: string;
}

let counter = 0;

/** Writes the fixture index into a fresh database; returns the zip holding the .eml and the PDF. */
export async function makeRelayFixture(): Promise<RelayFixture> {
  const emlPath = 'export/Support/cnv_a/1701248400-message-msg_a1.eml';
  const pdfPath = 'export/Support/cnv_b/attachments/msg_b1/report café.pdf';
  const zip = await makeZip(
    { [emlPath]: ORIGINAL_EML, [pdfPath]: PDF_BYTES },
    `relay-export-${++counter}.zip`,
  );
  const source = fingerprint(zip);
  const dbName = `relay-fixture-${counter}-${Date.now()}`;
  const store = await ExportStore.open({ name: dbName });
  const batch = new IndexBatch();
  batch.addInbox(inbox('inb_support', 'Support', true));
  batch.addInbox(inbox('inb_sales', 'Sales', false));
  batch.addConversation(conversation('cnv_a', ['inb_support'], 'Broken invoice'));
  batch.addConversation(conversation('cnv_b', ['inb_support'], 'Rapport annuel — été ☀'));
  batch.addConversation(conversation('cnv_c', ['inb_sales'], 'Quote'));
  batch.addConversation(conversation('cnv_d', ['inb_support'], 'Old', { status: 'deleted' }));
  batch.addMessage(
    email('msg_a1', 'cnv_a', 0, {
      subject: 'Broken invoice',
      messageId: '<original-a1@customer.example>',
      eml: { source, path: emlPath, size: ORIGINAL_EML.length },
    }),
  );
  batch.addMessage(
    email('msg_a2', 'cnv_a', 10, {
      subject: 'Re: Broken invoice',
      isInbound: false,
      recipients: [
        { role: 'from', handle: 'support@acme.example', name: 'Acme Support' },
        { role: 'to', handle: 'pat@customer.example', name: 'Pat Customer' },
      ],
    }),
  );
  batch.addMessage(email('msg_a3', 'cnv_a', 20, { subject: 'Re: Broken invoice' }));
  const pdf: AttachmentInfo = {
    id: 'fil_1',
    filename: 'report café.pdf',
    contentType: 'application/pdf',
    size: PDF_BYTES.length,
    inline: false,
    cid: null,
    ref: { source, path: pdfPath, size: PDF_BYTES.length },
  };
  batch.addMessage(email('msg_b1', 'cnv_b', 30, { subject: 'Rapport annuel — été ☀', attachments: [pdf] }));
  batch.addMessage(email('msg_b2', 'cnv_b', 40, { subject: 'Re: Rapport', isDraft: true }));
  batch.addMessage(email('msg_c1', 'cnv_c', 50, { subject: 'Quote' }));
  batch.addMessage(email('msg_d1', 'cnv_d', 60, { subject: 'Old' }));
  batch.source = {
    id: source,
    name: zip.name,
    size: zip.size,
    lastModified: zip.lastModified,
    status: 'done',
    checkpoint: 2,
    entries: 2,
    bytesDone: zip.size,
    error: null,
  };
  await store.writeBatch(batch);
  store.close();
  return { zip, dbName };
}

let ledgers = 0;
export function ledgerName(): string {
  return `relay-ledger-test-${++ledgers}-${Date.now()}`;
}
