import { describe, expect, it } from 'vitest';
import { normalizeMessageId, parseEmlHeaders, parseMessageIdList } from '../../src/domain/front/index.ts';

const CRLF_EML = [
  'Return-Path: <pat@example.com>',
  'Message-ID: <CAF=abc123@mail.gmail.com>',
  'In-Reply-To: <prev-1@acme.com>',
  'References: <root-0@acme.com>',
  '\t<prev-1@acme.com>',
  'Subject: Invoice #1042',
  '',
  'Message-ID: <body-is-not-a-header@example.com>',
  'Hi, could you resend the invoice?',
].join('\r\n');

describe('parseEmlHeaders', () => {
  it('reads CRLF headers, unfolds continuation lines and stops at the blank line', () => {
    expect(parseEmlHeaders(CRLF_EML)).toEqual({
      messageId: '<CAF=abc123@mail.gmail.com>',
      inReplyTo: '<prev-1@acme.com>',
      references: ['<root-0@acme.com>', '<prev-1@acme.com>'],
    });
  });

  it('reads LF headers case-insensitively and adds missing angle brackets', () => {
    const eml = 'message-id:   abc@front.example\nIN-REPLY-TO: <x@y>\n (a comment)\nSubject: hi\n\nbody';
    expect(parseEmlHeaders(eml)).toEqual({
      messageId: '<abc@front.example>',
      inReplyTo: '<x@y>',
      references: [],
    });
  });

  it('unfolds a Message-ID folded onto the next line', () => {
    expect(parseEmlHeaders('Message-ID:\r\n <folded@example.com>\r\nTo: a@b\r\n\r\n').messageId).toBe(
      '<folded@example.com>',
    );
  });

  it('keeps the first occurrence and tolerates truncated input without a blank line', () => {
    const eml =
      'From pat@example.com Wed Nov 29 21:17:19 2023\nMessage-ID: <first@x>\nMessage-ID: <second@x>\nX-Long: ' +
      'a'.repeat(100);
    expect(parseEmlHeaders(eml)).toEqual({ messageId: '<first@x>', inReplyTo: null, references: [] });
  });

  it('returns nulls when the headers are absent, or when a BOM precedes them', () => {
    expect(parseEmlHeaders('Subject: none\n\n')).toEqual({
      messageId: null,
      inReplyTo: null,
      references: [],
    });
    expect(parseEmlHeaders('')).toEqual({ messageId: null, inReplyTo: null, references: [] });
    expect(parseEmlHeaders('\uFEFFMessage-ID: <bom@x>\n\n').messageId).toBe('<bom@x>');
  });
});

describe('message ID normalisation', () => {
  it('brackets bare IDs and splits lists on whitespace and commas', () => {
    expect(normalizeMessageId(' abc@x ')).toBe('<abc@x>');
    expect(normalizeMessageId('<abc@x>')).toBe('<abc@x>');
    expect(normalizeMessageId('<>')).toBeNull();
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId(null)).toBeNull();
    expect(parseMessageIdList('<a@x> <b@x>,c@x')).toEqual(['<a@x>', '<b@x>', '<c@x>']);
  });
});
