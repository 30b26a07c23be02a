/**
 * The loaded Front export, as the page sees it: the dropped files, the ingest progress, the Export
 * summary, the inboxes and the problems found. All the work happens in the ingest worker; this class
 * only holds what the worker reports (big lists as `$state.raw`, replaced whole, never deep-proxied).
 */
import { proxy, type Remote } from 'comlink';
import type { IngestApi } from '../adapters/ingest-api.ts';
import type { IngestMessage, IngestProgress } from '../adapters/ingest-pipeline.ts';
import type { ImportEstimate, InboxView, IndexSnapshot } from '../adapters/store-summary.ts';
import type { UnrecognizedRow } from '../adapters/store-schema.ts';
import type { ExportSummary } from '../domain/front/contract.ts';
import type { SourceFile } from '../domain/model.ts';
import { INGEST_LOCK, INGEST_RUNNING_ELSEWHERE, RunLock } from '../lib/run-lock.ts';
import { WorkerBridge } from '../lib/worker-bridge.ts';

/** What the state needs from the worker bridge (a fake in tests). */
export interface IngestBridge {
  call<R>(signal: AbortSignal | undefined, fn: (api: Remote<IngestApi>) => Promise<R>): Promise<R>;
  terminate(): void;
}

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  /** Whether the browser promised not to evict the index under storage pressure. */
  persisted: boolean | null;
}

export type ExportStatus = 'loading' | 'idle' | 'ingesting' | 'cancelling' | 'clearing';

type StorageManagerLike = Pick<StorageManager, 'estimate' | 'persist' | 'persisted'>;

const UNRECOGNIZED_PAGE = 100;

export function createIngestBridge(): IngestBridge {
  return new WorkerBridge<IngestApi>(
    // Vite bundles the worker from this exact `new Worker(new URL(..., import.meta.url))` form; not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    () => new Worker(new URL('../../workers/ingest.worker.ts', import.meta.url), { type: 'module' }),
    { cancel: (api) => api.cancel(), graceMs: 5000 },
  );
}

/** Files the importer can read: .zip only; the reason for each file it cannot. */
export function checkDroppedFiles(files: Iterable<File>): { zips: File[]; problems: IngestMessage[] } {
  const zips: File[] = [];
  const problems: IngestMessage[] = [];
  for (const file of files) {
    const lower = file.name.toLowerCase();
    if (lower.endsWith('.zip')) {
      zips.push(file);
      continue;
    }
    let text = `"${file.name}" is not a .zip file and was not read. Drop the .zip files of your Front export, as Front sent them.`;
    if (lower.endsWith('.json') || lower.endsWith('.eml')) {
      text = `"${file.name}" looks like a file taken out of the export. Drop the .zip files as Front sent them (do not unzip them).`;
    } else if (lower.endsWith('.csv')) {
      text = `"${file.name}" is a CSV file: this importer reads Front's JSON export. Ask Front support for the export in JSON format.`;
    }
    problems.push({ file: file.name, entry: null, text, count: 1, level: 'error' });
  }
  return { zips, problems };
}

export const FOLDER_DROPPED_MESSAGE =
  'You dropped a folder. Drop the .zip files of your Front export themselves (open the folder and select ' +
  'the .zip files); an unzipped export cannot be read.';

export class ExportState {
  status = $state<ExportStatus>('loading');
  sources = $state.raw<SourceFile[]>([]);
  progress = $state.raw<IngestProgress | null>(null);
  summary = $state.raw<ExportSummary | null>(null);
  estimate = $state.raw<ImportEstimate | null>(null);
  inboxes = $state.raw<InboxView[]>([]);
  unrecognized = $state.raw<UnrecognizedRow[]>([]);
  /** Problems and notes of the last drop and the last run. */
  messages = $state.raw<IngestMessage[]>([]);
  storage = $state.raw<StorageInfo | null>(null);
  /** Files dropped while another ingest runs: indexed right after it. */
  queued = $state.raw<File[]>([]);
  /** Another tab of this browser holds the ingest's run lock: this tab indexes nothing meanwhile. */
  busyElsewhere = $state(false);

  readonly busy = $derived(this.status !== 'idle');
  readonly hasMoreUnrecognized = $derived(
    this.summary !== null && this.unrecognized.length < this.summary.unrecognized.total,
  );

  #bridge: IngestBridge;
  #storage: StorageManagerLike | null;
  #controller: AbortController | null = null;
  #running: Promise<void> | null = null;
  readonly #runLock: RunLock;

  constructor(
    bridge: IngestBridge = createIngestBridge(),
    storage: StorageManagerLike | null = defaultStorage(),
    runLock: RunLock = new RunLock(),
  ) {
    this.#bridge = bridge;
    this.#storage = storage;
    this.#runLock = runLock;
    runLock.watch(
      () => INGEST_LOCK,
      (elsewhere) => {
        const ended = this.busyElsewhere && !elsewhere;
        this.busyElsewhere = elsewhere;
        // The other tab's ingest ended: show what it indexed.
        if (ended && this.status === 'idle') {
          this.messages = this.messages.filter(
            (message) => !message.text.startsWith(INGEST_RUNNING_ELSEWHERE),
          );
          void this.#reload();
        }
      },
    );
  }

  /** Shows what earlier sessions indexed (after a reload, the summary is there at once). */
  async load(): Promise<void> {
    this.status = 'loading';
    try {
      const snapshot = await this.#bridge.call(undefined, (api) => api.load());
      // Files dropped while the saved index was opening are being indexed: their run owns the state now
      // (status, Cancel, the newer snapshot it ends with).
      if (this.status === 'loading') this.#apply(snapshot);
    } catch (error) {
      if (this.status === 'loading')
        this.messages = [failure('the saved index', `Could not open the saved index: ${text(error)}`)];
    } finally {
      if (this.status === 'loading') this.status = 'idle';
    }
    await this.refreshStorage(false);
  }

  /** Indexes the dropped files (the .zip ones; the others get a message). */
  async addFiles(files: Iterable<File>): Promise<void> {
    const { zips, problems } = checkDroppedFiles(files);
    if (problems.length > 0 || zips.length > 0) this.messages = problems;
    if (zips.length === 0) return;
    if (this.status === 'ingesting' || this.status === 'cancelling') {
      this.queued = [...this.queued, ...zips];
      return;
    }
    void this.refreshStorage(true);
    this.#running = this.#runLocked(zips);
    try {
      await this.#running;
    } finally {
      this.#running = null;
    }
  }

  /** A drop the page could not take (a folder): say why. */
  reject(message: string): void {
    this.messages = [failure('', message)];
  }

  /** Stops the running ingest after the entry in progress; what is done is kept and resumes later. */
  cancel(): void {
    if (!this.#controller) return;
    this.queued = [];
    this.status = 'cancelling';
    this.#controller.abort();
  }

  async clear(): Promise<void> {
    this.cancel();
    await this.#running?.catch(() => undefined);
    this.status = 'clearing';
    // Under the ingest's lock: never wipe the index another tab is writing.
    const ran = await this.#runLock.runExclusive(INGEST_LOCK, async () => {
      try {
        this.#apply(await this.#bridge.call(undefined, (api) => api.clear()));
        this.progress = null;
        this.messages = [];
      } catch (error) {
        this.messages = [failure('', `Could not clear the index: ${text(error)}`)];
      }
    });
    this.status = 'idle';
    if (!ran) {
      this.busyElsewhere = true;
      this.messages = [failure('', `${INGEST_RUNNING_ELSEWHERE}: the index was not cleared.`)];
    }
    await this.refreshStorage(false);
  }

  async setSmtpForwarding(inboxKey: string, smtpForwarding: boolean): Promise<void> {
    // Shown at once; the worker's answer replaces it.
    this.inboxes = this.inboxes.map((inbox) =>
      inbox.key === inboxKey ? { ...inbox, smtpForwarding } : inbox,
    );
    try {
      this.#apply(
        await this.#bridge.call(undefined, (api) => api.setSmtpForwarding(inboxKey, smtpForwarding)),
      );
    } catch (error) {
      this.messages = [failure('', `Could not save the inbox setting: ${text(error)}`)];
    }
  }

  async loadMoreUnrecognized(): Promise<void> {
    const offset = this.unrecognized.length;
    const more = await this.#bridge.call(undefined, (api) => api.listUnrecognized(offset, UNRECOGNIZED_PAGE));
    this.unrecognized = [...this.unrecognized, ...more];
  }

  /** Reads how much storage the index uses; asks for persistent storage first when `persist`. */
  async refreshStorage(persist: boolean): Promise<void> {
    const storage = this.#storage;
    if (!storage) return;
    try {
      let persisted = await storage.persisted().catch(() => null);
      if (persist && persisted === false) persisted = await storage.persist().catch(() => false);
      const estimate = await storage.estimate();
      this.storage = { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
    } catch {
      // Storage estimates are informative only.
    }
  }

  /** The ingest (and the drops queued meanwhile) under the ingest's run lock, or a refusal. */
  async #runLocked(zips: File[]): Promise<void> {
    this.status = 'ingesting'; // a second drop while the lock is asked for is queued
    const ran = await this.#runLock.runExclusive(INGEST_LOCK, () => this.#run(zips));
    if (ran) return;
    this.status = 'idle';
    this.busyElsewhere = true;
    const dropped = [...zips, ...this.queued].map((file) => `"${file.name}"`).join(', ');
    this.queued = [];
    this.messages = [
      ...this.messages,
      failure(
        '',
        `${INGEST_RUNNING_ELSEWHERE}: ${dropped} not read here. Drop them again once it has finished there.`,
      ),
    ];
  }

  async #run(zips: File[]): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'ingesting';
    this.progress = null;
    const onProgress = proxy((progress: IngestProgress) => {
      // Runs on the page: keep it to an assignment (the worker already throttles to ~10 Hz).
      if (this.#controller === controller) this.progress = progress;
    });
    try {
      const result = await this.#bridge.call(controller.signal, (api) => api.ingest(zips, onProgress));
      this.progress = result.progress;
      this.messages = [...this.messages, ...result.messages];
      this.#apply(result.snapshot);
    } catch (error) {
      // The worker did not stop in time and was restarted: what it committed is in the index.
      if (controller.signal.aborted) {
        this.messages = [
          ...this.messages,
          {
            file: '',
            entry: null,
            text: 'Cancelled. Everything indexed so far is kept; drop the same files again to resume.',
            count: 1,
            level: 'info',
          },
        ];
      } else {
        this.messages = [...this.messages, failure('', `Indexing stopped: ${text(error)}`)];
      }
      this.progress = this.progress ? { ...this.progress, running: false } : null;
      await this.#reload();
    } finally {
      if (this.#controller === controller) this.#controller = null;
      this.status = 'idle';
    }
    await this.refreshStorage(false);
    const next = this.queued;
    if (next.length > 0 && !controller.signal.aborted) {
      this.queued = [];
      await this.#run(next);
    }
  }

  async #reload(): Promise<void> {
    try {
      this.#apply(await this.#bridge.call(undefined, (api) => api.load()));
    } catch {
      // The message about the failure is already shown.
    }
  }

  #apply(snapshot: IndexSnapshot): void {
    this.sources = snapshot.sources;
    this.summary = snapshot.summary;
    this.estimate = snapshot.estimate;
    this.inboxes = snapshot.inboxes;
    this.unrecognized = snapshot.unrecognized;
  }
}

function defaultStorage(): StorageManagerLike | null {
  return typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null;
}

function failure(file: string, message: string): IngestMessage {
  return { file, entry: null, text: message, count: 1, level: 'error' };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
