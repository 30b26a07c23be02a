/**
 * Benchmark (run on demand): a report of a million items from a generated export index and import
 * ledger in fake IndexedDB, through the same code the report worker runs: the walk into a snapshot,
 * the JSON, CSV and HTML files as Blobs, and a filtered page. Prints times and memory.
 *
 *   REPORT_BENCH=1 NODE_OPTIONS="--expose-gc --max-old-space-size=16000" \
 *     npx vitest run tests/unit/report-items-million.test.ts
 *
 * 100,000 conversations × (1 conversation + 6 SMS + 1 email + 2 comments) = 1,000,000 items; the
 * ledger holds a row for each (70 % done, 5 % failed, the rest pending; emails skipped).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Ledger, type LedgerItem, type LedgerConversation } from '../../src/adapters/ledger.ts';
import { createReportApi } from '../../src/adapters/report/report-api.ts';
import { ContactOutcomeStore } from '../../src/adapters/report/contact-outcomes.ts';
import { ExportStore, emptyStats, type ConversationRow } from '../../src/adapters/store.ts';
import { SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import type { Comment, Message } from '../../src/domain/model.ts';

const CONVERSATIONS = Number(process.env.REPORT_BENCH_CONVERSATIONS ?? 100_000);
const BATCH = 2000;

function id(prefix: string, n: number): string {
  return `${prefix}_${n.toString(36).padStart(6, '0')}`;
}

function message(conversationId: string, frontId: string, kind: 'sms' | 'email', at: number): Message {
  return {
    id: frontId,
    conversationId,
    kind,
    frontType: kind,
    isInbound: true,
    isDraft: false,
    createdAt: at,
    subject: '',
    body: 'Hello, is my order on its way?',
    text: 'Hello, is my order on its way?',
    authorName: null,
    recipients: [{ handle: '+15550001111', name: 'Ann', role: 'from' }],
    attachments: [],
    messageId: kind === 'email' ? `<${frontId}@example.com>` : null,
    inReplyTo: null,
    references: [],
    eml: null,
  };
}

function comment(conversationId: string, frontId: string, at: number): Comment {
  return {
    id: frontId,
    conversationId,
    authorName: 'Bo',
    authorEmail: 'bo@team.example',
    body: 'Called back, all good.',
    postedAt: at,
    attachments: [],
    isPinned: false,
  };
}

function ledgerItem(
  frontId: string,
  kind: LedgerItem['kind'],
  conversationId: string,
  n: number,
): LedgerItem {
  const roll = n % 20;
  const status: LedgerItem['status'] =
    kind === 'email' ? 'skipped' : roll < 14 ? 'done' : roll === 14 ? 'failed' : 'pending';
  return {
    frontId,
    kind,
    conversationId,
    status,
    reason:
      status === 'skipped'
        ? SKIP_REASONS.emailSynced
        : status === 'failed'
          ? 'HTTP 422: body is too long'
          : null,
    flags: [],
    parts: 1,
    partsDone: status === 'done' ? 1 : 0,
    attempt: null,
    missive: {
      conversationId: status === 'done' ? `mc-${conversationId}` : null,
      messageIds: status === 'done' && kind === 'sms' ? [`mm-${frontId}`] : [],
      postIds: status === 'done' && kind === 'comment' ? [`mp-${frontId}`] : [],
    },
    updatedAt: 0,
  };
}

async function populate(store: ExportStore, ledger: Ledger): Promise<number> {
  let items = 0;
  for (let start = 0; start < CONVERSATIONS; start += BATCH) {
    const rows: ConversationRow[] = [];
    const messages: Message[] = [];
    const comments: Comment[] = [];
    const ledgerItems: LedgerItem[] = [];
    const ledgerConversations: LedgerConversation[] = [];
    for (let c = start; c < Math.min(CONVERSATIONS, start + BATCH); c += 1) {
      const cnv = id('cnv', c);
      const stats = { ...emptyStats(), sms: 6, emails: 1, comments: 2, emailsWithMessageId: 1 };
      rows.push({
        id: cnv,
        seen: true,
        subject: `Order ${c}`,
        status: 'archived',
        type: 'conversation',
        createdAt: c * 1000,
        inboxKeys: [c % 2 ? 'inb_sms' : 'inb_support'],
        tags: [],
        assigneeName: null,
        recipientHandle: null,
        stats,
      });
      for (let s = 0; s < 6; s += 1) {
        const frontId = id('msg', c * 10 + s);
        messages.push(message(cnv, frontId, 'sms', c * 1000 + s));
        ledgerItems.push(ledgerItem(frontId, 'sms', cnv, c * 10 + s));
      }
      const email = id('msg', c * 10 + 6);
      messages.push(message(cnv, email, 'email', c * 1000 + 6));
      ledgerItems.push(ledgerItem(email, 'email', cnv, c));
      for (let k = 0; k < 2; k += 1) {
        const frontId = id('com', c * 10 + k);
        comments.push(comment(cnv, frontId, c * 1000 + 7 + k));
        ledgerItems.push(ledgerItem(frontId, 'comment', cnv, c * 10 + 7 + k));
      }
      ledgerConversations.push({
        frontId: cnv,
        status: 'done',
        reason: null,
        flags: [],
        order: c * 1000,
        commentRoute: 'sms',
        lookupMessageId: null,
        missiveConversationId: `mc-${cnv}`,
        webUrl: null,
        smsSent: 6,
        trial: false,
      });
      items += 10;
    }
    const tx = store.db.transaction(['conversations', 'messages', 'comments'], 'readwrite');
    for (const row of rows) void tx.objectStore('conversations').put(row);
    for (const row of messages) void tx.objectStore('messages').put(row);
    for (const row of comments) void tx.objectStore('comments').put(row);
    await tx.done;
    const ltx = ledger.db.transaction(['items', 'conversations'], 'readwrite');
    for (const row of ledgerItems) void ltx.objectStore('items').put(row);
    for (const row of ledgerConversations) void ltx.objectStore('conversations').put(row);
    await ltx.done;
  }
  return items;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

describe.skipIf(!process.env.REPORT_BENCH)('report of a million items (benchmark)', () => {
  it('walks, counts and writes a million items in bounded memory', async () => {
    const store = await ExportStore.open({ name: 'bench-export' });
    const ledger = await Ledger.open({ name: 'bench-ledger' });
    const t0 = performance.now();
    const items = await populate(store, ledger);
    gc();
    const baseline = process.memoryUsage();
    console.log(
      `populated ${items.toLocaleString('en-US')} items in ${Math.round(performance.now() - t0)} ms; heap ${mb(baseline.heapUsed)}`,
    );

    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
    const api = createReportApi({
      exportDbName: 'bench-export',
      ledgerDbName: 'bench-ledger',
      contactsDbName: 'bench-contacts',
    });
    const request = { secrets: ['missive_pat-bench'], apiBase: 'https://public.missiveapp.com/v1' };
    const time = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      const result = await work();
      console.log(`${label}: ${Math.round(performance.now() - start)} ms`);
      return result;
    };
    const view = await time('snapshot (walk + count + keep)', () => api.view(request, true));
    expect(view.itemCount).toBe(items);
    expect(view.violations).toEqual([]);
    const json = await time('JSON file (Blob)', () => api.download('json', request, null));
    const csv = await time('CSV file (Blob)', () => api.download('csv', request, null));
    const html = await time('HTML summary (Blob)', () => api.download('html', request, null));
    const failed = Object.values(view.summary.totals).reduce((sum, kind) => sum + kind.failed, 0);
    const offset = Math.floor(failed * 0.8);
    const page = await time(`page of failed items at offset ${offset.toLocaleString('en-US')}`, () =>
      api.page({ status: 'failed' }, offset, 50),
    );
    expect(page.items).toHaveLength(50);
    clearInterval(sampler);
    const after = process.memoryUsage();
    console.log(
      `files: JSON ${mb(json.blob!.size)}, CSV ${mb(csv.blob!.size)}, HTML ${Math.round(html.blob!.size / 1024)} KB`,
    );
    console.log(
      `heap: baseline ${mb(baseline.heapUsed)}, peak ${mb(peakHeap)} (+${mb(peakHeap - baseline.heapUsed)}); ` +
        `Blob/external memory +${mb(after.external + after.arrayBuffers - baseline.external - baseline.arrayBuffers)}`,
    );
    gc();
    console.log(
      `heap after GC, snapshot still held: ${mb(process.memoryUsage().heapUsed)} (baseline ${mb(baseline.heapUsed)})`,
    );
    // The head of the JSON holds the totals; the items follow one per line.
    const head = await json.blob!.slice(0, 4000).text();
    expect(head).toContain('"format": "front-missive-import-report"');
    store.close();
    ledger.close();
    await Promise.all([
      ExportStore.destroy('bench-export'),
      Ledger.destroy('bench-ledger'),
      ContactOutcomeStore.destroy('bench-contacts'),
    ]);
  }, 3_600_000);
});
