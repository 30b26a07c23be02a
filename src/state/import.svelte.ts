/**
 * The import run, as the page sees it: the last progress snapshot from the import worker, the
 * buttons' actions (Start import, Pause, Resume), the user's choice for items Missive could not tell
 * about, and what a long run needs from the browser (a screen wake lock, a warning before leaving).
 * All the work happens in the worker; this class only holds what it reports.
 */
import { proxy, type Remote } from 'comlink';
import type { ImportApi } from '../adapters/import-engine-api.ts';
import type {
  ImportProgress,
  PlanRequest,
  RunRequest,
  UnknownChoice,
} from '../adapters/import-engine-types.ts';
import type { EntryRef } from '../domain/model.ts';
import { isLoopbackUrl, queryParam } from '../domain/missive-base.ts';
import { WorkerBridge } from '../lib/worker-bridge.ts';
import { IMPORT_LOCK, RUNNING_ELSEWHERE, RunLock } from '../lib/run-lock.ts';
import type { Connection } from './connection.svelte.ts';
import type { Settings } from './settings.svelte.ts';

/** What the state needs from the worker bridge (a fake in tests). */
export interface ImportBridge {
  call<R>(signal: AbortSignal | undefined, fn: (api: Remote<ImportApi>) => Promise<R>): Promise<R>;
}

export function createImportBridge(): ImportBridge {
  return new WorkerBridge<ImportApi>(
    // Vite bundles the worker from this exact `new Worker(new URL(..., import.meta.url))` form; not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    () => new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module' }),
  );
}

/**
 * `?import-time-scale=0.01` runs the import on compressed windows (a minute lasts 0.6 s), for tests
 * and demos against a sandbox started with the same compression. Honoured only together with a
 * loopback API base: against Missive itself the published limits always apply. Testbed build only:
 * the production bundle always keeps the published limits.
 */
export function importTimeScale(search: string, apiBase: string): number {
  if (!__TEST_HOOKS__) return 1;
  const raw = queryParam(search, 'import-time-scale');
  if (raw === null || !isLoopbackUrl(apiBase)) return 1;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : 1;
}

const ACTIVE_STATES = new Set<ImportProgress['state']>(['preparing', 'running', 'pausing']);

type WakeLockLike = {
  release(): Promise<void>;
  addEventListener?: (type: 'release', listener: () => void) => void;
};
interface BrowserHooks {
  /** `navigator.wakeLock.request('screen')`, when the browser has it. */
  requestWakeLock?: () => Promise<WakeLockLike>;
  addEventListener?: (type: 'beforeunload', listener: (event: BeforeUnloadEvent) => void) => void;
  onVisible?: (listener: () => void) => void;
}

export interface ImportStateDeps {
  bridge: ImportBridge;
  connection: Connection;
  settings: Settings;
  /** Attachment bytes from the export files dropped in this tab (through the ingest worker). */
  readFile: (ref: EntryRef) => Promise<Uint8Array | null>;
  search?: string;
  browser?: BrowserHooks;
  /** The cross-tab run lock (unit tests inject one over a fake LockManager). */
  runLock?: RunLock;
}

export class ImportState {
  progress = $state.raw<ImportProgress | null>(null);
  /** A failure of the page or the worker itself (not Missive's answers, which are in `progress`). */
  error = $state<string | null>(null);
  /** A button was pressed and the worker has not answered yet. */
  starting = $state(false);
  /** Another tab of this browser holds the import's run lock: this tab sends nothing. */
  busyElsewhere = $state(false);

  readonly state = $derived(this.progress?.state ?? 'idle');
  readonly running = $derived(this.starting || ACTIVE_STATES.has(this.state));
  /** A run that stopped before its end: Resume continues it. */
  readonly resumable = $derived(
    !this.running &&
      !this.busyElsewhere &&
      ['paused', 'needs-token', 'needs-decision', 'blocked'].includes(this.state),
  );
  readonly complete = $derived(this.state === 'finished' && this.progress?.mode === 'full');
  readonly trialComplete = $derived(this.state === 'finished' && this.progress?.mode === 'trial');

  readonly #deps: ImportStateDeps;
  #wakeLock: WakeLockLike | null = null;
  readonly #runLock: RunLock;

  constructor(deps: ImportStateDeps) {
    this.#deps = deps;
    this.#runLock = deps.runLock ?? new RunLock();
    this.#runLock.watch(
      () => IMPORT_LOCK,
      (elsewhere) => {
        const ended = this.busyElsewhere && !elsewhere;
        this.busyElsewhere = elsewhere;
        // The other tab's run ended: show where the ledger stands now (Resume, or complete).
        if (ended) {
          if (this.error?.startsWith(RUNNING_ELSEWHERE)) this.error = null;
          void this.load();
        }
      },
    );
    const browser = deps.browser ?? defaultBrowser();
    deps.browser = browser;
    // Closing the tab mid-run is safe (Resume continues), but stops the import: say so first.
    browser.addEventListener?.('beforeunload', (event) => {
      if (!this.running) return;
      event.preventDefault();
      event.returnValue = '';
    });
    browser.onVisible?.(() => void this.#syncWakeLock());
  }

  get timeScale(): number {
    return importTimeScale(this.#deps.search ?? '', this.#deps.settings.apiBase);
  }

  /** What the ledger says (after a reload: a run to resume). */
  async load(): Promise<void> {
    try {
      this.#accept(await this.#deps.bridge.call(undefined, (api) => api.status()));
    } catch (error) {
      this.error = `Could not read the import ledger: ${text(error)}`;
    }
  }

  start(mode: 'trial' | 'full', plan: PlanRequest): Promise<void> {
    return this.#run({ mode, plan });
  }

  resume(): Promise<void> {
    return this.#run({ mode: 'resume' });
  }

  async pause(): Promise<void> {
    if (!this.running) return;
    this.progress = this.progress ? { ...this.progress, state: 'pausing' } : null;
    await this.#deps.bridge.call(undefined, (api) => api.pause());
  }

  async decide(choice: UnknownChoice): Promise<void> {
    try {
      this.#accept(await this.#deps.bridge.call(undefined, (api) => api.decide(choice)));
    } catch (error) {
      this.error = text(error);
      return;
    }
    await this.resume();
  }

  async #run(request: Pick<RunRequest, 'mode' | 'plan'>): Promise<void> {
    const { connection } = this.#deps;
    if (this.running) return;
    if (!connection.token.trim()) {
      this.error = 'Enter your Missive API token first.';
      return;
    }
    this.starting = true; // a second press while the lock is asked for does nothing
    const ran = await this.#runLock.runExclusive(IMPORT_LOCK, () => this.#runLocked(request));
    if (!ran) {
      this.starting = false;
      this.busyElsewhere = true;
      this.error = `${RUNNING_ELSEWHERE}: it goes on there, and this tab sends nothing while it runs.`;
    }
  }

  /** The run itself, under the import's run lock from the first request to the last answer. */
  async #runLocked(request: Pick<RunRequest, 'mode' | 'plan'>): Promise<void> {
    const { connection, settings, bridge, readFile } = this.#deps;
    this.error = null;
    this.starting = true;
    void this.#syncWakeLock();
    const full: RunRequest = {
      ...request,
      token: connection.token.trim(),
      apiBase: settings.apiBase,
      user: connection.user
        ? { id: connection.user.id, name: connection.user.name ?? null, email: connection.user.email ?? null }
        : null,
      timeScale: this.timeScale,
    };
    const onProgress = proxy((progress: ImportProgress) => {
      // Runs on the page: an assignment (the worker already throttles to ~10 Hz).
      this.starting = false;
      this.#accept(progress);
    });
    const files = proxy((ref: EntryRef) => readFile(ref));
    try {
      this.#accept(await bridge.call(undefined, (api) => api.run(full, files, onProgress)));
    } catch (error) {
      this.error = `The import stopped: ${text(error)}`;
    } finally {
      this.starting = false;
      void this.#syncWakeLock();
    }
  }

  /** Snapshots come in order; a late one never moves the screen backwards. */
  #accept(progress: ImportProgress): void {
    const current = this.progress;
    if (current && progress.seq <= current.seq && progress.state === current.state) return;
    const wasRunning = this.running;
    this.progress = progress;
    if (wasRunning !== this.running) void this.#syncWakeLock();
  }

  /** A screen wake lock while the import runs (the browser drops it when the tab is hidden). */
  async #syncWakeLock(): Promise<void> {
    const request = this.#deps.browser?.requestWakeLock;
    if (this.running && !this.#wakeLock && request) {
      try {
        const lock = await request();
        this.#wakeLock = lock;
        // Hiding the tab releases it: asked again when the tab is visible (see the constructor).
        lock.addEventListener?.('release', () => {
          if (this.#wakeLock === lock) this.#wakeLock = null;
        });
      } catch {
        // Refused (battery saver, hidden tab): the import runs anyway.
      }
    } else if (!this.running && this.#wakeLock) {
      const lock = this.#wakeLock;
      this.#wakeLock = null;
      await lock.release().catch(() => undefined);
    }
  }
}

function defaultBrowser(): BrowserHooks {
  if (typeof window === 'undefined') return {};
  const wakeLock = (
    navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<WakeLockLike> } }
  ).wakeLock;
  return {
    ...(wakeLock ? { requestWakeLock: () => wakeLock.request('screen') } : {}),
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    onVisible: (listener) =>
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') listener();
      }),
  };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
