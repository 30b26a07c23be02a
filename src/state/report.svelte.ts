/**
 * The report, as the page sees it: the last view from the report worker (totals per kind and per
 * inbox, reasons), one page of filtered items (never the whole list), the downloads, and the retry
 * buttons, which call the import's own actions. The worker does all the reading and writing.
 */
import type { Remote } from 'comlink';
import { proxy } from 'comlink';
import type { ReportApi, ReportDownload, ReportProgress, ReportView } from '../adapters/report/report-api.ts';
import {
  REPORT_MIME_TYPES,
  reportFileName,
  type ReportFormat,
  type WritableTarget,
} from '../adapters/report/report-download.ts';
import type { ItemFilter, ItemsPage } from '../adapters/report/report-snapshot.ts';
import { WorkerBridge } from '../lib/worker-bridge.ts';
import type { Connection } from './connection.svelte.ts';
import type { ImportState } from './import.svelte.ts';
import type { Settings } from './settings.svelte.ts';

/** What the state needs from the worker bridge (a fake in tests). */
export interface ReportBridge {
  call<R>(signal: AbortSignal | undefined, fn: (api: Remote<ReportApi>) => Promise<R>): Promise<R>;
}

export function createReportBridge(): ReportBridge {
  return new WorkerBridge<ReportApi>(
    // Vite bundles the worker from this exact `new Worker(new URL(..., import.meta.url))` form; not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    () => new Worker(new URL('../../workers/report.worker.ts', import.meta.url), { type: 'module' }),
  );
}

/** Items shown per page: a screenful, whatever the report's size. */
export const REPORT_PAGE_SIZE = 50;

/** How files leave the page: a file the user picks (streamed to disk by the worker), or a link to a Blob. */
export interface FileSaver {
  /** Asks where to save (File System Access); null when the browser cannot, undefined when the user cancelled. */
  pick(name: string, format: ReportFormat): Promise<WritableTarget | null | undefined>;
  /** Hands a Blob to the browser's downloads. */
  save(name: string, blob: Blob): void;
}

export interface ReportStateDeps {
  bridge: ReportBridge;
  connection: Connection;
  settings: Settings;
  /** The import's actions, for the retry buttons; null while the page has no import state. */
  importState?: ImportState | null;
  saver?: FileSaver;
}

export class ReportState {
  view = $state.raw<ReportView | null>(null);
  /** Items read while a snapshot is taken. */
  progress = $state.raw<ReportProgress | null>(null);
  busy = $state<null | 'refreshing' | 'downloading'>(null);
  error = $state<string | null>(null);
  /** The last file saved, in words. */
  notice = $state<string | null>(null);
  filter = $state.raw<ItemFilter>({});
  page = $state.raw<ItemsPage | null>(null);

  readonly failed = $derived(this.#count('failed'));
  readonly pending = $derived(this.#count('pending'));
  readonly #deps: ReportStateDeps;
  readonly #saver: FileSaver;

  constructor(deps: ReportStateDeps) {
    this.#deps = deps;
    this.#saver = deps.saver ?? browserSaver();
  }

  /** Walks the export and the ledger again (or reuses the last walk when nothing changed). */
  async refresh(fresh = true): Promise<void> {
    if (this.busy) return;
    this.busy = 'refreshing';
    this.error = null;
    try {
      const onProgress = proxy((progress: ReportProgress) => (this.progress = progress));
      const view = await this.#deps.bridge.call(undefined, (api) =>
        api.view(this.#request(), fresh, onProgress),
      );
      this.view = view;
      await this.#loadPage(this.page?.offset ?? 0);
    } catch (error) {
      this.error = `Could not build the report: ${text(error)}`;
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  async setFilter(filter: ItemFilter): Promise<void> {
    this.filter = filter;
    await this.#loadPage(0);
  }

  async goTo(offset: number): Promise<void> {
    await this.#loadPage(Math.max(0, offset));
  }

  /** Saves the report file; a partial report while the import runs or is paused. */
  async download(format: ReportFormat): Promise<void> {
    if (this.busy) return;
    const header = this.view?.header;
    const now = isoNow();
    const suggested = reportFileName(format, {
      startedAt: header?.startedAt ?? now,
      finishedAt: header?.finishedAt ?? null,
      generatedAt: now,
      missive: { apiBase: '', organization: null },
      sources: [],
    });
    // The picker must open in the click itself, before anything else is awaited.
    const target = await this.#saver.pick(suggested, format);
    if (target === undefined) return;
    this.busy = 'downloading';
    this.error = null;
    this.notice = null;
    try {
      const onProgress = proxy((progress: ReportProgress) => (this.progress = progress));
      const file: ReportDownload = await this.#deps.bridge.call(undefined, (api) =>
        api.download(format, this.#request(), target, onProgress),
      );
      if (file.blob) this.#saver.save(file.name, file.blob);
      this.notice = `Saved ${target ? suggested : file.name}.`;
      // The download took a new snapshot when anything had changed: show the same numbers.
      this.view = file.view;
      await this.#loadPage(this.page?.offset ?? 0);
    } catch (error) {
      this.error = `Could not write the report: ${text(error)}`;
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  /** A new run with the last run's choices: failed items are sent again (and pending ones too). */
  async retryFailed(): Promise<void> {
    const importState = this.#deps.importState;
    if (!importState) return;
    const retry = await this.#deps.bridge.call(undefined, (api) => api.retryPlan());
    if (!retry) {
      this.error = 'There is no import to retry yet.';
      return;
    }
    await importState.start(retry.mode, retry.plan);
    await this.refresh();
  }

  /** Resume: pending items are sent (comments whose email has reached Missive since, items in flight). */
  async retryPending(): Promise<void> {
    const importState = this.#deps.importState;
    if (!importState) return;
    await importState.resume();
    await this.refresh();
  }

  #request() {
    const token = this.#deps.connection.token.trim();
    return { secrets: token ? [token] : [], apiBase: this.#deps.settings.apiBase };
  }

  async #loadPage(offset: number): Promise<void> {
    if (!this.view) return;
    const filter = { ...this.filter };
    try {
      this.page = await this.#deps.bridge.call(undefined, (api) =>
        api.page(filter, offset, REPORT_PAGE_SIZE),
      );
    } catch (error) {
      this.error = `Could not read the items: ${text(error)}`;
    }
  }

  #count(status: 'failed' | 'pending'): number {
    const totals = this.view?.summary.totals;
    if (!totals) return 0;
    return Object.values(totals).reduce((sum, kind) => sum + kind[status], 0);
  }
}

type SavePicker = (options: {
  suggestedName: string;
  types: { description: string; accept: Record<string, string[]> }[];
}) => Promise<WritableTarget>;

/** showSaveFilePicker where the browser has it (Chromium), else a download link to the worker's Blob. */
export function browserSaver(): FileSaver {
  return {
    async pick(name, format) {
      const picker = (globalThis as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
      if (typeof picker !== 'function') return null;
      const mime = REPORT_MIME_TYPES[format].split(';')[0]!;
      try {
        return await picker({
          suggestedName: name,
          types: [{ description: `${format.toUpperCase()} file`, accept: { [mime]: [`.${format}`] } }],
        });
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError') return undefined; // the user cancelled
        return null;
      }
    },
    save(name, blob) {
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
      // The browser has taken the file by then; a minute is generous.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  };
}

function isoNow(): string {
  return new Date(Date.now()).toISOString();
}

export function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
