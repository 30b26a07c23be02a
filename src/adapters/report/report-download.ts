/**
 * Writes a report file from a snapshot: to the file the user picked (File System Access, streamed
 * to disk chunk by chunk), or into a Blob built in the worker (handed to the page, which only makes
 * a link of it). Either way the page never holds the text.
 */
import { reportCsvChunks } from '../../domain/report/csv-report.ts';
import { reportHtmlChunks } from '../../domain/report/html-report.ts';
import { reportJsonChunks } from '../../domain/report/json-report.ts';
import type { ReportHeader } from '../../domain/report/types.ts';
import { BlobSink } from './blob-sink.ts';
import type { ReportSnapshot } from './report-snapshot.ts';

export type ReportFormat = 'json' | 'csv' | 'html';

export const REPORT_MIME_TYPES: Record<ReportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv;charset=utf-8',
  html: 'text/html;charset=utf-8',
};

/** A file the user picked with showSaveFilePicker (a FileSystemFileHandle, cloned into the worker). */
export interface WritableTarget {
  createWritable(): Promise<{
    write(data: string): Promise<void>;
    close(): Promise<void>;
    abort(): Promise<void>;
  }>;
}

export interface ReportFile {
  name: string;
  type: string;
  /** The file, when no target was given; null when it was written to the target. */
  blob: Blob | null;
  /** Characters written. */
  length: number;
}

/** `front-missive-report-2024-05-01T12-30-00Z.json`; partial reports say so in the name. */
export function reportFileName(format: ReportFormat, header: ReportHeader): string {
  const stamp = (header.generatedAt ?? header.startedAt).replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const state = header.finishedAt === null ? '-partial' : '';
  const what = format === 'csv' ? '-items' : format === 'html' ? '-summary' : '';
  return `front-missive-report${state}${what}-${stamp}.${format}`;
}

export function reportChunks(
  format: ReportFormat,
  header: ReportHeader,
  snapshot: ReportSnapshot,
  secrets: readonly string[],
): AsyncGenerator<string> {
  if (format === 'json')
    return reportJsonChunks(header, snapshot.summary.totals, snapshot.items(), { secrets });
  if (format === 'csv') return reportCsvChunks(snapshot.items(), { secrets });
  return reportHtmlChunks(header, snapshot.summary, { secrets });
}

/** Streams the chunks to the target, or gathers them into a Blob. */
export async function writeChunks(
  chunks: AsyncIterable<string>,
  file: { name: string; type: string },
  target: WritableTarget | null,
): Promise<ReportFile> {
  let length = 0;
  if (target === null) {
    const sink = new BlobSink(file.type);
    for await (const chunk of chunks) sink.write(chunk);
    return { ...file, blob: sink.blob(), length: sink.length };
  }
  const writable = await target.createWritable();
  try {
    for await (const chunk of chunks) {
      await writable.write(chunk);
      length += chunk.length;
    }
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => undefined);
    throw error;
  }
  return { ...file, blob: null, length };
}
