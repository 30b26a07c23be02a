/** The report's header from the ledger's run metadata and the export index's files (never the token). */
import { reportSources } from '../../domain/report/sources.ts';
import type { ReportHeader } from '../../domain/report/types.ts';
import type { RunMeta } from '../ledger-schema.ts';
import type { ExportStore, UnrecognizedRow } from '../store.ts';

const UNRECOGNIZED_PAGE = 2000;

export interface HeaderFallback {
  /** The API base the page uses, for a report made before any run. */
  apiBase: string;
  /** Unix ms: when the report is generated. */
  now: number;
}

/**
 * `finishedAt` is set only once a full run finished: a trial, a paused or a running import gives
 * a partial report (null).
 */
export async function reportHeader(
  store: ExportStore,
  run: RunMeta | undefined,
  fallback: HeaderFallback,
): Promise<ReportHeader> {
  const [files, unrecognized] = await Promise.all([store.listSources(), allUnrecognized(store)]);
  const finished = run?.state === 'finished' && run.mode === 'full' && run.finishedAt !== null;
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  return {
    startedAt: new Date(run?.startedAt ?? fallback.now).toISOString(),
    finishedAt: finished ? new Date(run.finishedAt!).toISOString() : null,
    generatedAt: new Date(fallback.now).toISOString(),
    missive: { apiBase: run?.apiBase ?? fallback.apiBase, organization: run?.target.organization || null },
    sources: reportSources(sorted, unrecognized),
  };
}

async function allUnrecognized(store: ExportStore): Promise<UnrecognizedRow[]> {
  const rows: UnrecognizedRow[] = [];
  for (let offset = 0; ; offset += UNRECOGNIZED_PAGE) {
    const page = await store.listUnrecognized(offset, UNRECOGNIZED_PAGE);
    rows.push(...page);
    if (page.length < UNRECOGNIZED_PAGE) return rows;
  }
}
