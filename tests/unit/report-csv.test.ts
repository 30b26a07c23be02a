import { describe, expect, it } from 'vitest';
import {
  REPORT_CSV_COLUMNS,
  csvCell,
  csvRow,
  protectFormula,
  reportCsvChunks,
  type ReportItem,
} from '../../src/domain/report/index.ts';

const TOKEN = 'missive_pat-CsvT0kenValue';

/** A strict RFC 4180 reader, to check the writer's output parses back cell for cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += char;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

async function csvText(items: ReportItem[], options = {}): Promise<string> {
  let text = '';
  for await (const chunk of reportCsvChunks(items, options)) text += chunk;
  return text;
}

describe('report CSV', () => {
  it('starts with the header row and writes one row per item', async () => {
    const items: ReportItem[] = [
      {
        kind: 'comment',
        frontId: 'com_1',
        frontConversationId: 'cnv_1',
        status: 'imported',
        missiveConversationId: 'mc-1',
        missivePostId: 'mp-1',
        inbox: 'Support',
      },
      { kind: 'contact', frontId: 'email:a@example.com', frontConversationId: null, status: 'pending' },
    ];
    const rows = parseCsv(await csvText(items));
    expect(rows[0]).toEqual([
      'kind',
      'frontId',
      'frontConversationId',
      'status',
      'reason',
      'missiveConversationId',
      'missivePostId',
      'inbox',
    ]);
    expect(rows[0]).toEqual([...REPORT_CSV_COLUMNS]);
    expect(rows[1]).toEqual(['comment', 'com_1', 'cnv_1', 'imported', '', 'mc-1', 'mp-1', 'Support']);
    expect(rows[2]).toEqual(['contact', 'email:a@example.com', '', 'pending', '', '', '', '']);
  });

  it('quotes commas, quotes and line breaks (RFC 4180) and ends rows with CRLF', async () => {
    const reason = 'Missive said: "bad, very bad"\nsecond line\r\nthird';
    const text = await csvText([
      {
        kind: 'sms',
        frontId: 'msg_1',
        frontConversationId: 'cnv_1',
        status: 'failed',
        reason,
        inbox: 'A, B',
      },
    ]);
    expect(text).toContain('"Missive said: ""bad, very bad""\nsecond line\r\nthird"');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)[1]).toEqual(['sms', 'msg_1', 'cnv_1', 'failed', reason, '', '', 'A, B']);
  });

  it('quotes cells holding a semicolon or a tab (Excel in semicolon locales splits them)', async () => {
    expect(csvCell('a;=cmd|calc')).toBe('"a;=cmd|calc"');
    expect(csvCell('a\t=cmd|calc')).toBe('"a\t=cmd|calc"');
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    const reason = 'Missive said; =HYPERLINK("http://evil")';
    const text = await csvText([
      { kind: 'sms', frontId: 'msg_1', frontConversationId: 'cnv_1', status: 'failed', reason },
    ]);
    expect(text).toContain('"Missive said; =HYPERLINK(""http://evil"")"');
    expect(parseCsv(text)[1]?.[4]).toBe(reason);
  });

  it('prefixes cells a spreadsheet would run as a formula', async () => {
    for (const dangerous of [
      '=HYPERLINK("http://evil")',
      '+cmd|calc',
      '-2+3+cmd|x',
      '@SUM(A1)',
      '\tx',
      '\rx',
    ]) {
      expect(protectFormula(dangerous)).toBe(`'${dangerous}`);
    }
    const text = await csvText([
      { kind: 'email', frontId: 'msg_1', frontConversationId: 'cnv_1', status: 'skipped', reason: '=1+1' },
      { kind: 'email', frontId: '@msg', frontConversationId: 'cnv_1', status: 'skipped', inbox: '-Sales' },
    ]);
    const rows = parseCsv(text);
    expect(rows[1]?.[4]).toBe("'=1+1");
    expect(rows[2]?.[1]).toBe("'@msg");
    expect(rows[2]?.[7]).toBe("'-Sales");
  });

  it('leaves plain numbers alone (an E.164 phone is not a formula) and ordinary text untouched', () => {
    expect(protectFormula('+15551234567')).toBe('+15551234567');
    expect(protectFormula('-42')).toBe('-42');
    expect(protectFormula('plain = text')).toBe('plain = text');
    for (const value of [
      '+1 (555) 123-4567',
      '+44 20 7946 0958 ext. 12',
      '+33.1.23.45.67.89',
      '+15551234567 ::: +15557654321',
      '+tag@example.com',
      '-ops@mail.example.org ::: =x@example.com',
    ])
      expect(protectFormula(value)).toBe(value);
    // Near misses stay guarded: arithmetic, a pipe, a call, a bare `@`.
    for (const value of [
      '+1-2',
      '-1 234 567',
      '+1 555 ::: =1+1',
      '+cmd|a@b.co',
      '@example.com',
      '=A1@b.co(1)',
    ])
      expect(protectFormula(value)).toBe(`'${value}`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
    expect(csvRow(['a', 'b,c', undefined])).toBe('a,"b,c",\r\n');
  });

  it('redacts the token from reasons', async () => {
    const text = await csvText(
      [
        {
          kind: 'sms',
          frontId: 'msg_1',
          frontConversationId: 'cnv_1',
          status: 'failed',
          reason: `401 for token ${TOKEN}`,
        },
      ],
      { secrets: [TOKEN] },
    );
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('401 for token [redacted]');
  });

  it('streams in chunks', async () => {
    const items = Array.from({ length: 20_000 }, (_, i): ReportItem => ({
      kind: 'sms',
      frontId: `msg_${i}`,
      frontConversationId: 'cnv_1',
      status: 'imported',
    }));
    let chunks = 0;
    let rows = 0;
    for await (const chunk of reportCsvChunks(items, { chunkSize: 16 * 1024 })) {
      chunks += 1;
      rows += chunk.split('\r\n').length - 1;
    }
    expect(rows).toBe(20_001);
    expect(chunks).toBeGreaterThan(20);
  });
});
