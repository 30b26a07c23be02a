/**
 * The API the import worker exposes (through comlink): a plain object over the engine, the export
 * index and the ledger, so it runs the same in the worker and in Node tests. The token comes in with
 * each run and stays in the worker's memory only.
 */
import { ImportEngine, type ProgressListener, type ReadFile } from './import-engine.ts';
import type {
  ImportProgress,
  PlanOverview,
  PlanRequest,
  RunRequest,
  UnknownChoice,
} from './import-engine-types.ts';
import { Ledger } from './ledger.ts';
import { ExportStore } from './store.ts';

export interface ImportApiOptions {
  exportDbName?: string;
  ledgerDbName?: string;
  fetch?: typeof fetch;
}

export interface ImportApi {
  /** The run as the ledger knows it (after a reload: where it stopped). */
  status(): Promise<ImportProgress>;
  /** Totals for both comment modes, what is left, and the preview. Sends nothing. */
  plan(request: PlanRequest, timeScale: number): Promise<PlanOverview>;
  /** Sends until done, paused or stopped; progress comes through `onProgress` (~10 Hz). */
  run(request: RunRequest, readFile: ReadFile, onProgress: ProgressListener): Promise<ImportProgress>;
  /** Stops sending; requests in flight finish, then `run` resolves. */
  pause(): void;
  /** What to do with items Missive could not tell about. */
  decide(choice: UnknownChoice): Promise<ImportProgress>;
}

export function createImportApi(options: ImportApiOptions = {}): ImportApi {
  let engine: Promise<ImportEngine> | null = null;
  const open = () =>
    (engine ??= (async () => {
      const [store, ledger] = await Promise.all([
        ExportStore.open(options.exportDbName ? { name: options.exportDbName } : {}),
        Ledger.open(options.ledgerDbName ? { name: options.ledgerDbName } : {}),
      ]);
      return new ImportEngine({ store, ledger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    })());
  let current: ImportEngine | null = null;
  void open().then((e) => (current = e));

  return {
    status: async () => (await open()).status(),
    plan: async (request, timeScale) => (await open()).plan(request, timeScale),
    run: async (request, readFile, onProgress) => (await open()).run(request, readFile, onProgress),
    pause: () => current?.pause(),
    decide: async (choice) => (await open()).decide(choice),
  };
}
