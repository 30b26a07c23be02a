/**
 * One consistent picture of the report: the items are walked once (the walk is the costly part),
 * counted by the report's accumulator, and kept as JSON lines in Blob chunks. The downloads (JSON,
 * CSV) replay exactly those items, so totals and items always agree, even while the import runs;
 * the on-screen view pages through them with a filter, reading only the chunks it shows.
 *
 * Per chunk, counts by (status, kind, reason) tell which chunks hold matches: a page of failed items
 * out of a million reads one or two chunks, never the whole list.
 */
import type { ItemKind, ItemStatus } from '../../domain/model.ts';
import { ReportTotalsAccumulator, OTHER_REASONS } from '../../domain/report/accounting.ts';
import { sanitizeReportItem } from '../../domain/report/sanitize.ts';
import type { ReportItem, ReportSummary } from '../../domain/report/types.ts';

export interface ItemFilter {
  kind?: ItemKind | null;
  status?: ItemStatus | null;
  /** Exact reason text; '' for items without one; OTHER_REASONS for the reasons past the cap. */
  reason?: string | null;
}

export interface ReasonCount {
  status: ItemStatus;
  kind: ItemKind;
  /** '' when the items carry no reason. */
  reason: string;
  count: number;
}

export interface ItemsPage {
  items: ReportItem[];
  /** Items matching the filter, over the whole snapshot. */
  total: number;
  offset: number;
}

/** Items per Blob chunk: ~0.5 MB of JSON, a page's read. */
const DEFAULT_CHUNK_ITEMS = 2000;
/** Distinct reason texts told apart for filtering; more fall into OTHER_REASONS. */
const MAX_REASONS = 500;
const OTHER_REASON_ID = -1;

interface ChunkCount {
  status: ItemStatus;
  kind: ItemKind;
  reasonId: number;
  count: number;
}

interface Chunk {
  blob: Blob;
  counts: ChunkCount[];
}

export interface SnapshotOptions {
  /** Strings redacted from every text before it is kept (the Missive token). */
  secrets?: readonly string[];
  chunkItems?: number;
}

export class ReportSnapshotBuilder {
  private readonly accumulator: ReportTotalsAccumulator;
  private readonly secrets: readonly string[];
  private readonly chunkItems: number;
  private readonly chunks: Chunk[] = [];
  private readonly reasonIds = new Map<string, number>();
  private readonly reasonTexts: string[] = [];
  private lines: string[] = [];
  private counts = new Map<string, ChunkCount>();
  private itemCount = 0;

  constructor(options: SnapshotOptions = {}) {
    this.secrets = options.secrets ?? [];
    this.chunkItems = options.chunkItems ?? DEFAULT_CHUNK_ITEMS;
    this.accumulator = new ReportTotalsAccumulator({ secrets: this.secrets });
  }

  get count(): number {
    return this.itemCount;
  }

  /** Counts and keeps the item; a repeat of an item already kept is counted as a duplicate only. */
  add(item: ReportItem): void {
    if (this.accumulator.add(item) === 'duplicate') return;
    const safe = sanitizeReportItem(item, this.secrets);
    this.lines.push(JSON.stringify(safe));
    const reasonId = this.reasonId(safe.reason ?? '');
    const key = `${safe.status}\u0000${safe.kind}\u0000${reasonId}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { status: safe.status, kind: safe.kind, reasonId, count: 1 });
    this.itemCount += 1;
    if (this.lines.length >= this.chunkItems) this.closeChunk();
  }

  finish(): ReportSnapshot {
    this.closeChunk();
    return new ReportSnapshot(this.accumulator.summary(), this.chunks, this.reasonTexts, this.itemCount);
  }

  private reasonId(reason: string): number {
    const known = this.reasonIds.get(reason);
    if (known !== undefined) return known;
    if (this.reasonTexts.length >= MAX_REASONS) return OTHER_REASON_ID;
    const id = this.reasonTexts.length;
    this.reasonTexts.push(reason);
    this.reasonIds.set(reason, id);
    return id;
  }

  private closeChunk(): void {
    if (this.lines.length === 0) return;
    this.chunks.push({ blob: new Blob([this.lines.join('\n')]), counts: [...this.counts.values()] });
    this.lines = [];
    this.counts = new Map();
  }
}

export class ReportSnapshot {
  constructor(
    readonly summary: ReportSummary,
    private readonly chunks: readonly Chunk[],
    private readonly reasonTexts: readonly string[],
    readonly itemCount: number,
  ) {}

  /** Reasons of skipped, failed and pending items per kind, most frequent first. */
  reasons(): ReasonCount[] {
    const byKey = new Map<string, ReasonCount>();
    for (const chunk of this.chunks) {
      for (const entry of chunk.counts) {
        if (entry.status === 'imported') continue;
        const reason =
          entry.reasonId === OTHER_REASON_ID ? OTHER_REASONS : (this.reasonTexts[entry.reasonId] ?? '');
        const key = `${entry.status}\u0000${entry.kind}\u0000${reason}`;
        const known = byKey.get(key);
        if (known) known.count += entry.count;
        else byKey.set(key, { status: entry.status, kind: entry.kind, reason, count: entry.count });
      }
    }
    return [...byKey.values()].sort((a, b) => b.count - a.count || compare(a.reason, b.reason));
  }

  /** Items matching the filter, in report order. */
  async *items(filter: ItemFilter = {}): AsyncGenerator<ReportItem> {
    const match = this.matcher(filter);
    for (const chunk of this.chunks) {
      if (this.matchesIn(chunk, filter) === 0) continue;
      for (const item of await readChunk(chunk)) if (match(item)) yield item;
    }
  }

  /** One page of the items matching the filter: reads only the chunks that hold it. */
  async page(filter: ItemFilter, offset: number, limit: number): Promise<ItemsPage> {
    const match = this.matcher(filter);
    const counts = this.chunks.map((chunk) => this.matchesIn(chunk, filter));
    const total = counts.reduce((sum, n) => sum + n, 0);
    const items: ReportItem[] = [];
    let skip = Math.max(0, offset);
    for (let i = 0; i < this.chunks.length && items.length < limit; i += 1) {
      const inChunk = counts[i] ?? 0;
      if (skip >= inChunk) {
        skip -= inChunk;
        continue;
      }
      for (const item of await readChunk(this.chunks[i]!)) {
        if (!match(item)) continue;
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        items.push(item);
        if (items.length >= limit) break;
      }
    }
    return { items, total, offset: Math.max(0, offset) };
  }

  private matchesIn(chunk: Chunk, filter: ItemFilter): number {
    const reasonId = this.reasonIdOf(filter.reason);
    let count = 0;
    for (const entry of chunk.counts) {
      if (filter.status && entry.status !== filter.status) continue;
      if (filter.kind && entry.kind !== filter.kind) continue;
      if (reasonId !== null && entry.reasonId !== reasonId) continue;
      count += entry.count;
    }
    return count;
  }

  private matcher(filter: ItemFilter): (item: ReportItem) => boolean {
    const reasonId = this.reasonIdOf(filter.reason);
    const known = new Set(this.reasonTexts);
    return (item) => {
      if (filter.status && item.status !== filter.status) return false;
      if (filter.kind && item.kind !== filter.kind) return false;
      if (reasonId === null) return true;
      const reason = item.reason ?? '';
      return reasonId === OTHER_REASON_ID ? !known.has(reason) : reason === filter.reason;
    };
  }

  /** null: no reason filter; a reason not in the snapshot matches nothing (-2). */
  private reasonIdOf(reason: string | null | undefined): number | null {
    if (reason === null || reason === undefined) return null;
    if (reason === OTHER_REASONS && this.reasonTexts.length >= MAX_REASONS) return OTHER_REASON_ID;
    const id = this.reasonTexts.indexOf(reason);
    return id === -1 ? -2 : id;
  }
}

async function readChunk(chunk: Chunk): Promise<ReportItem[]> {
  const text = await chunk.blob.text();
  return text.split('\n').map((line) => JSON.parse(line) as ReportItem);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
