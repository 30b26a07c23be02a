/**
 * The import report (issue 5). Typical use in the report worker:
 *
 *   const accumulator = new ReportTotalsAccumulator({ secrets: [token] });
 *   for await (const item of store.reportItems()) accumulator.add(item);          // pass 1
 *   const summary = accumulator.summary();
 *   const items = withoutRejectedDuplicates(store.reportItems(), summary.duplicates); // pass 2
 *   for await (const chunk of reportJsonChunks(header, summary.totals, items, { secrets: [token] })) write(chunk);
 *
 * The CSV is a second pass of its own (reportCsvChunks); the HTML needs only the summary.
 */
export * from './types.ts';
export * from './redact.ts';
export * from './accounting.ts';
export { ChunkBuffer, DEFAULT_CHUNK_SIZE } from './chunks.ts';
export { CSV_LINE_END, csvCell, csvRow, protectFormula } from './csv.ts';
export { reportJsonChunks, type ReportWriterOptions } from './json-report.ts';
export { REPORT_CSV_COLUMNS, reportCsvChunks } from './csv-report.ts';
export {
  KIND_LABELS,
  escapeHtml,
  formatBytes,
  formatCount,
  reportHtmlChunks,
  type HtmlReportOptions,
} from './html-report.ts';
export { sanitizeReportHeader, sanitizeReportItem, withoutCredentials } from './sanitize.ts';
export { reportSources } from './sources.ts';
