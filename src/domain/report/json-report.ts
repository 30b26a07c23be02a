/**
 * The JSON report, streamed: header, sources and totals first, then the items one per line, so a
 * million items never sit in memory. This is the second pass over the items (see accounting.ts):
 * the totals were computed by ReportTotalsAccumulator in the first pass.
 */
import { countItem, emptyReportTotals } from './accounting.ts';
import { ChunkBuffer } from './chunks.ts';
import { sanitizeReportHeader, sanitizeReportItem } from './sanitize.ts';
import {
  ITEM_KINDS,
  REPORT_FORMAT,
  REPORT_VERSION,
  type KindTotals,
  type ReportHeader,
  type ReportItem,
  type ReportTotals,
} from './types.ts';

export interface ReportWriterOptions {
  /** Strings to redact from every free-text field (pass the Missive token). */
  secrets?: readonly string[];
  /** Approximate characters per yielded chunk; default 64 Ki. */
  chunkSize?: number;
}

/**
 * Yields the report as JSON text chunks. `totals` comes from the first pass; `items` must replay
 * the same items (wrap them in withoutRejectedDuplicates when the first pass rejected some).
 *
 * After the items, `itemsMatchTotals` says whether the items written add up to `totals`; when they
 * do not (the store changed between the passes, e.g. a partial report during a running import),
 * `itemsTotals` gives the totals of the items actually written instead of failing the download.
 */
export async function* reportJsonChunks(
  header: ReportHeader,
  totals: ReportTotals,
  items: AsyncIterable<ReportItem> | Iterable<ReportItem>,
  options: ReportWriterOptions = {},
): AsyncGenerator<string> {
  const secrets = options.secrets ?? [];
  const buffer = new ChunkBuffer(options.chunkSize);
  const written = emptyReportTotals();

  const head = buffer.push(jsonHead(sanitizeReportHeader(header, secrets), totals));
  if (head !== null) yield head;

  let separator = '\n    ';
  for await (const item of items) {
    const safe = sanitizeReportItem(item, secrets);
    countItem(written, safe.kind, safe.status);
    const chunk = buffer.push(separator + JSON.stringify(safe));
    separator = ',\n    ';
    if (chunk !== null) yield chunk;
  }

  const tail = buffer.push(jsonTail(totals, written, separator !== '\n    '));
  if (tail !== null) yield tail;
  const rest = buffer.flush();
  if (rest !== null) yield rest;
}

function jsonHead(header: ReportHeader, totals: ReportTotals): string {
  const fields: [string, unknown][] = [
    ['format', REPORT_FORMAT],
    ['version', REPORT_VERSION],
    ['startedAt', header.startedAt],
    ['finishedAt', header.finishedAt],
  ];
  if (header.generatedAt !== undefined) fields.push(['generatedAt', header.generatedAt]);
  fields.push(['missive', header.missive], ['sources', header.sources], ['totals', orderedTotals(totals)]);
  const lines = fields.map(([key, value]) => `  ${JSON.stringify(key)}: ${indentedJson(value)}`);
  return `{\n${lines.join(',\n')},\n  "items": [`;
}

function jsonTail(totals: ReportTotals, written: ReportTotals, anyItem: boolean): string {
  const matches = totalsEqual(totals, written);
  let tail = `${anyItem ? '\n  ' : ''}],\n  "itemsMatchTotals": ${matches}`;
  if (!matches) tail += `,\n  "itemsTotals": ${indentedJson(orderedTotals(written))}`;
  return `${tail}\n}\n`;
}

/** Totals with every kind and field in a fixed order, whatever order or gaps the input has. */
function orderedTotals(totals: ReportTotals): ReportTotals {
  const complete = emptyReportTotals();
  for (const kind of ITEM_KINDS) {
    const given = totals[kind] as KindTotals | undefined;
    if (given === undefined) continue;
    const { found, imported, skipped, failed, pending } = given;
    complete[kind] = { found, imported, skipped, failed, pending };
  }
  return complete;
}

function totalsEqual(a: ReportTotals, b: ReportTotals): boolean {
  return ITEM_KINDS.every((kind) => {
    const x = a[kind] as KindTotals | undefined;
    const y = b[kind];
    return (
      x !== undefined &&
      x.found === y.found &&
      x.imported === y.imported &&
      x.skipped === y.skipped &&
      x.failed === y.failed &&
      x.pending === y.pending
    );
  });
}

/** Pretty JSON nested two spaces deeper (JSON strings never hold raw newlines, so this is safe). */
function indentedJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', '\n  ');
}
