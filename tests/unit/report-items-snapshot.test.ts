/**
 * The report snapshot: items kept once in Blob chunks, counted by the report's accumulator, paged
 * with a filter over chunk boundaries, replayed in order for the downloads; the Blob sink.
 */
import { describe, expect, it } from 'vitest';
import { BlobSink } from '../../src/adapters/report/blob-sink.ts';
import { reportFileName, writeChunks } from '../../src/adapters/report/report-download.ts';
import { ReportSnapshotBuilder } from '../../src/adapters/report/report-snapshot.ts';
import type { ItemKind, ItemStatus } from '../../src/domain/model.ts';
import { OTHER_REASONS, type ReportItem } from '../../src/domain/report/index.ts';

const STATUSES: ItemStatus[] = ['imported', 'skipped', 'failed', 'pending'];
const KINDS: ItemKind[] = ['conversation', 'sms', 'comment', 'email'];
const TOKEN = 'missive_pat-abcdef0123456789';

function item(i: number): ReportItem {
  const status = STATUSES[i % 4]!;
  const base: ReportItem = {
    kind: KINDS[Math.floor(i / 4) % 4]!,
    frontId: `id_${i}`,
    frontConversationId: `cnv_${Math.floor(i / 10)}`,
    status,
  };
  if (status === 'skipped') base.reason = i % 8 === 1 ? 'reason A' : 'reason B';
  if (status === 'failed') base.reason = `HTTP 422: refused (Bearer ${TOKEN})`;
  return base;
}

function build(count: number, chunkItems = 7) {
  const builder = new ReportSnapshotBuilder({ secrets: [TOKEN], chunkItems });
  for (let i = 0; i < count; i += 1) builder.add(item(i));
  return builder.finish();
}

describe('report snapshot', () => {
  it('counts every item once and replays them in order, redacted', async () => {
    const builder = new ReportSnapshotBuilder({ secrets: [TOKEN], chunkItems: 7 });
    for (let i = 0; i < 100; i += 1) builder.add(item(i));
    builder.add(item(3)); // a repeat: counted as a duplicate, kept once
    const snapshot = builder.finish();
    expect(snapshot.itemCount).toBe(100);
    expect(snapshot.summary.duplicates).toEqual([{ kind: 'conversation', frontId: 'id_3', occurrences: 1 }]);
    const replayed: ReportItem[] = [];
    for await (const it of snapshot.items()) replayed.push(it);
    expect(replayed.map((i) => i.frontId)).toEqual(Array.from({ length: 100 }, (_, i) => `id_${i}`));
    expect(JSON.stringify(replayed)).not.toContain(TOKEN);
    expect(snapshot.summary.totals.sms.found).toBe(24);
  });

  it('pages a filter across chunk boundaries, and counts every match', async () => {
    const snapshot = build(1000);
    const failed = await snapshot.page({ status: 'failed' }, 0, 30);
    expect(failed.total).toBe(250);
    expect(failed.items.map((i) => i.frontId)).toEqual(
      Array.from({ length: 30 }, (_, k) => `id_${2 + 4 * k}`),
    );
    const later = await snapshot.page({ status: 'failed' }, 240, 30);
    expect(later.items).toHaveLength(10);
    expect(later.items[0]!.frontId).toBe(`id_${2 + 4 * 240}`);
    const reasonA = await snapshot.page({ status: 'skipped', reason: 'reason A' }, 0, 1000);
    expect(reasonA.total).toBe(125);
    expect(reasonA.items.every((i) => i.reason === 'reason A')).toBe(true);
    const smsPending = await snapshot.page({ status: 'pending', kind: 'sms' }, 0, 1000);
    expect(smsPending.items.every((i) => i.kind === 'sms' && i.status === 'pending')).toBe(true);
    expect(smsPending.total).toBe(smsPending.items.length);
    expect((await snapshot.page({ reason: 'no such reason' }, 0, 10)).total).toBe(0);
    expect((await snapshot.page({}, 995, 10)).items.map((i) => i.frontId)).toEqual([
      'id_995',
      'id_996',
      'id_997',
      'id_998',
      'id_999',
    ]);
  });

  it('lists reasons with counts; past 500 distinct texts the rest are one group', async () => {
    const builder = new ReportSnapshotBuilder({ chunkItems: 100 });
    for (let i = 0; i < 700; i += 1) {
      builder.add({
        kind: 'sms',
        frontId: `m${i}`,
        frontConversationId: 'c',
        status: 'failed',
        reason: `error ${i}`,
      });
    }
    const snapshot = builder.finish();
    const reasons = snapshot.reasons();
    expect(reasons.find((r) => r.reason === OTHER_REASONS)).toEqual({
      status: 'failed',
      kind: 'sms',
      reason: OTHER_REASONS,
      count: 200,
    });
    expect((await snapshot.page({ reason: OTHER_REASONS }, 0, 1000)).total).toBe(200);
    expect((await snapshot.page({ reason: 'error 3' }, 0, 10)).items.map((i) => i.frontId)).toEqual(['m3']);
  });

  it('the Blob sink keeps text in Blob parts, in order', async () => {
    const sink = new BlobSink('text/plain', 10);
    for (let i = 0; i < 50; i += 1) sink.write(`line ${i}\n`);
    const blob = sink.blob();
    expect(blob.type).toBe('text/plain');
    expect((await blob.text()).split('\n')[49]).toBe('line 49');
    expect(sink.length).toBe(blob.size);
  });

  it('writes chunks to a picked file, or gathers them into a Blob', async () => {
    const written: string[] = [];
    let closed = false;
    const target = {
      createWritable: async () => ({
        write: async (text: string) => void written.push(text),
        close: async () => void (closed = true),
        abort: async () => undefined,
      }),
    };
    async function* chunks() {
      yield 'a';
      yield 'bc';
    }
    const toFile = await writeChunks(chunks(), { name: 'r.json', type: 'application/json' }, target);
    expect(toFile).toEqual({ name: 'r.json', type: 'application/json', blob: null, length: 3 });
    expect([written.join(''), closed]).toEqual(['abc', true]);
    const toBlob = await writeChunks(chunks(), { name: 'r.json', type: 'application/json' }, null);
    expect(await toBlob.blob!.text()).toBe('abc');
  });

  it('names the files: .json, partial when the import has not finished', () => {
    const header = {
      startedAt: '2024-05-01T10:00:00.000Z',
      finishedAt: null,
      generatedAt: '2024-05-01T12:30:00.123Z',
      missive: { apiBase: '', organization: null },
      sources: [],
    };
    expect(reportFileName('json', header)).toBe('front-missive-report-partial-2024-05-01T12-30-00Z.json');
    expect(reportFileName('csv', { ...header, finishedAt: '2024-05-01T12:00:00.000Z' })).toBe(
      'front-missive-report-items-2024-05-01T12-30-00Z.csv',
    );
  });
});
