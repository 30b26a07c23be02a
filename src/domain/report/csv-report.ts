/** The report's items as CSV, streamed (RFC 4180, formula-protected; see csv.ts). */
import type { ReportItem } from './types.ts';
import { ChunkBuffer } from './chunks.ts';
import { csvRow } from './csv.ts';
import type { ReportWriterOptions } from './json-report.ts';
import { sanitizeReportItem } from './sanitize.ts';

export const REPORT_CSV_COLUMNS = [
  'kind',
  'frontId',
  'frontConversationId',
  'status',
  'reason',
  'missiveConversationId',
  'missivePostId',
  'inbox',
] as const;

/** Yields the header row, then one row per item, in chunks. */
export async function* reportCsvChunks(
  items: AsyncIterable<ReportItem> | Iterable<ReportItem>,
  options: ReportWriterOptions = {},
): AsyncGenerator<string> {
  const secrets = options.secrets ?? [];
  const buffer = new ChunkBuffer(options.chunkSize);
  buffer.push(csvRow(REPORT_CSV_COLUMNS));
  for await (const item of items) {
    const safe = sanitizeReportItem(item, secrets);
    const chunk = buffer.push(
      csvRow([
        safe.kind,
        safe.frontId,
        safe.frontConversationId,
        safe.status,
        safe.reason,
        safe.missiveConversationId,
        safe.missivePostId,
        safe.inbox,
      ]),
    );
    if (chunk !== null) yield chunk;
  }
  const rest = buffer.flush();
  if (rest !== null) yield rest;
}
