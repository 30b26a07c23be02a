import { describe, expect, it } from 'vitest';
import PostalMime, { type Email } from 'postal-mime';
import type { Message } from '../../src/domain/model.ts';
import { CREATED_AT, attachment, conversation, message, recipient } from '../support/relay-messages.ts';
import {
  type BuildOptions,
  type BuiltEmail,
  type ThreadContext,
  UNKNOWN_SENDER,
  buildRfc5322,
  htmlToText,
  resolveAttachments,
  resolveAttachmentsAsync,
  textToHtml,
  threadHeaders,
} from '../../src/domain/relay/index.ts';

function threadOf(msg: Message): ThreadContext {
  return threadHeaders([msg]).get(msg.id)!;
}

function build(
  msg: Message,
  bytes: Map<number, Uint8Array> = new Map(),
  options: BuildOptions = {},
  thread: ThreadContext = threadOf(msg),
): BuiltEmail {
  return buildRfc5322(msg, conversation(), thread, resolveAttachments(msg, bytes), options);
}

async function parse(built: BuiltEmail): Promise<Email> {
  return PostalMime.parse(built.raw);
}

const latin1 = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);

/** CRLF only, no line over 998 octets, a final CRLF; optionally the preferred 78 columns. */
function expectWellFormed(raw: Uint8Array, maxLine = 998): void {
  const text = latin1(raw); // one char per byte: lengths are octet counts
  expect(text.endsWith('\r\n')).toBe(true);
  expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
  const lines = text.slice(0, -2).split('\r\n');
  const longest = Math.max(...lines.map((line) => line.length));
  expect(longest).toBeLessThanOrEqual(maxLine);
}

/**
 * postal-mime returns quoted-printable text with LF endings plus one appended LF, and base64
 * text exactly as decoded (CRLF). Line endings are compared normalised; the text must match
 * exactly, or exactly plus that one LF.
 */
const lf = (text: string) => text.replace(/\r\n|\r/g, '\n');

function expectSameText(parsed: string | undefined, expected: string): void {
  const got = lf(parsed ?? '');
  expect([lf(expected), `${lf(expected)}\n`]).toContain(got);
}

const bytesFrom = (content: Email['attachments'][number]['content']) =>
  new Uint8Array(content as ArrayBuffer);

const seconds = (unixMs: number) => new Date(Math.floor(unixMs / 1000) * 1000).toISOString();

describe('buildRfc5322: round trip through postal-mime', () => {
  const pdf = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255);
  const png = Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 255);
  const csv = new TextEncoder().encode('a,b\r\n1,2\r\n');
  const full = message({
    subject: 'Réunion 🎉 — budget',
    body: '<p>Bonjour <b>Zoë</b></p><img src="cid:logo@front">',
    text: 'Bonjour Zoë',
    recipients: [
      recipient('from', 'alice@example.com', 'Dupont, Alice "AD"'),
      recipient('to', 'zoe@example.org', 'Zoë Ångström'),
      recipient('to', 'bob@example.org'),
      recipient('cc', 'carol@example.net', 'Carol 😀'),
      recipient('reply-to', 'support@example.com', 'Support'),
    ],
    attachments: [
      attachment({
        id: 'fil_a',
        filename: 'Résumé 📄 final.pdf',
        contentType: 'application/pdf',
        size: 5000,
      }),
      attachment({
        id: 'fil_b',
        filename: 'logo.png',
        contentType: 'image/png',
        inline: true,
        cid: 'logo@front',
      }),
      attachment({ id: 'fil_c', filename: 'data "2023".csv', contentType: 'text/csv' }),
    ],
    messageId: '<original-1@mail.example.com>',
    inReplyTo: '<parent@mail.example.com>',
    references: ['<root@mail.example.com>', '<parent@mail.example.com>'],
  });
  const bytes = new Map([
    [0, pdf],
    [1, png],
    [2, csv],
  ]);

  it('keeps every header, both bodies and every attachment', async () => {
    const built = build(full, bytes);
    const parsed = await parse(built);

    expect(parsed.from).toEqual({ name: 'Dupont, Alice "AD"', address: 'alice@example.com' });
    expect(parsed.to).toEqual([
      { name: 'Zoë Ångström', address: 'zoe@example.org' },
      { name: '', address: 'bob@example.org' },
    ]);
    expect(parsed.cc).toEqual([{ name: 'Carol 😀', address: 'carol@example.net' }]);
    expect(parsed.replyTo).toEqual([{ name: 'Support', address: 'support@example.com' }]);
    expect(parsed.subject).toBe('Réunion 🎉 — budget');
    expect(parsed.date).toBe(seconds(CREATED_AT));
    expect(parsed.messageId).toBe('<original-1@mail.example.com>');
    expect(built.messageId).toBe('<original-1@mail.example.com>');
    expect(parsed.inReplyTo).toBe('<parent@mail.example.com>');
    expect(parsed.references).toBe('<root@mail.example.com> <parent@mail.example.com>');
    expectSameText(parsed.text, full.text);
    expectSameText(parsed.html, full.body);

    const header = (key: string) => parsed.headers.find((h) => h.key === key)?.value;
    expect(header('x-front-message-id')).toBe('msg_1');
    expect(header('x-front-conversation-id')).toBe('cnv_1');
    expect(header('mime-version')).toBe('1.0');

    const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
    const resume = byName.get('Résumé 📄 final.pdf')!;
    expect(resume.mimeType).toBe('application/pdf');
    expect(resume.disposition).toBe('attachment');
    expect(bytesFrom(resume.content)).toEqual(pdf);
    const logo = byName.get('logo.png')!;
    expect(logo.mimeType).toBe('image/png');
    expect(logo.disposition).toBe('inline');
    expect(logo.contentId).toBe('<logo@front>');
    expect(logo.related).toBe(true);
    expect(bytesFrom(logo.content)).toEqual(png);
    const data = byName.get('data "2023".csv')!;
    expect(data.mimeType).toBe('text/csv');
    expect(bytesFrom(data.content)).toEqual(csv);
    expect(built.omittedAttachments).toEqual([]);
  });

  it('nests mixed > related > alternative, CRLF everywhere, lines within 78 columns', () => {
    const built = build(full, bytes);
    expectWellFormed(built.raw, 78);
    const text = latin1(built.raw);
    const order = [
      'multipart/mixed',
      'multipart/related',
      'multipart/alternative',
      'text/plain',
      'text/html',
    ];
    const positions = order.map((type) => text.indexOf(`Content-Type: ${type}`));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
    expect(text).toContain('type="multipart/alternative"');
    // RFC 2231 name plus the RFC 2047 fallback for the non-ASCII file name
    expect(text).toContain("filename*=UTF-8''R%C3%A9sum%C3%A9%20%F0%9F%93%84%20final.pdf");
    expect(text).toMatch(/name="=\?UTF-8\?B\?/);
  });

  it('is deterministic: the same input gives the same bytes, boundaries derive from the message ID', () => {
    const first = build(full, bytes);
    const second = build(structuredClone(full), new Map([...bytes].map(([k, v]) => [k, v.slice()])));
    expect(second.raw).toEqual(first.raw);
    const other = build({ ...full, id: 'msg_2' }, bytes);
    const boundary = (raw: Uint8Array) => /boundary="([^"]+)"/.exec(latin1(raw))![1];
    expect(boundary(other.raw)).not.toBe(boundary(first.raw));
  });

  it('accepts attachment bytes from a resolver, sync or async', async () => {
    const viaFunction = resolveAttachments(full, (_info, index) => bytes.get(index));
    const viaAsync = await resolveAttachmentsAsync(full, async (_info, index) => bytes.get(index) ?? null);
    expect(viaFunction).toEqual(resolveAttachments(full, bytes));
    expect(viaAsync).toEqual(viaFunction);
  });
});

describe('buildRfc5322: message IDs and threading headers', () => {
  it('derives a stable Message-ID from the Front ID when the original is unknown', async () => {
    const msg = message({ id: 'msg_1q15qmtq' });
    const parsed = await parse(build(msg));
    expect(parsed.messageId).toBe('<front-msg_1q15qmtq@front-import.invalid>');
    expect(parsed.inReplyTo).toBeUndefined();
    expect(parsed.references).toBeUndefined();
  });

  it('adds the brackets an original Message-ID lacks', async () => {
    const parsed = await parse(build(message({ messageId: 'abc@example.com' })));
    expect(parsed.messageId).toBe('<abc@example.com>');
  });

  it('refuses a thread context of another message', () => {
    const other = threadOf(message({ id: 'msg_other' }));
    expect(() => build(message(), new Map(), {}, other)).toThrow(/msg_other/);
  });

  it('folds a References chain of 100 IDs within 78 columns', async () => {
    const references = Array.from({ length: 100 }, (_, i) => `<ref-${i}.abcdefgh@mail.example.com>`);
    const msg = message({ references, inReplyTo: references.at(-1)! });
    const built = build(msg);
    expectWellFormed(built.raw, 78);
    const parsed = await parse(built);
    expect(parsed.references!.split(/\s+/)).toEqual(references);
  });
});

describe('buildRfc5322: bodies', () => {
  it('derives the text alternative of an HTML-only email', async () => {
    const html = '<div>Line one<br>Line <i>two</i> &amp; more</div><p>Para</p>';
    const parsed = await parse(build(message({ body: html, text: '' })));
    expectSameText(parsed.html, html);
    expectSameText(parsed.text, htmlToText(html));
    expectSameText(parsed.text, 'Line one\nLine two & more\n\nPara');
  });

  it('adds a minimal HTML alternative to a text-only email', async () => {
    const text = 'Plain <text> & "quotes"\nsecond line';
    const parsed = await parse(build(message({ body: '', text })));
    expectSameText(parsed.text, text);
    expectSameText(parsed.html, textToHtml(text));
  });

  it('builds an email with no body at all as one empty text part', async () => {
    const built = build(message({ body: '  ', text: '' }));
    expectWellFormed(built.raw, 78);
    expect(latin1(built.raw)).not.toContain('multipart');
    const parsed = await parse(built);
    expect(parsed.html).toBeUndefined();
    expect(parsed.text ?? '').toMatch(/^\n?$/);
  });

  it('keeps "From " and "." lines, 998-octet and longer lines, and empty lines exact', async () => {
    const text = [
      'From the start',
      '>From quoted',
      '.',
      '..two dots',
      'x'.repeat(998),
      'y'.repeat(5000),
      '',
      `${'é'.repeat(499)}`, // 998 octets of UTF-8
      'trailing spaces   ',
      '',
    ].join('\n');
    const built = build(message({ body: '', text }));
    expectWellFormed(built.raw, 78);
    const parsed = await parse(built);
    expectSameText(parsed.text, text);
    for (const line of latin1(built.raw).split('\r\n')) {
      expect(line.startsWith('From ')).toBe(false);
      expect(line.startsWith('.')).toBe(false);
    }
  });

  it('base64-encodes mostly non-ASCII text and keeps it exact', async () => {
    const text = `${'日本語のテキスト。'.repeat(300)}\n${'🙂'.repeat(400)}`;
    const built = build(message({ body: '', text }));
    expectWellFormed(built.raw, 78);
    expect(latin1(built.raw)).toMatch(/text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64/);
    const parsed = await parse(built);
    expectSameText(parsed.text, text);
  });
});

describe('buildRfc5322: headers and recipients', () => {
  it('writes no To or Cc without recipients, and a From even without a sender', async () => {
    const parsed = await parse(build(message({ recipients: [], authorName: 'Agent Smith' })));
    expect(parsed.to).toBeUndefined();
    expect(parsed.cc).toBeUndefined();
    expect(parsed.from).toEqual({ name: 'Agent Smith', address: UNKNOWN_SENDER });
    const withFallback = await parse(
      build(message({ recipients: [] }), new Map(), {
        fallbackFrom: { name: 'Inbox', address: 'inbox@example.com' },
      }),
    );
    expect(withFallback.from).toEqual({ name: 'Inbox', address: 'inbox@example.com' });
  });

  it('encodes long and tricky display names and folds long address lists', async () => {
    const longName = `Ms. ${'Very-Long-Name '.repeat(8)}Ünicode`;
    const tricky = 'O\'Brien, "Pat" (ext. 12) <not an address> =?fake?=';
    const many = Array.from({ length: 40 }, (_, i) =>
      recipient('to', `user${i}@example.com`, `User ${i}, Team`),
    );
    const msg = message({
      recipients: [
        recipient('from', 'pat@example.com', tricky),
        recipient('cc', 'long@example.com', longName),
        recipient('cc', 'plain@example.com', 'x'.repeat(200)),
        ...many,
      ],
    });
    const built = build(msg);
    expectWellFormed(built.raw, 78);
    const parsed = await parse(built);
    expect(parsed.from).toEqual({ name: tricky, address: 'pat@example.com' });
    expect(parsed.cc).toEqual([
      { name: longName, address: 'long@example.com' },
      { name: 'x'.repeat(200), address: 'plain@example.com' },
    ]);
    expect(parsed.to).toEqual(many.map((r) => ({ name: r.name, address: r.handle })));
  });

  it('keeps very long subjects readable by clients and within line limits', async () => {
    const subjects = [
      `Re: ${'a long subject with many words '.repeat(40)}`.trim(),
      `Fwd: ${'x'.repeat(3000)}`,
      `${'Ça déborde — 東京 😀 '.repeat(30)}fin`,
      '  leading and trailing spaces  ',
    ];
    for (const subject of subjects) {
      const built = build(message({ subject }));
      expectWellFormed(built.raw, 78);
      expect((await parse(built)).subject).toBe(subject);
    }
  });

  it('falls back to the conversation subject', async () => {
    const parsed = await parse(build(message({ subject: '' })));
    expect(parsed.subject).toBe('Conversation subject');
  });

  it('writes Bcc on sent mail only', async () => {
    const recipients = [recipient('from', 'a@example.com'), recipient('bcc', 'hidden@example.com')];
    const sent = await parse(build(message({ isInbound: false, recipients })));
    const received = await parse(build(message({ isInbound: true, recipients })));
    expect(sent.bcc).toEqual([{ name: '', address: 'hidden@example.com' }]);
    expect(received.bcc).toBeUndefined();
  });

  it('uses the RFC 5322 date in UTC, whatever the sub-second part', async () => {
    const built = build(message({ createdAt: Date.UTC(2024, 1, 29, 0, 0, 0, 999) }));
    expect(latin1(built.raw)).toContain('Date: Thu, 29 Feb 2024 00:00:00 +0000\r\n');
  });
});

describe('buildRfc5322: attachments', () => {
  it('leaves out attachments without bytes and lists them', async () => {
    const msg = message({
      attachments: [
        attachment({ id: 'fil_1', filename: 'here.txt', contentType: 'text/plain' }),
        attachment({ id: 'fil_2', filename: 'gone.pdf' }),
      ],
    });
    const built = build(msg, new Map([[0, new Uint8Array([104, 105])]]));
    expect(built.omittedAttachments).toEqual([
      { index: 1, info: msg.attachments[1], reason: 'bytes-missing' },
    ]);
    const parsed = await parse(built);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['here.txt']);
  });

  it('keeps exotic file names and sanitises unusable content types', async () => {
    const names = [
      '😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘😗😚😙.png',
      `${'long-ascii-name-'.repeat(12)}.txt`,
      'quote"back\\slash.txt',
      // Not '=?UTF-8?B?Zm9v?=.txt': postal-mime decodes encoded-words even inside RFC 2231 values.
      '',
    ];
    const msg = message({
      attachments: [
        ...names.map((filename, i) => attachment({ id: `fil_${i}`, filename, contentType: 'image/png' })),
        attachment({ id: 'fil_m', filename: 'forwarded.eml', contentType: 'message/rfc822' }),
        attachment({ id: 'fil_x', filename: 'weird.bin', contentType: 'not a type' }),
        attachment({ id: 'fil_t', filename: 'note.txt', contentType: 'Text/Plain; charset=ISO-8859-1' }),
        attachment({ id: 'fil_i', filename: 'inline-no-cid.png', contentType: 'image/png', inline: true }),
      ],
    });
    const bytes = new Map(msg.attachments.map((_, i) => [i, new Uint8Array([i, 255, 0, 13, 10])]));
    const built = build(msg, bytes);
    expectWellFormed(built.raw, 78);
    const parsed = await parse(built);
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      ...names.slice(0, -1),
      'attachment',
      'forwarded.eml',
      'weird.bin',
      'note.txt',
      'inline-no-cid.png',
    ]);
    expect(parsed.attachments.map((a) => a.mimeType).slice(-4)).toEqual([
      'application/octet-stream',
      'application/octet-stream',
      'text/plain',
      'image/png',
    ]);
    expect(parsed.attachments.at(-1)!.disposition).toBe('inline');
    parsed.attachments.forEach((a, i) => expect(bytesFrom(a.content)).toEqual(bytes.get(i)));
  });

  // Its CPU time is a figure of npm run bench:relay, not an assertion here.
  it('builds a message with a 12 MB attachment', async () => {
    const big = new Uint8Array(12 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 8)) & 255;
    const msg = message({ attachments: [attachment({ filename: 'big.bin' })] });
    const built = build(msg, new Map([[0, big]]));
    expect(built.raw.length).toBeGreaterThan(big.length * 1.33);
    const parsed = await parse(built);
    // Buffer.equals: vitest's deep equality is far too slow on 12 M elements.
    expect(Buffer.from(bytesFrom(parsed.attachments[0]!.content)).equals(big)).toBe(true);
  });
});
