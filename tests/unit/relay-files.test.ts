import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import type { Conversation, Message } from '../../src/domain/model.ts';
import { emlFileName, passThroughEml } from '../../src/domain/relay/index.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const ids = { id: 'msg_9', conversationId: 'cnv_9' };

describe('passThroughEml', () => {
  const original = 'From: a@example.com\r\nSubject: Hi\r\nMessage-ID: <x@example.com>\r\n\r\nBody\r\n';

  it('prepends the Front headers and keeps every original byte', async () => {
    const out = passThroughEml(encode(original), ids);
    const text = decode(out);
    expect(text).toBe(`X-Front-Message-Id: msg_9\r\nX-Front-Conversation-Id: cnv_9\r\n${original}`);
    const parsed = await PostalMime.parse(out);
    expect(parsed.messageId).toBe('<x@example.com>');
    expect(parsed.headers.find((h) => h.key === 'x-front-conversation-id')?.value).toBe('cnv_9');
  });

  it('returns a CRLF file that already has both headers unchanged', () => {
    const eml = encode(`x-front-message-id: msg_9\r\nX-FRONT-CONVERSATION-ID: cnv_9\r\n${original}`);
    expect(passThroughEml(eml, ids)).toBe(eml);
  });

  it('adds only the missing header, and ignores look-alikes in folded lines and the body', () => {
    const eml = encode(
      'X-Front-Message-Id: msg_9\r\nSubject: folded\r\n X-Front-Conversation-Id: no\r\n\r\nX-Front-Conversation-Id: body\r\n',
    );
    expect(decode(passThroughEml(eml, ids))).toBe(`X-Front-Conversation-Id: cnv_9\r\n${decode(eml)}`);
  });

  it('drops a leading mbox envelope line, which is not a header', () => {
    const eml = encode(`From sender@example.com Wed Nov 29 21:17:19 2023\r\n${original}`);
    expect(decode(passThroughEml(eml, ids))).toBe(
      `X-Front-Message-Id: msg_9\r\nX-Front-Conversation-Id: cnv_9\r\n${original}`,
    );
    const header = encode(`From: x@example.com\r\n\r\n`);
    expect(decode(passThroughEml(header, ids)).endsWith('From: x@example.com\r\n\r\n')).toBe(true);
  });

  it('converts bare LF (or CR) line endings to CRLF only when present', () => {
    const out = decode(passThroughEml(encode('Subject: lf\nFrom: a@example.com\n\nline\rline\n'), ids));
    expect(out).toBe(
      'X-Front-Message-Id: msg_9\r\nX-Front-Conversation-Id: cnv_9\r\nSubject: lf\r\nFrom: a@example.com\r\n\r\nline\r\nline\r\n',
    );
  });
});

describe('emlFileName', () => {
  const conversation = { id: 'cnv_1', subject: 'Conversation subject', inboxKeys: ['inb_1'] } as Conversation;
  const message = (overrides: Partial<Message> = {}) =>
    ({
      id: 'msg_1q15qmtq',
      subject: 'Invoice #42: paid?',
      createdAt: Date.UTC(2023, 10, 29, 21, 17, 19),
      ...overrides,
    }) as Message;

  it('is <inbox>/<date>-<slug>-<msg_id>.eml, stable across calls', () => {
    const name = emlFileName(message(), conversation, 'Support');
    expect(name).toBe('Support/2023-11-29_211719-invoice-42-paid-msg_1q15qmtq.eml');
    expect(emlFileName(message(), conversation, 'Support')).toBe(name);
  });

  it('cannot escape its folder or use reserved names and characters', () => {
    const cases = [
      emlFileName(message({ subject: '../../etc/passwd' }), conversation, '../..'),
      emlFileName(message({ subject: 'a\\b' }), conversation, 'CON'),
      emlFileName(message({ subject: '<>:"|?*' }), conversation, 'a/b\\c:d*e?f"g<h>i|j\u0000k'),
      emlFileName(message({ id: 'msg_../../x' }), conversation, ' .hidden. '),
    ];
    for (const path of cases) {
      const segments = path.split('/');
      expect(segments).toHaveLength(2);
      for (const segment of segments) {
        expect(segment).not.toMatch(/[<>:"\\|?*\p{Cc}]/u);
        expect(segment).not.toMatch(/^[.\s]|[.\s]$/);
      }
    }
    expect(cases[0]).toBe('No inbox/2023-11-29_211719-etc-passwd-msg_1q15qmtq.eml');
    expect(cases[1]!.startsWith('CON_/')).toBe(true);
    expect(cases[2]).toBe('a-b-c-d-e-f-g-h-i-j-k/2023-11-29_211719-no-subject-msg_1q15qmtq.eml');
    expect(cases[3]).toBe('hidden/2023-11-29_211719-invoice-42-paid-msg_-x.eml');
  });

  it('keeps letters of any script, truncates long subjects, falls back to the conversation', () => {
    expect(emlFileName(message({ subject: 'Réunion 東京 😀 Ça va' }), conversation, 'S')).toBe(
      'S/2023-11-29_211719-réunion-東京-ça-va-msg_1q15qmtq.eml',
    );
    const long = emlFileName(message({ subject: 'word '.repeat(100) }), conversation, 'S');
    expect(long.length).toBeLessThan(100);
    expect(emlFileName(message({ subject: '' }), conversation, 'S')).toContain('-conversation-subject-');
  });

  it('uses the first inbox key when no inbox name is given', () => {
    expect(emlFileName(message(), conversation)).toMatch(/^inb_1\//);
    const folder = { ...conversation, inboxKeys: ['folder:Sales EU'] };
    expect(emlFileName(message(), folder)).toMatch(/^Sales EU\//);
    expect(emlFileName(message(), { ...conversation, inboxKeys: [] })).toMatch(/^No inbox\//);
  });
});
