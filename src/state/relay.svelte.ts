/**
 * Relay mode on the page: which mail account gets the emails of the SMTP-forwarding inboxes, the
 * sign-in for it, the run's progress, the downloads for IMAP accounts, and the comments that wait
 * for Missive to sync the relayed emails. All the building and sending happens in the relay worker;
 * this class holds what it reports (big values as `$state.raw`). Tokens pass through to the worker
 * and are not kept here, nor stored anywhere.
 */
import { proxy, type Remote } from 'comlink';
import type { ConnectInfo, RelayApi } from '../adapters/relay/relay-api.ts';
import type { CommentsWaiting } from '../adapters/relay/comments-waiting.ts';
import type { ExportProgress, ExportRequest } from '../adapters/relay/file-export.ts';
import { GMAIL_API_BASE } from '../adapters/relay/gmail-target.ts';
import { GoogleSignIn, gisClientUrl, gmailApiFromQuery } from '../adapters/relay/google-identity.ts';
import { FASTMAIL_SESSION_URL } from '../adapters/relay/jmap-target.ts';
import type { RelayTargetRow } from '../adapters/relay/ledger.ts';
import { completeMicrosoftSignIn, signInWithMicrosoft } from '../adapters/relay/microsoft-identity.ts';
import type { RelayOverview, RelayProgress, RelayTargetKind } from '../adapters/relay/types.ts';
import { RELAY_RUNNING_ELSEWHERE, RunLock, relayLockName } from '../lib/run-lock.ts';
import { WorkerBridge } from '../lib/worker-bridge.ts';

export interface RelayBridge {
  call<R>(signal: AbortSignal | undefined, fn: (api: Remote<RelayApi>) => Promise<R>): Promise<R>;
  terminate(): void;
}

export function createRelayBridge(): RelayBridge {
  return new WorkerBridge<RelayApi>(
    // Vite bundles the worker from this exact `new Worker(new URL(..., import.meta.url))` form; not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    () => new Worker(new URL('../../workers/relay.worker.ts', import.meta.url), { type: 'module' }),
    { cancel: (api) => api.pause(), graceMs: 60_000 },
  );
}

/** What lets relay mode ask the Missive import to look for the relayed emails again (see App.svelte). */
export interface CommentRetryHook {
  /** The import has finished a run and is not running: a resume only re-checks what waits. */
  canRetry(): boolean;
  retry(): Promise<void>;
}

type SettingsStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const GOOGLE_CLIENT_KEY = 'front-missive:relay-google-client-id';
const MICROSOFT_CLIENT_KEY = 'front-missive:relay-microsoft-client-id';
/** The Microsoft redirect leaves the page: remember (in this tab) that relay mode asked for it. */
const MICROSOFT_PENDING_KEY = 'front-missive:relay-microsoft-pending';
/** How often relay mode asks the import to look for relayed emails in Missive again. */
export const COMMENT_RETRY_INTERVAL_MS = 2 * 60_000;

export interface DownloadDone {
  fileName: string;
  emails: number;
  bytes: number;
  /** 'picker': written into the file the user chose; 'blob': assembled in memory, then saved. */
  method: 'picker' | 'blob';
}

export interface RelayStateDeps {
  bridge?: RelayBridge;
  search?: string;
  /** localStorage: OAuth client IDs (not secrets). */
  settings?: SettingsStorage | null;
  /** sessionStorage: the Microsoft redirect marker. */
  tabStorage?: SettingsStorage | null;
  comments?: CommentRetryHook;
  /** The cross-tab run lock (unit tests inject one over a fake LockManager). */
  runLock?: RunLock;
}

const ACTIVE: ReadonlySet<string> = new Set(['preparing', 'running', 'pausing']);

export class RelayState {
  overview = $state.raw<RelayOverview | null>(null);
  choice = $state<RelayTargetKind>('gmail');
  progress = $state.raw<RelayProgress | null>(null);
  connected = $state.raw<ConnectInfo | null>(null);
  destination = $state<string | null>(null);
  /** The JMAP mailbox or Graph folder picked; '' = "Front import" (created when missing). */
  folderId = $state('');
  busy = $state<'connecting' | 'starting' | 'downloading' | null>(null);
  error = $state<string | null>(null);
  googleClientId = $state('');
  addToInbox = $state(false);
  jmapSessionUrl = $state(FASTMAIL_SESSION_URL);
  /** Typed by the user; handed to the worker on Connect, then cleared. */
  jmapToken = $state('');
  microsoftClientId = $state('');
  downloadProgress = $state.raw<ExportProgress | null>(null);
  downloads = $state.raw<DownloadDone[]>([]);
  earlierTargets = $state.raw<(RelayTargetRow & { done: number; failed: number })[]>([]);
  waiting = $state.raw<CommentsWaiting | null>(null);
  /** Ask the import to look again every two minutes while relayed emails wait. */
  autoPostComments = $state(true);
  /** Another tab of this browser relays to the connected account: this tab sends nothing to it. */
  busyElsewhere = $state(false);

  readonly running = $derived(this.busy === 'starting' || ACTIVE.has(this.progress?.state ?? 'idle'));
  readonly needsToken = $derived(this.progress?.state === 'needs-token');
  readonly gmailApiBase: string;
  /** Whether the browser can write a download straight into a file the user picks. */
  readonly canPickFile: boolean;

  readonly #bridge: RelayBridge;
  readonly #settings: SettingsStorage | null;
  readonly #tabStorage: SettingsStorage | null;
  readonly #google: GoogleSignIn;
  #comments: CommentRetryHook | null;
  #commentTimer: ReturnType<typeof setInterval> | null = null;
  readonly #runLock: RunLock;

  constructor(deps: RelayStateDeps = {}) {
    const search = deps.search ?? '';
    this.#runLock = deps.runLock ?? new RunLock();
    this.#runLock.watch(
      () => (this.connected ? relayLockName(this.connected.account.key) : null),
      (elsewhere) => {
        const ended = this.busyElsewhere && !elsewhere;
        this.busyElsewhere = elsewhere;
        // The other tab's run ended (or another account is connected): show where this one stands.
        if (ended) {
          if (this.error?.startsWith(RELAY_RUNNING_ELSEWHERE)) this.error = null;
          void this.#reloadProgress();
        }
      },
    );
    this.#bridge = deps.bridge ?? createRelayBridge();
    this.#settings = deps.settings ?? null;
    this.#tabStorage = deps.tabStorage ?? null;
    this.#comments = deps.comments ?? null;
    this.#google = new GoogleSignIn(gisClientUrl(search));
    this.gmailApiBase = gmailApiFromQuery(search) ?? GMAIL_API_BASE;
    this.googleClientId = this.#settings?.getItem(GOOGLE_CLIENT_KEY) ?? '';
    this.microsoftClientId = this.#settings?.getItem(MICROSOFT_CLIENT_KEY) ?? '';
    this.canPickFile = typeof window !== 'undefined' && 'showSaveFilePicker' in window;
  }

  /** What there is to relay, earlier runs, and (after a Microsoft redirect) the sign-in it brought back. */
  async load(): Promise<void> {
    await this.refresh();
    if (this.#tabStorage?.getItem(MICROSOFT_PENDING_KEY) && this.microsoftClientId) {
      this.#tabStorage.removeItem(MICROSOFT_PENDING_KEY);
      this.choice = 'graph';
      await this.#attempt('connecting', async () => {
        const signedIn = await completeMicrosoftSignIn(this.microsoftClientId);
        if (signedIn) await this.#connect({ kind: 'graph', token: signedIn.token });
      });
    }
  }

  /** Reads the overview again (after inboxes were marked or files dropped). */
  async refresh(): Promise<void> {
    try {
      this.overview = await this.#bridge.call(undefined, (api) => api.overview());
      this.earlierTargets = await this.#bridge.call(undefined, (api) => api.targets());
      await this.refreshWaiting();
    } catch (error) {
      this.error = `Could not read the export index: ${text(error)}`;
    }
  }

  /** Zips dropped for relay mode: the worker reads .eml files and attachments from them. */
  async addFiles(files: Iterable<File>): Promise<void> {
    const zips = [...files].filter((file) => file.name.toLowerCase().endsWith('.zip'));
    if (zips.length === 0) return;
    try {
      this.overview = await this.#bridge.call(undefined, (api) => api.addFiles(zips));
      if (this.progress?.state === 'needs-files' && this.progress.filesNeeded.length > 0) {
        this.progress = await this.#bridge.call(undefined, (api) => api.progress());
      }
    } catch (error) {
      this.error = `Could not open the dropped files: ${text(error)}`;
    }
  }

  /**
   * The Load step's drops are handed to the relay worker too, so files dropped there need not be
   * dropped again here. Wraps the method of that one instance; the Load step is unaware of it.
   */
  followDrops(exportState: { addFiles(files: Iterable<File>): Promise<void> }): void {
    const original = exportState.addFiles.bind(exportState);
    exportState.addFiles = (files: Iterable<File>) => {
      const list = [...files];
      void this.addFiles(list);
      return original(list);
    };
  }

  setGoogleClientId(value: string): void {
    this.googleClientId = value.trim();
    if (this.googleClientId) this.#settings?.setItem(GOOGLE_CLIENT_KEY, this.googleClientId);
    else this.#settings?.removeItem(GOOGLE_CLIENT_KEY);
  }

  setMicrosoftClientId(value: string): void {
    this.microsoftClientId = value.trim();
    if (this.microsoftClientId) this.#settings?.setItem(MICROSOFT_CLIENT_KEY, this.microsoftClientId);
    else this.#settings?.removeItem(MICROSOFT_CLIENT_KEY);
  }

  /** Loads Google's script while the user reads the form: the popup must open within the click. */
  preloadGoogle(): void {
    void this.#google.preload().catch((error: unknown) => (this.error = text(error)));
  }

  /** "Sign in with Google" (a click): token, then the account behind it. */
  async connectGmail(): Promise<void> {
    await this.#attempt('connecting', async () => {
      const { token } = await this.#google.requestToken(this.googleClientId);
      await this.#connect({ kind: 'gmail', token, apiBase: this.gmailApiBase, addToInbox: this.addToInbox });
    });
  }

  async connectJmap(): Promise<void> {
    await this.#attempt('connecting', async () => {
      const token = this.jmapToken.trim();
      if (!token) throw new Error('Paste an API token first.');
      await this.#connect({ kind: 'jmap', token, sessionUrl: this.jmapSessionUrl.trim() });
      this.jmapToken = '';
    });
  }

  /** Microsoft's sign-in: without a cached account the page goes to Microsoft and comes back. */
  async connectGraph(): Promise<void> {
    await this.#attempt('connecting', async () => {
      this.#tabStorage?.setItem(MICROSOFT_PENDING_KEY, '1');
      const signedIn = await signInWithMicrosoft(this.microsoftClientId);
      if (!signedIn) return; // navigating to Microsoft
      this.#tabStorage?.removeItem(MICROSOFT_PENDING_KEY);
      await this.#connect({ kind: 'graph', token: signedIn.token });
    });
  }

  async chooseFolder(id: string): Promise<void> {
    this.folderId = id;
    await this.#attempt(null, async () => {
      this.destination = await this.#bridge.call(undefined, (api) => api.chooseFolder(id || null));
    });
  }

  /** Starts, or resumes after a pause, a reload or a new token. */
  async start(retryFailed = false): Promise<void> {
    if (this.running || !this.connected) return;
    const lockName = relayLockName(this.connected.account.key);
    const onProgress = proxy((progress: RelayProgress) => this.#accept(progress));
    let ran = true;
    await this.#attempt('starting', async () => {
      // Held from the first email to the last answer: two tabs relaying to one account store emails twice.
      ran = await this.#runLock.runExclusive(lockName, async () => {
        if (this.connected?.folders && this.destination === null) await this.chooseFolder(this.folderId);
        this.#accept(await this.#bridge.call(undefined, (api) => api.start({ retryFailed }, onProgress)));
      });
    });
    if (!ran) {
      this.busyElsewhere = true;
      this.error = `${RELAY_RUNNING_ELSEWHERE}: it goes on there, and this tab sends nothing to ${this.connected?.account.label ?? 'this account'} while it runs.`;
      return;
    }
    await this.refreshWaiting();
    this.#scheduleCommentRetries();
    try {
      this.earlierTargets = await this.#bridge.call(undefined, (api) => api.targets());
    } catch {
      // Informative only.
    }
  }

  async pause(): Promise<void> {
    if (this.progress) this.progress = { ...this.progress, state: 'pausing' };
    await this.#bridge.call(undefined, (api) => api.pause());
  }

  /** Gmail's token expired (401): sign in again from a click, then the run goes on. */
  async continueWithGoogle(): Promise<void> {
    await this.#attempt('connecting', async () => {
      const { token } = await this.#google.requestToken(this.googleClientId);
      await this.#bridge.call(undefined, (api) => api.setToken(token));
    });
    if (!this.error) await this.start();
  }

  /** A new JMAP token after a 401. */
  async continueWithToken(): Promise<void> {
    const token = this.jmapToken.trim();
    if (!token) {
      this.error = 'Paste a valid API token first.';
      return;
    }
    await this.#bridge.call(undefined, (api) => api.setToken(token));
    this.jmapToken = '';
    await this.start();
  }

  /** The mbox of one inbox or the .eml zip: into a file the user picks, else a Blob download. */
  async download(request: ExportRequest, suggestedName: string): Promise<void> {
    let handle: FileSystemFileHandle | null = null;
    if (this.canPickFile) {
      try {
        const picker = (
          window as unknown as { showSaveFilePicker: (options: object) => Promise<FileSystemFileHandle> }
        ).showSaveFilePicker;
        handle = await picker({ suggestedName });
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError') return; // the user closed the dialog
        handle = null; // not allowed here (e.g. a cross-origin frame): fall back to a Blob download
      }
    }
    const onProgress = proxy((progress: ExportProgress) => (this.downloadProgress = progress));
    await this.#attempt('downloading', async () => {
      const { result, blob } = await this.#bridge.call(undefined, (api) =>
        api.exportFiles(request, handle, onProgress),
      );
      if (blob) saveBlob(blob, result.fileName);
      this.downloads = [...this.downloads, { ...result, method: handle ? 'picker' : 'blob' }];
      this.earlierTargets = await this.#bridge.call(undefined, (api) => api.targets());
    });
    this.downloadProgress = null;
  }

  cancelDownload(): void {
    void this.#bridge.call(undefined, (api) => api.cancelExport());
  }

  /** Counts the relayed conversations whose comments wait for Missive to sync their email. */
  async refreshWaiting(): Promise<void> {
    try {
      this.waiting = await this.#bridge.call(undefined, (api) => api.commentsWaiting());
      if (this.waiting.emails > 0) this.#scheduleCommentRetries();
    } catch {
      this.waiting = null; // informative only
    }
  }

  /** While relayed emails wait, asks the import every two minutes to look them up again. */
  #scheduleCommentRetries(): void {
    if (this.#commentTimer !== null || !this.#comments || typeof setInterval === 'undefined') return;
    this.#commentTimer = setInterval(() => void this.#retryComments(), COMMENT_RETRY_INTERVAL_MS);
  }

  async #retryComments(): Promise<void> {
    await this.refreshWaiting();
    if (!this.autoPostComments || !this.waiting || this.waiting.emails === 0) return;
    if (!this.#comments?.canRetry()) return;
    await this.#comments.retry();
    await this.refreshWaiting();
  }

  /** Ask the import to look for the relayed emails now (the button next to the count). */
  async retryCommentsNow(): Promise<void> {
    if (!this.#comments?.canRetry()) {
      this.error =
        'Start the Missive import first (steps Plan and Import): it posts the comments once Missive has the emails.';
      return;
    }
    await this.#comments.retry();
    await this.refreshWaiting();
  }

  /** Wires the Missive import in once it exists (App.svelte), so relayed emails' comments get posted. */
  connectComments(hook: CommentRetryHook): void {
    this.#comments = hook;
    if (this.waiting && this.waiting.emails > 0) this.#scheduleCommentRetries();
  }

  /** Where the connected account's run stands in the ledger (after another tab's run ended). */
  async #reloadProgress(): Promise<void> {
    if (!this.connected || this.running) return;
    try {
      this.#accept(await this.#bridge.call(undefined, (api) => api.progress()));
      this.earlierTargets = await this.#bridge.call(undefined, (api) => api.targets());
    } catch {
      // Informative only.
    }
  }

  async #connect(config: Parameters<RelayApi['connect']>[0]): Promise<void> {
    const info = await this.#bridge.call(undefined, (api) => api.connect(config));
    this.connected = info;
    this.destination = info.folders ? null : info.destination;
    this.folderId = '';
    this.#accept(info.progress);
  }

  async #attempt(busy: RelayState['busy'], work: () => Promise<void>): Promise<void> {
    this.error = null;
    if (busy) this.busy = busy;
    try {
      await work();
    } catch (error) {
      this.error = text(error);
    } finally {
      if (busy) this.busy = null;
    }
  }

  /** Snapshots come in order; a late one never moves the screen backwards. */
  #accept(progress: RelayProgress): void {
    const current = this.progress;
    if (current && progress.seq <= current.seq && current.target?.key === progress.target?.key) return;
    this.progress = progress;
  }
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; give it a moment before freeing the memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
