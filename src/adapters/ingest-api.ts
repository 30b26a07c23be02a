/**
 * The API the ingest worker exposes (through comlink). A plain object over the pipeline and the store, so
 * it runs the same in the worker and in unit tests.
 */
import type { EntryRef, SourceFile } from '../domain/model.ts';
import { ExportStore, type UnrecognizedRow } from './store.ts';
import { IngestPipeline, type IngestProgress, type IngestResult } from './ingest-pipeline.ts';
import type { IndexSnapshot } from './store-summary.ts';
import { fingerprint, readEntryByPath, type SourceBlob } from './zip-source.ts';

export interface IngestApiOptions {
  dbName?: string;
  progressIntervalMs?: number;
}

export interface IngestApi {
  /** The index as it stands (after a reload: what earlier sessions indexed). */
  load(): Promise<IndexSnapshot>;
  /** Indexes the files; runs one after another when called again before the previous one ended. */
  ingest(files: SourceBlob[], onProgress?: (progress: IngestProgress) => void): Promise<IngestResult>;
  /** Stops the running ingest (and the queued ones) after the entry in progress; what is done is kept. */
  cancel(): void;
  setSmtpForwarding(inboxKey: string, smtpForwarding: boolean): Promise<IndexSnapshot>;
  listUnrecognized(offset: number, limit: number): Promise<UnrecognizedRow[]>;
  /** Deletes the whole index. */
  clear(): Promise<IndexSnapshot>;
  /** Of these source fingerprints, the files the user must drop again for their bytes to be read. */
  filesToDropAgain(sourceIds: string[]): Promise<SourceFile[]>;
  /** The bytes of an entry (attachment, .eml) from a file dropped in this session, or null. */
  readEntry(ref: EntryRef): Promise<Uint8Array | null>;
}

export function createIngestApi(options: IngestApiOptions = {}): IngestApi {
  let storePromise: Promise<ExportStore> | null = null;
  const store = () => (storePromise ??= ExportStore.open(options.dbName ? { name: options.dbName } : {}));
  /** Files dropped in this session, by fingerprint: the import step reads attachment bytes from them. */
  const files = new Map<string, SourceBlob>();
  const running = new Set<AbortController>();
  let queue: Promise<unknown> = Promise.resolve();

  const snapshot = async (recompute = false) => new IngestPipeline(await store()).snapshot(recompute);

  return {
    load: () => snapshot(),

    ingest(list, onProgress) {
      const controller = new AbortController();
      running.add(controller);
      for (const file of list) files.set(fingerprint(file), file);
      const run = queue.then(async () => {
        try {
          const pipeline = new IngestPipeline(await store(), {
            ...(onProgress ? { onProgress } : {}),
            ...(options.progressIntervalMs !== undefined
              ? { progressIntervalMs: options.progressIntervalMs }
              : {}),
          });
          return await pipeline.ingest(list, controller.signal);
        } finally {
          running.delete(controller);
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },

    cancel() {
      for (const controller of running) controller.abort();
    },

    async setSmtpForwarding(inboxKey, smtpForwarding) {
      await (await store()).setSmtpForwarding(inboxKey, smtpForwarding);
      return snapshot(true);
    },

    async listUnrecognized(offset, limit) {
      return (await store()).listUnrecognized(offset, limit);
    },

    async clear() {
      for (const controller of running) controller.abort();
      await queue;
      files.clear();
      await (await store()).clear();
      return snapshot(true);
    },

    async filesToDropAgain(sourceIds) {
      return (await store()).sourcesToDropAgain(sourceIds, new Set(files.keys()));
    },

    async readEntry(ref) {
      const file = files.get(ref.source);
      if (!file) return null;
      return readEntryByPath(file, ref.path);
    },
  };
}
