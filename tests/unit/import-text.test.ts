import { describe, expect, it } from 'vitest';
import {
  base64Length,
  escapeMarkdown,
  humanUtc,
  isoUtc,
  smsTextToHtml,
  splitText,
  truncateText,
  unixSeconds,
  utf8ByteLength,
} from '../../src/domain/import/text.ts';

describe('escaping', () => {
  it('escapes every Markdown-active character and disables HTML', () => {
    expect(escapeMarkdown('a*b_c[d]e(f)g#h`i|j~k\\l <script>&')).toBe(
      'a\\*b\\_c\\[d\\]e\\(f\\)g\\#h\\`i\\|j\\~k\\\\l &lt;script&gt;&amp;',
    );
  });

  it('escapes block markers only where they start a line', () => {
    expect(escapeMarkdown('-1 + 2 = 3.\n+ x\n= y\n12. z\n# h')).toBe(
      '\\-1 + 2 = 3.  \n\\+ x  \n\\= y  \n12\\. z  \n\\# h',
    );
  });

  it('turns SMS text into safe HTML with <br> line breaks', () => {
    expect(smsTextToHtml(`<a href="x">'hi'</a>\r\n&`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;hi&#39;&lt;/a&gt;<br>&amp;',
    );
  });
});

describe('sizes', () => {
  it('counts UTF-8 bytes like the wire does, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '👍🏽', 'Zoë 🚀 日本', '\ud800x']) {
      expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });

  it('knows base64 lengths', () => {
    expect([0, 1, 2, 3, 4, 3_000_000].map(base64Length)).toStrictEqual([0, 4, 4, 4, 8, 4_000_000]);
    expect(base64Length(5)).toBe(Buffer.from('12345').toString('base64').length);
  });
});

describe('splitText', () => {
  it('prefers paragraph, then line, then word boundaries', () => {
    const text = 'a'.repeat(30) + '\n\n' + 'b'.repeat(30) + ' ' + 'c'.repeat(10);
    expect(splitText(text, 40)).toStrictEqual(['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(10)]);
    expect(splitText('x'.repeat(50), 20)).toStrictEqual(['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);
  });

  it('never cuts an escape, an entity or a surrogate pair', () => {
    const escaped = escapeMarkdown('x'.repeat(19) + '*' + 'y'.repeat(30));
    expect(splitText(escaped, 20)[0]).toBe('x'.repeat(19));
    const entity = 'x'.repeat(17) + '&amp;' + 'y'.repeat(30);
    expect(splitText(entity, 20)[0]).toBe('x'.repeat(17));
    const emoji = 'x'.repeat(19) + '👍' + 'y'.repeat(30);
    expect(splitText(emoji, 20)[0]).toBe('x'.repeat(19));
    for (const text of [escaped, entity, emoji]) {
      expect(splitText(text, 20).join('')).toBe(text);
    }
  });

  it('keeps short text whole', () => {
    expect(splitText('short', 20)).toStrictEqual(['short']);
    expect(splitText('', 20)).toStrictEqual(['']);
  });

  it('truncates without splitting a surrogate pair', () => {
    expect(truncateText('ab👍', 3)).toStrictEqual({ text: 'ab', droppedChars: 2 });
    expect(truncateText('abc', 3)).toStrictEqual({ text: 'abc', droppedChars: 0 });
  });
});

describe('dates', () => {
  it('formats UTC for machines and people, and Unix seconds as integers', () => {
    const ms = 1701292690112;
    expect(isoUtc(ms)).toBe('2023-11-29T21:18:10Z');
    expect(humanUtc(ms)).toBe('Wed 29 Nov 2023, 21:18 UTC');
    expect(humanUtc(Date.UTC(2024, 0, 5, 3, 7))).toBe('Fri 5 Jan 2024, 03:07 UTC');
    expect(unixSeconds(ms)).toBe(1701292690);
    expect(unixSeconds(1701300000999)).toBe(1701300000);
  });
});
