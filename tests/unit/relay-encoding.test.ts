import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { stableHash, toCrlfBytes, hasBareLineBreak } from '../../src/domain/relay/bytes.ts';
import { asctimeDate, rfc5322Date } from '../../src/domain/relay/dates.ts';
import {
  base64Encode,
  encodedWords,
  foldHeader,
  parameterSegments,
  quotedPrintableEncode,
  rfc2231Parameter,
  unstructuredSegments,
} from '../../src/domain/relay/encoding.ts';
import { displayNameSegments, normaliseAddress, recipientMailbox } from '../../src/domain/relay/addresses.ts';
import { htmlToText, textToHtml } from '../../src/domain/relay/html-text.ts';

const ascii = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** Decodes a header through postal-mime, as a mail client would. */
async function decodedSubject(foldedHeader: string): Promise<string | undefined> {
  const parsed = await PostalMime.parse(`${foldedHeader}\r\nFrom: a@example.com\r\n\r\n`);
  return parsed.subject;
}

describe('base64Encode', () => {
  it('matches Node for every length around group and line boundaries', () => {
    for (const length of [0, 1, 2, 3, 56, 57, 58, 114, 1000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 255);
      const encoded = ascii(base64Encode(data));
      expect(encoded.replace(/\r\n/g, '')).toBe(Buffer.from(data).toString('base64'));
      const lines = encoded === '' ? [] : encoded.split('\r\n');
      lines.forEach((line, index) => {
        if (index < lines.length - 1) expect(line).toHaveLength(76);
        else expect(line.length).toBeLessThanOrEqual(76);
      });
      expect(encoded.endsWith('\r\n')).toBe(false);
    }
  });

  // Its CPU time is a figure of npm run bench:relay, not an assertion here.
  it('encodes megabytes', () => {
    const data = new Uint8Array(8 * 1024 * 1024).map((_, i) => i & 255);
    const encoded = base64Encode(data);
    expect(encoded.length).toBe(Math.ceil(data.length / 3) * 4 + (Math.ceil(data.length / 57) - 1) * 2);
  });
});

describe('quotedPrintableEncode', () => {
  const roundTrip = async (text: string) => {
    const body = ascii(quotedPrintableEncode(bytesOf(text)));
    const parsed = await PostalMime.parse(
      `From: a@example.com\r\nContent-Type: text/plain; charset=UTF-8\r\n` +
        `Content-Transfer-Encoding: quoted-printable\r\n\r\n${body}`,
    );
    return { body, decoded: parsed.text ?? '' };
  };

  it('keeps lines within 76 characters and round-trips', async () => {
    const text = `${'é'.repeat(200)}\r\n${'a'.repeat(2000)}\r\ntrailing space \r\ntab\t\r\n= sign`;
    const { body, decoded } = await roundTrip(text);
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(body).toContain('space=20\r\n');
    expect(body).toContain('tab=09\r\n');
    expect(decoded.replace(/\n$/, '')).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('encodes a leading dot and "From " so the body survives SMTP and mboxo', async () => {
    const text = 'From here\r\n.\r\n.hidden\r\nnot From here';
    const { body, decoded } = await roundTrip(text);
    expect(body).toBe('=46rom here\r\n=2E\r\n=2Ehidden\r\nnot From here');
    expect(decoded.replace(/\n$/, '')).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('never leaves a line-start dot after a soft break', () => {
    const body = ascii(quotedPrintableEncode(bytesOf(`${'a'.repeat(75)}.${'b'.repeat(10)}`)));
    for (const line of body.split('\r\n')) expect(line.startsWith('.')).toBe(false);
  });
});

describe('RFC 2047 encoded-words', () => {
  const decodeWord = (word: string) => {
    const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(word);
    expect(match).not.toBeNull();
    // fatal: a word that ends inside a multi-byte character would throw here
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match![1]!, 'base64'));
  };

  it('splits on character boundaries, each word at most 75 characters', () => {
    const text = `${'é'.repeat(17)}😀${'漢字'.repeat(20)}👨‍👩‍👧 end`;
    const words = encodedWords(text);
    expect(words.length).toBeGreaterThan(3);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(words.map(decodeWord).join('')).toBe(text);
  });

  it('gives one (empty) word for an empty value', () => {
    expect(encodedWords('')).toEqual(['=?UTF-8?B??=']);
  });

  it('folds long non-ASCII subjects within 78 columns and decodes them back', async () => {
    const subject = `Réunion 🎉 ${'très longue '.repeat(12)}— fin 😀`;
    const header = foldHeader('Subject', unstructuredSegments(subject));
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(await decodedSubject(header)).toBe(subject);
  });

  it('keeps plain ASCII subjects readable, folding at spaces without losing any', async () => {
    const subject = `Re: ${'word  '.repeat(30)}end`;
    const header = foldHeader('Subject', unstructuredSegments(subject));
    expect(header).not.toContain('=?');
    expect(header.split('\r\n').length).toBeGreaterThan(2);
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(header.replace(/\r\n/g, '')).toBe(`Subject: ${subject}`);
  });

  it('encodes a literal encoded-word, a word too long to fold, and line breaks', async () => {
    for (const subject of ['see =?UTF-8?B?SGk=?= here', `x${'y'.repeat(2000)}`]) {
      const header = foldHeader('Subject', unstructuredSegments(subject));
      for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      expect(await decodedSubject(header)).toBe(subject);
    }
    const header = foldHeader('Subject', unstructuredSegments('two\r\nlines'));
    expect(header).toBe('Subject: two lines');
  });
});

describe('RFC 2231 parameters', () => {
  it('writes one section for short names and ≤78-column sections for long ones', () => {
    expect(rfc2231Parameter('filename', 'ü.txt')).toEqual(["filename*=UTF-8''%C3%BC.txt"]);
    const sections = rfc2231Parameter('filename', `${'📄'.repeat(30)}.pdf`);
    expect(sections.length).toBeGreaterThan(2);
    sections.forEach((section, index) => expect(section.startsWith(`filename*${index}*=`)).toBe(true));
    const header = foldHeader(
      'Content-Disposition',
      parameterSegments(
        'attachment',
        sections.map((s) => [s]),
      ),
    );
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    // No section ends inside a character: each one decodes on its own.
    for (const section of sections) {
      const encoded = section.replace(/^filename\*\d+\*=(UTF-8'')?/, '');
      expect(() => decodeURIComponent(encoded)).not.toThrow();
    }
  });
});

describe('addresses', () => {
  it('quotes names with specials, encodes non-ASCII, leaves atoms', () => {
    expect(displayNameSegments('John Smith')).toEqual(['John', ' Smith']);
    expect(displayNameSegments('Doe, John "JD" \\o/')).toEqual(['"Doe, John \\"JD\\" \\\\o/"']);
    expect(displayNameSegments('Zoë')[0]).toMatch(/^=\?UTF-8\?B\?/);
    expect(displayNameSegments('=?x?=')[0]).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('normalises handles into addr-specs', () => {
    expect(normaliseAddress(' <Alice@Example.COM> ')).toBe('Alice@example.com');
    expect(normaliseAddress('john doe@example.com')).toBe('"john doe"@example.com');
    expect(normaliseAddress('user@bücher.de')).toBe('user@xn--bcher-kva.de');
    expect(normaliseAddress('+15551234567')).toBeNull();
    expect(normaliseAddress('a@b\r\nBcc: x@y')).toBeNull();
  });

  it('keeps a non-email handle visible as the name', () => {
    expect(recipientMailbox({ handle: '+15551234567', name: null })).toEqual({
      name: '+15551234567',
      address: 'unknown-address@front-import.invalid',
    });
  });
});

describe('dates', () => {
  it('formats RFC 5322 and asctime in UTC', () => {
    const t = Date.UTC(2023, 10, 1, 9, 5, 7);
    expect(rfc5322Date(t)).toBe('Wed, 01 Nov 2023 09:05:07 +0000');
    expect(asctimeDate(t)).toBe('Wed Nov  1 09:05:07 2023');
    expect(asctimeDate(Date.UTC(2023, 10, 29, 21, 17, 19))).toBe('Wed Nov 29 21:17:19 2023');
    expect(rfc5322Date(Number.NaN)).toBe('Thu, 01 Jan 1970 00:00:00 +0000');
  });
});

describe('bytes', () => {
  it('normalises bare CR and LF to CRLF and keeps CRLF', () => {
    expect(ascii(toCrlfBytes(bytesOf('a\nb\r\nc\rd\n')))).toBe('a\r\nb\r\nc\r\nd\r\n');
    const crlf = bytesOf('a\r\nb\r\n');
    expect(hasBareLineBreak(crlf)).toBe(false);
    expect(toCrlfBytes(crlf)).toBe(crlf);
  });

  it('hashes stably (64-bit FNV-1a)', () => {
    expect(stableHash('')).toBe('cbf29ce484222325');
    expect(stableHash('a')).toBe('af63dc4c8601ec8c');
  });
});

describe('body alternatives', () => {
  it('derives readable text from HTML', () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>Zoë</b> &amp; co</p>' +
      '<ul><li>one</li><li>two</li></ul>line<br>break <a href="https://example.com/x?a=1&amp;b=2">here</a>' +
      '<!-- hidden --><script>alert(1)</script>&#x1F600;</body></html>';
    expect(htmlToText(html)).toBe(
      'Hello Zoë & co\n\n- one\n- two\nline\nbreak here (https://example.com/x?a=1&b=2)😀',
    );
  });

  // Linear time on such input is measured by npm run bench:relay; here, the text it gives.
  it('reads malformed HTML (untrusted bodies)', () => {
    const text = htmlToText(
      '<a href="https://x.example/a>t '.repeat(4000) + '<style>x '.repeat(20000) + 'a < b '.repeat(50000),
    );
    expect(text.startsWith('t t t')).toBe(true);
    expect(htmlToText('a < b and <!-- unclosed comment')).toBe('a < b and');
    expect(htmlToText('<a href="https://example.com">https://example.com</a>')).toBe('https://example.com');
    expect(htmlToText('<a href="https://example.com"><img src="x"></a>')).toBe('https://example.com');
  });

  it('escapes text into minimal HTML', () => {
    const html = textToHtml('a < b & "c"\nnext');
    expect(html).toContain('a &#60; b &#38; &#34;c&#34;<br>\nnext');
    expect(htmlToText(html)).toBe('a < b & "c"\nnext');
  });
});
