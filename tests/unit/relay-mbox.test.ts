import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import type { Conversation, Message } from '../../src/domain/model.ts';
import {
  type MboxEntry,
  buildRfc5322,
  createMboxrdEncoderStream,
  encodeMboxrd,
  encodeMboxrdAsync,
  readMboxrd,
  resolveAttachments,
  threadHeaders,
} from '../../src/domain/relay/index.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Raw CRLF messages (as an original .eml would be, 8bit bodies) with every tricky line start. */
function rawMessage(index: number, bodyLines: string[]): Uint8Array {
  const headers = [
    'From: Sender <sender@example.com>',
    'To: team@example.com',
    `Subject: Message ${index}`,
    `Message-ID: <m${index}@example.com>`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return encode([...headers, '', ...bodyLines].join('\r\n') + '\r\n');
}

const trickyMessages = [
  rawMessage(1, ['From the start of a line', 'plain', 'From ', 'Fromage is not quoted']),
  rawMessage(2, ['>From already quoted', '>>From twice', '>>>From thrice', '> From with a space', '>']),
  rawMessage(3, ['ends with an empty line', '']),
  rawMessage(4, ['Zoë 😀 non-ASCII', '.', '..', 'x'.repeat(998)]),
  encode('From: a@example.com\r\nSubject: empty body\r\n\r\n'),
];

/** A built message too: multipart, base64, CRLF. */
function builtMessage(): Uint8Array {
  const conversation = { id: 'cnv_1', subject: 'Built' } as Conversation;
  const message: Message = {
    id: 'msg_built',
    conversationId: 'cnv_1',
    kind: 'email',
    frontType: 'email',
    isInbound: true,
    isDraft: false,
    createdAt: Date.UTC(2023, 10, 29, 21, 17, 19),
    subject: 'Built 🎉',
    body: '<p>From here</p>',
    text: 'From here\n>From there',
    authorName: null,
    recipients: [{ role: 'from', handle: 'a@example.com', name: 'A' }],
    attachments: [
      {
        id: 'f',
        filename: 'a.bin',
        contentType: 'application/octet-stream',
        size: 4,
        inline: false,
        cid: null,
        ref: null,
      },
    ],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
  };
  const thread = threadHeaders([message]).get(message.id)!;
  const attachments = resolveAttachments(message, new Map([[0, new Uint8Array([0, 13, 10, 255])]]));
  return buildRfc5322(message, conversation, thread, attachments).raw;
}

const DATE = Date.UTC(2023, 10, 29, 21, 17, 19);
const entries: MboxEntry[] = [...trickyMessages, builtMessage()].map((raw, i) => ({
  raw,
  date: DATE + i * 1000,
}));

describe('mboxrd', () => {
  it('round-trips N messages byte for byte', () => {
    const mbox = concat([...encodeMboxrd(entries)]);
    const messages = readMboxrd(mbox);
    expect(messages).toHaveLength(entries.length);
    messages.forEach((message, i) => expect(message).toEqual(entries[i]!.raw));
  });

  it('writes RFC 4155 separators, LF endings, >-quoting and a blank line between messages', () => {
    const text = decode(concat([...encodeMboxrd(entries)]));
    expect(text).not.toContain('\r');
    expect(text.startsWith('From MAILER-DAEMON Wed Nov 29 21:17:19 2023\n')).toBe(true);
    const separators = text.split('\n').filter((line) => line.startsWith('From '));
    expect(separators).toHaveLength(entries.length);
    for (const separator of separators)
      expect(separator).toMatch(/^From MAILER-DAEMON \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(text).toContain('\n>From the start of a line\n');
    expect(text).toContain('\n>From \n');
    expect(text).toContain('\nFromage is not quoted\n');
    expect(text).toContain(
      '\n>>From already quoted\n>>>From twice\n>>>>From thrice\n> From with a space\n>\n',
    );
    expect(text).toContain('\nends with an empty line\n\n\nFrom MAILER-DAEMON');
    expect(text.endsWith('\n\n')).toBe(true);
  });

  it('streams the same bytes through the TransformStream and the async generator', async () => {
    const expected = concat([...encodeMboxrd(entries)]);

    const stream = new ReadableStream<MboxEntry>({
      start(controller) {
        for (const entry of entries) controller.enqueue(entry);
        controller.close();
      },
    }).pipeThrough(createMboxrdEncoderStream());
    const streamed: Uint8Array[] = [];
    for await (const chunk of stream) streamed.push(chunk);
    expect(concat(streamed)).toEqual(expected);

    const generated: Uint8Array[] = [];
    for await (const chunk of encodeMboxrdAsync(entries)) generated.push(chunk);
    expect(concat(generated)).toEqual(expected);
  });

  it('gives the built message back intact to a mail parser', async () => {
    const built = entries.at(-1)!.raw;
    const [, , , , , back] = readMboxrd(concat([...encodeMboxrd(entries)]));
    const parsed = await PostalMime.parse(back!);
    expect(parsed.subject).toBe('Built 🎉');
    expect(new Uint8Array(parsed.attachments[0]!.content as ArrayBuffer)).toEqual(
      new Uint8Array([0, 13, 10, 255]),
    );
    expect(back).toEqual(built);
  });

  it('ends a message lacking a final line break with CRLF (an mbox line always ends)', () => {
    const raw = encode('Subject: x\r\n\r\nno final newline');
    const [back] = readMboxrd(concat([...encodeMboxrd([{ raw, date: DATE }])]));
    expect(decode(back!)).toBe('Subject: x\r\n\r\nno final newline\r\n');
  });

  it('reads an empty file as no messages and refuses a file that is not an mbox', () => {
    expect(readMboxrd(new Uint8Array())).toEqual([]);
    expect(() => readMboxrd(encode('Subject: not an mbox\n'))).toThrow(/not start with a "From " line/);
  });

  it('reads CRLF mbox files from other tools too', () => {
    const mbox = encode('From MAILER-DAEMON Thu Jan  1 00:00:00 1970\r\nSubject: a\r\n\r\n>From b\r\n\r\n');
    expect(readMboxrd(mbox).map(decode)).toEqual(['Subject: a\r\n\r\nFrom b\r\n']);
  });
});
