import { describe, expect, it } from 'vitest';
import { FLAGS, SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import {
  ReportTotalsAccumulator,
  escapeHtml,
  reportHtmlChunks,
  type ReportHeader,
  type ReportItem,
} from '../../src/domain/report/index.ts';

const TOKEN = 'missive_pat-HtmlT0kenValue';
const XSS = '<script>alert(1)</script>';
const ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;';

function header(overrides: Partial<ReportHeader> = {}): ReportHeader {
  return {
    startedAt: '2025-03-01T09:00:00.000Z',
    finishedAt: '2025-03-01T12:30:00.000Z',
    missive: { apiBase: 'https://public.missiveapp.com/v1', organization: 'org-1' },
    sources: [
      {
        name: `export ${XSS}.zip`,
        size: 5 * 1024 * 1024,
        entries: 1200,
        unrecognized: [{ path: `weird/${XSS}.bin`, reason: 'Not a Front object' }],
      },
    ],
    ...overrides,
  };
}

const ITEMS: ReportItem[] = [
  {
    kind: 'conversation',
    frontId: 'cnv_1',
    frontConversationId: 'cnv_1',
    status: 'imported',
    inbox: `Support ${XSS}`,
    flags: [FLAGS.over400Sms],
  },
  {
    kind: 'sms',
    frontId: 'msg_1',
    frontConversationId: 'cnv_1',
    status: 'failed',
    reason: `HTTP 400: ${XSS} (Bearer ${TOKEN})`,
    inbox: `Support ${XSS}`,
    subject: XSS,
  },
  {
    kind: 'email',
    frontId: 'msg_2',
    frontConversationId: 'cnv_1',
    status: 'skipped',
    reason: SKIP_REASONS.emailSynced,
  },
  {
    kind: 'comment',
    frontId: 'com_1',
    frontConversationId: 'cnv_1',
    status: 'imported',
    attachmentsNotImported: [`${XSS}.pdf`, 'invoice.pdf'],
  },
  {
    kind: 'other_message',
    frontId: 'msg_3',
    frontConversationId: 'cnv_1',
    status: 'skipped',
    reason: `Unsupported ${XSS}`,
  },
  {
    kind: 'sms',
    frontId: 'msg_4',
    frontConversationId: 'cnv_1',
    status: 'imported',
    flags: [FLAGS.smsTruncated],
  },
  {
    kind: 'comment',
    frontId: 'com_2',
    frontConversationId: 'cnv_1',
    status: 'imported',
    flags: [FLAGS.commentFilesListed],
  },
  { kind: 'contact', frontId: 'email:a@example.com', frontConversationId: null, status: 'imported' },
];

async function html(items: ReportItem[], head = header(), options = {}): Promise<string> {
  const accumulator = new ReportTotalsAccumulator({ secrets: [TOKEN] });
  for (const item of items) accumulator.add(item);
  let text = '';
  for await (const chunk of reportHtmlChunks(head, accumulator.summary(), { secrets: [TOKEN], ...options })) {
    text += chunk;
  }
  return text;
}

describe('report HTML summary', () => {
  it('escapes every interpolated string: a subject <script> stays text', async () => {
    const text = await html(ITEMS);
    expect(text).not.toContain(XSS);
    expect(text).not.toMatch(/<script/i);
    // In the subject, the inbox, the skip reason, the error, the file names, the source and the path.
    expect(text.split(ESCAPED_XSS).length - 1).toBeGreaterThanOrEqual(7);
    expect(escapeHtml(`"'&<>`)).toBe('&quot;&#39;&amp;&lt;&gt;');
  });

  it('is self-contained: inline CSS, no scripts, no external resources, a print stylesheet', async () => {
    const text = await html(ITEMS);
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect(text).toMatch(/<\/html>\n$/);
    expect(text).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(text).not.toMatch(/\b(src|href)=/i);
    expect(text).not.toMatch(/url\(|@import/i);
    expect(text).toContain('@media print');
    expect(text).toContain(`content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;`);
  });

  it('shows totals per kind and per inbox, skipped reasons and failures with the error text, redacted', async () => {
    const text = await html(ITEMS);
    expect(text).toContain('<td>Conversations</td><td class="num">1</td><td class="num">1</td>');
    expect(text).toContain(`<td class="text">Support ${ESCAPED_XSS}</td><td>SMS</td>`);
    expect(text).toContain(`Unsupported ${ESCAPED_XSS}`);
    expect(text).toContain('Imported with notes');
    expect(text).toContain(`<td class="text">${FLAGS.smsTruncated}</td><td class="num">1</td><td>SMS 1</td>`);
    expect(text).toContain(`HTTP 400: ${ESCAPED_XSS} (Bearer [redacted])`);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('Every item is accounted for');
    expect(text).toContain('more than 400 SMS');
  });

  it('explains what was not imported by design, and what to do', async () => {
    const text = await html(ITEMS);
    expect(text).toContain('What was not imported by design, and what to do');
    expect(text).toContain('<strong>All history</strong>');
    expect(text).toContain('1 email lives on your own mail server');
    expect(text).toContain('2 comments have files. Their names are listed below.');
    expect(text).toContain(`${ESCAPED_XSS}.pdf<br>invoice.pdf`);
    expect(text).toContain('contacts CSV');
    expect(text).toContain('This run handled 1 contact: 1 imported');
  });

  it('lists unrecognised files', async () => {
    const text = await html(ITEMS);
    expect(text).toContain(`<code>weird/${ESCAPED_XSS}.bin</code>`);
    expect(text).toContain('Not a Front object');
  });

  it('caps the failure list and says how many more there are', async () => {
    const failures = Array.from({ length: 1500 }, (_, i): ReportItem => ({
      kind: 'comment',
      frontId: `com_${i}`,
      frontConversationId: `cnv_${i}`,
      status: 'failed',
      reason: 'HTTP 500',
    }));
    const text = await html(failures);
    expect(text.match(/<tr><td>Comments<\/td><td><code>com_/g)).toHaveLength(1000);
    expect(text).toContain('… and 500 more failures, listed in the JSON and CSV reports.');
    expect(text.length).toBeLessThan(400_000);
  });

  it('marks a partial report', async () => {
    const text = await html(ITEMS, header({ finishedAt: null }));
    expect(text).toContain('Partial report.');
    expect(text).toContain('<dt>Finished</dt><dd>not yet</dd>');
  });

  it('flags totals that do not add up instead of hiding it', async () => {
    const accumulator = new ReportTotalsAccumulator();
    const summary = accumulator.summary();
    summary.totals.sms.found = 3;
    let text = '';
    for await (const chunk of reportHtmlChunks(header(), summary)) text += chunk;
    expect(text).toContain('The counts do not add up');
  });
});
