import { describe, expect, it } from 'vitest';
import { FLAGS, SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import type { ItemKind, ItemStatus } from '../../src/domain/model.ts';
import {
  AccountingIdentityError,
  ITEM_KINDS,
  ITEM_STATUSES,
  OTHER_REASONS,
  ReportTotalsAccumulator,
  accountingIdentityViolations,
  assertAccountingIdentity,
  emptyReportTotals,
  withoutRejectedDuplicates,
  reportJsonChunks,
  reportSources,
  type ReportHeader,
  type ReportItem,
} from '../../src/domain/report/index.ts';
import { HashedKeySet } from '../../src/domain/report/hashed-key-set.ts';

// ---- Generated export ----

const TOKEN = 'missive_pat-Sup3rSecretT0ken_abc123';

const STATUSES: ItemStatus[] = ['imported', 'skipped', 'failed', 'pending'];
const INBOXES = ['Support', 'Sales <EU>', 'SMS line'];

/**
 * A deterministic export: per conversation one conversation item, SMS, emails, comments and an
 * other message, with statuses cycling through all four, and a few hard cases: a conversation over
 * 400 SMS, emails on the mail server, comments with attachments, failures echoing the token.
 */
function* generatedItems(conversations: number): Generator<ReportItem> {
  for (let c = 0; c < conversations; c += 1) {
    // Shifted per kind, so every kind goes through every status.
    const next = (kindIndex: number): ItemStatus => STATUSES[(c + kindIndex) % STATUSES.length] as ItemStatus;
    const conversationId = `cnv_${c.toString(36)}`;
    const inbox = INBOXES[c % INBOXES.length] as string;
    yield withStatus(
      { kind: 'conversation', frontId: conversationId, frontConversationId: conversationId, inbox },
      next(0),
      c === 3 ? { flags: [FLAGS.over400Sms] } : {},
    );
    yield withStatus(item('sms', `msg_s${c}`, conversationId, inbox), next(1));
    yield withStatus(
      item('email', `msg_e${c}`, conversationId, inbox),
      'skipped',
      c % 2 === 0 ? { reason: SKIP_REASONS.emailSynced } : {},
    );
    yield withStatus(
      item('comment', `com_${c}`, conversationId, inbox),
      next(2),
      c % 5 === 0 ? { attachmentsNotImported: [`scan-${c}.pdf`, 'photo.jpg'] } : {},
    );
    yield withStatus(item('other_message', `msg_o${c}`, conversationId, inbox), next(3));
  }
  for (let k = 0; k < Math.max(4, conversations / 10); k += 1) {
    yield withStatus(
      { kind: 'contact', frontId: `email:person${k}@example.com`, frontConversationId: null },
      STATUSES[k % STATUSES.length] as ItemStatus,
    );
  }
}

function item(kind: ItemKind, frontId: string, frontConversationId: string, inbox: string) {
  return { kind, frontId, frontConversationId, inbox };
}

function withStatus(
  base: Pick<ReportItem, 'kind' | 'frontId' | 'frontConversationId' | 'inbox'>,
  status: ItemStatus,
  extra: Partial<ReportItem> = {},
): ReportItem {
  const result: ReportItem = { ...base, status, ...extra };
  if (status === 'imported') {
    result.missiveConversationId = `mc-${base.frontConversationId ?? base.frontId}`;
    if (base.kind === 'comment') result.missivePostId = `mp-${base.frontId}`;
  }
  if (status === 'skipped' && result.reason === undefined) result.reason = `Not imported: ${base.kind} rule`;
  if (status === 'failed') {
    result.reason = `HTTP 422: invalid payload (Authorization: Bearer ${TOKEN})`;
  }
  return result;
}

function sampleHeader(overrides: Partial<ReportHeader> = {}): ReportHeader {
  return {
    startedAt: '2025-03-01T09:00:00.000Z',
    finishedAt: '2025-03-01T12:30:00.000Z',
    generatedAt: '2025-03-01T12:31:00.000Z',
    missive: { apiBase: 'https://public.missiveapp.com/v1', organization: 'org-123' },
    sources: [
      {
        name: 'export-1.zip',
        size: 123_456_789,
        entries: 4200,
        unrecognized: [{ path: 'inboxes/bad.json', reason: 'Malformed JSON' }],
      },
      { name: 'export-2.zip', size: 1000, entries: 12, unrecognized: [] },
    ],
    ...overrides,
  };
}

/** Drains an async iterable of chunks into one string. */
async function collect(chunks: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  const parts: string[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { text: parts.join(''), count: parts.length };
}

// ---- Tests ----

function accumulate(items: Iterable<ReportItem>, options = {}) {
  const accumulator = new ReportTotalsAccumulator({ secrets: [TOKEN], ...options });
  const outcomes = [...items].map((item) => accumulator.add(item));
  return { accumulator, outcomes, summary: accumulator.summary() };
}

describe('report accounting', () => {
  it('counts every kind and status so that found = imported + skipped + failed + pending', () => {
    const items = [...generatedItems(200)];
    const { summary } = accumulate(items);

    expect(() => assertAccountingIdentity(summary.totals)).not.toThrow();
    for (const kind of ITEM_KINDS) {
      const expected = items.filter((item) => item.kind === kind);
      expect(summary.totals[kind].found).toBe(expected.length);
      for (const status of ITEM_STATUSES) {
        expect(summary.totals[kind][status]).toBe(expected.filter((item) => item.status === status).length);
      }
    }
    // The generator really covers every status of every kind except emails (always skipped).
    for (const kind of ['conversation', 'sms', 'comment', 'other_message', 'contact'] as ItemKind[]) {
      for (const status of ITEM_STATUSES) expect(summary.totals[kind][status]).toBeGreaterThan(0);
    }
  });

  it('rejects a second item with the same kind and Front ID, and the second pass drops it too', async () => {
    const items = [...generatedItems(20)];
    const repeated = items[6] as ReportItem; // an SMS found again in a second zip, now "imported"
    const withDuplicates = [...items, { ...repeated, status: 'imported' as const }, { ...repeated }];
    const { outcomes, summary } = accumulate(withDuplicates);

    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(2);
    expect(summary.duplicates).toEqual([{ kind: repeated.kind, frontId: repeated.frontId, occurrences: 2 }]);
    expect(summary.totals).toEqual(accumulate(items).summary.totals);

    const secondPass: ReportItem[] = [];
    for await (const item of withoutRejectedDuplicates(withDuplicates, summary.duplicates))
      secondPass.push(item);
    expect(secondPass).toEqual(items);
  });

  it('treats the same Front ID under another kind as a different object', () => {
    const { outcomes } = accumulate([
      { kind: 'conversation', frontId: 'cnv_1', frontConversationId: 'cnv_1', status: 'imported' },
      { kind: 'contact', frontId: 'cnv_1', frontConversationId: null, status: 'imported' },
    ]);
    expect(outcomes).toEqual(['counted', 'counted']);
  });

  it('gives totals per inbox, items without an inbox last', () => {
    const { summary } = accumulate(generatedItems(30));
    expect(summary.perInbox.map((entry) => entry.inbox)).toEqual(['Sales <EU>', 'SMS line', 'Support', null]);
    const sum = emptyReportTotals();
    for (const { totals } of summary.perInbox) {
      expect(accountingIdentityViolations(totals)).toEqual([]);
      for (const kind of ITEM_KINDS) sum[kind].found += totals[kind].found;
    }
    for (const kind of ITEM_KINDS) expect(sum[kind].found).toBe(summary.totals[kind].found);
    expect(summary.perInbox.at(-1)?.totals.contact.found).toBe(summary.totals.contact.found);
  });

  it('groups skipped items by reason and failures by error text, redacting the token', () => {
    const { summary } = accumulate(generatedItems(40));
    const onMailServer = summary.skippedByReason.find((g) => g.reason === SKIP_REASONS.emailSynced);
    expect(onMailServer).toMatchObject({ count: 20, byKind: { email: 20 } });
    expect(onMailServer?.examples).toHaveLength(3);
    expect(summary.emailsOnMailServer).toBe(20);
    expect(summary.conversationsOver400Sms).toBe(1);

    const allText = JSON.stringify(summary);
    expect(allText).not.toContain(TOKEN);
    expect(summary.failedByReason).toHaveLength(1);
    expect(summary.failedByReason[0]?.reason).toBe(
      'HTTP 422: invalid payload (Authorization: Bearer [redacted])',
    );
    const failed = ITEM_KINDS.reduce((sum, kind) => sum + summary.totals[kind].failed, 0);
    expect(summary.failedByReason[0]?.count).toBe(failed);
    expect(summary.failures).toHaveLength(failed);
  });

  it('caps the failures kept and the distinct reasons, counting the rest', () => {
    const failures: ReportItem[] = Array.from({ length: 25 }, (_, i) => ({
      kind: 'sms',
      frontId: `msg_${i}`,
      frontConversationId: 'cnv_1',
      status: 'failed',
      reason: `error number ${i}`,
    }));
    const { summary } = accumulate(failures, { maxFailuresListed: 10, maxReasonGroups: 5 });
    expect(summary.failures).toHaveLength(10);
    expect(summary.failuresNotListed).toBe(15);
    expect(summary.failedByReason).toHaveLength(6);
    expect(summary.failedByReason[0]).toMatchObject({ reason: OTHER_REASONS, count: 20 });
  });

  it('keeps comment attachment names, capped', () => {
    const { summary } = accumulate(generatedItems(50), { maxCommentAttachmentsListed: 4 });
    expect(summary.commentAttachments).toHaveLength(4);
    expect(summary.commentAttachments[0]).toEqual({
      frontId: 'com_0',
      frontConversationId: 'cnv_0',
      names: ['scan-0.pdf', 'photo.jpg'],
    });
    expect(summary.commentAttachmentsNotListed).toBe(6);
  });

  it('detects totals that do not add up, and objects found in the export but missing from the items', () => {
    const totals = emptyReportTotals();
    totals.sms = { found: 10, imported: 5, skipped: 1, failed: 1, pending: 2 };
    expect(() => assertAccountingIdentity(totals)).toThrow(AccountingIdentityError);
    expect(accountingIdentityViolations(totals).map((v) => v.kind)).toEqual(['sms']);

    const { summary } = accumulate(generatedItems(10));
    expect(() => assertAccountingIdentity(summary.totals, { sms: 10, comment: 10 })).not.toThrow();
    expect(() => assertAccountingIdentity(summary.totals, { sms: 11 })).toThrow(/11 found in the export, 10/);
  });

  it('refuses an unknown kind or status rather than miscounting it', () => {
    const accumulator = new ReportTotalsAccumulator();
    const bad = { kind: 'tweet', frontId: 'x', frontConversationId: null, status: 'imported' };
    expect(() => accumulator.add(bad as unknown as ReportItem)).toThrow(TypeError);
    const badStatus = { kind: 'sms', frontId: 'x', frontConversationId: null, status: 'done' };
    expect(() => accumulator.add(badStatus as unknown as ReportItem)).toThrow(TypeError);
  });

  it('returns copies, so a partial summary does not change as counting continues', () => {
    const accumulator = new ReportTotalsAccumulator();
    accumulator.add({
      kind: 'sms',
      frontId: 'msg_1',
      frontConversationId: 'cnv_1',
      status: 'skipped',
      reason: 'r',
    });
    const partial = accumulator.summary();
    accumulator.add({
      kind: 'sms',
      frontId: 'msg_2',
      frontConversationId: 'cnv_1',
      status: 'skipped',
      reason: 'r',
    });
    expect(partial.totals.sms.found).toBe(1);
    expect(partial.skippedByReason[0]?.count).toBe(1);
    expect(accumulator.totals.sms.found).toBe(2);
  });
});

describe('JSON report', () => {
  it('parses back to the exact shape, with every item once and totals that match the items', async () => {
    const items = [...generatedItems(60)];
    const accumulator = new ReportTotalsAccumulator({ secrets: [TOKEN] });
    for (const item of items) accumulator.add(item);
    const { totals } = accumulator.summary();

    const { text } = await collect(reportJsonChunks(sampleHeader(), totals, items, { secrets: [TOKEN] }));
    expect(text).not.toContain(TOKEN);
    const report = JSON.parse(text) as Record<string, unknown>;

    expect(Object.keys(report)).toEqual([
      'format',
      'version',
      'startedAt',
      'finishedAt',
      'generatedAt',
      'missive',
      'sources',
      'totals',
      'items',
      'itemsMatchTotals',
    ]);
    expect(report).toMatchObject({
      format: 'front-missive-import-report',
      version: 1,
      startedAt: '2025-03-01T09:00:00.000Z',
      finishedAt: '2025-03-01T12:30:00.000Z',
      missive: { apiBase: 'https://public.missiveapp.com/v1', organization: 'org-123' },
      sources: sampleHeader().sources,
      totals,
      itemsMatchTotals: true,
    });
    expect(Object.keys(report.totals as object)).toEqual([...ITEM_KINDS]);

    const written = report.items as ReportItem[];
    expect(written).toHaveLength(items.length);
    expect(new Set(written.map((item) => `${item.kind}/${item.frontId}`)).size).toBe(items.length);
    const allowedKeys = new Set([
      'kind',
      'frontId',
      'frontConversationId',
      'status',
      'reason',
      'missiveConversationId',
      'missivePostId',
      'inbox',
      'subject',
      'target',
      'flags',
      'attachmentsNotImported',
    ]);
    for (const item of written) {
      for (const key of Object.keys(item)) expect(allowedKeys.has(key)).toBe(true);
    }
    const recount = new ReportTotalsAccumulator();
    for (const item of written) recount.add(item);
    expect(recount.totals).toEqual(report.totals);
    assertAccountingIdentity(report.totals as typeof totals);
    expect(written.find((item) => item.status === 'failed')?.reason).toBe(
      'HTTP 422: invalid payload (Authorization: Bearer [redacted])',
    );
  });

  it('writes a partial report (not finished, no organization, no items) as valid JSON', async () => {
    const header = sampleHeader({
      finishedAt: null,
      missive: { apiBase: 'http://127.0.0.1:4010/v1', organization: null },
    });
    const { text } = await collect(reportJsonChunks(header, emptyReportTotals(), []));
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(report).toMatchObject({
      finishedAt: null,
      missive: { organization: null },
      items: [],
      itemsMatchTotals: true,
    });
  });

  it('says so in the file when the items written do not match the totals of the first pass', async () => {
    const totals = emptyReportTotals();
    totals.sms = { found: 2, imported: 1, skipped: 0, failed: 0, pending: 1 };
    const items: ReportItem[] = [
      { kind: 'sms', frontId: 'msg_1', frontConversationId: 'cnv_1', status: 'imported' },
      { kind: 'sms', frontId: 'msg_2', frontConversationId: 'cnv_1', status: 'imported' }, // was pending in pass 1
    ];
    const report = JSON.parse((await collect(reportJsonChunks(sampleHeader(), totals, items))).text) as {
      itemsMatchTotals: boolean;
      itemsTotals: { sms: object };
    };
    expect(report.itemsMatchTotals).toBe(false);
    expect(report.itemsTotals.sms).toEqual({ found: 2, imported: 2, skipped: 0, failed: 0, pending: 0 });
  });

  it('never writes fields the report does not define, and strips credentials from the API base', async () => {
    const smuggled = {
      kind: 'sms',
      frontId: 'msg_1',
      frontConversationId: 'cnv_1',
      status: 'imported',
      token: TOKEN,
    } as unknown as ReportItem;
    const header = sampleHeader({
      missive: { apiBase: `https://user:pw@proxy.example/v1?key=${TOKEN}`, organization: null },
    });
    const { text } = await collect(reportJsonChunks(header, emptyReportTotals(), [smuggled]));
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('pw@');
    expect(text).toContain('"apiBase": "https://proxy.example/v1"');
  });

  it('streams 200,000 items chunk by chunk without pulling them all first', async () => {
    const total = 200_000;
    let pulled = 0;
    async function* lazyItems(): AsyncGenerator<ReportItem> {
      for (let i = 0; i < total; i += 1) {
        pulled += 1;
        yield { kind: 'sms', frontId: `msg_${i}`, frontConversationId: `cnv_${i >> 4}`, status: 'imported' };
      }
    }
    const totals = emptyReportTotals();
    totals.sms = { found: total, imported: total, skipped: 0, failed: 0, pending: 0 };

    const chunkSize = 64 * 1024;
    const pulledAtChunk: number[] = [];
    let characters = 0;
    let largest = 0;
    let tail = '';
    for await (const chunk of reportJsonChunks(sampleHeader(), totals, lazyItems(), { chunkSize })) {
      pulledAtChunk.push(pulled);
      characters += chunk.length;
      largest = Math.max(largest, chunk.length);
      tail = chunk.slice(-60);
    }

    expect(pulled).toBe(total);
    // The writer keeps at most one chunk of items: each chunk arrives after ~1,000 more items,
    // never after all of them.
    expect(pulledAtChunk[0]).toBeLessThan(2000);
    const gaps = pulledAtChunk.slice(1).map((count, i) => count - (pulledAtChunk[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(2000);
    expect(pulledAtChunk.length).toBeGreaterThanOrEqual(Math.floor(characters / chunkSize));
    expect(largest).toBeLessThan(chunkSize + 200);
    expect(tail).toContain('"itemsMatchTotals": true');
  });
});

describe('duplicate detection set', () => {
  it('tells 300,000 distinct keys apart and recognises each again', () => {
    const set = new HashedKeySet(16);
    const keys = Array.from({ length: 300_000 }, (_, i) => `sms\u0000msg_${i.toString(36)}`);
    expect(keys.every((key) => set.add(key))).toBe(true);
    expect(set.size).toBe(300_000);
    expect(keys.some((key) => set.add(key))).toBe(false);
    expect(set.add('')).toBe(true);
    expect(set.add('')).toBe(false);
  });
});

describe('report sources', () => {
  it('attaches unrecognised entries to their zip file, keeping entries of unknown files', () => {
    const sources = reportSources(
      [
        { name: 'a.zip', size: 10, entries: 3 },
        { name: 'b.zip', size: 20, entries: 4 },
      ],
      [
        { source: 'b.zip', path: 'x.json', reason: 'Malformed JSON' },
        { source: 'c.zip', path: 'y.bin', reason: 'Unknown file' },
      ],
    );
    expect(sources).toEqual([
      { name: 'a.zip', size: 10, entries: 3, unrecognized: [] },
      { name: 'b.zip', size: 20, entries: 4, unrecognized: [{ path: 'x.json', reason: 'Malformed JSON' }] },
      { name: 'c.zip', size: 0, entries: 0, unrecognized: [{ path: 'y.bin', reason: 'Unknown file' }] },
    ]);
  });
});
