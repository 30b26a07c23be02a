/**
 * The API the relay worker exposes (through comlink). A plain object over the export index, the relay
 * ledger, the dropped zips and one target, so it runs the same in the worker and in unit tests.
 * Tokens arrive here and stay in this object's memory: never stored, never sent back, never logged.
 */
import { isLoopbackUrl } from '../../domain/missive-base.ts';
import { Ledger } from '../ledger.ts';
import { ExportStore } from '../store.ts';
import { commentsWaiting, type CommentsWaiting } from './comments-waiting.ts';
import type { SourceBlob } from '../zip-source.ts';
import { ExportFiles } from './export-files.ts';
import {
  BlobSink,
  StreamSink,
  exportEmails,
  type ByteSink,
  type ExportProgress,
  type ExportRequest,
  type ExportResult,
} from './file-export.ts';
import { GMAIL_API_BASE, GmailTarget } from './gmail-target.ts';
import { GRAPH_API_BASE, GraphTarget } from './graph-target.ts';
import { JmapTarget } from './jmap-target.ts';
import { RelayLedger, type RelayTargetRow } from './ledger.ts';
import { realClock, type PacerClock } from './pacer.ts';
import { DEFAULT_RELAY_CHOICES, type RelayChoices } from './relay-source.ts';
import { relayOverview } from './relay-overview.ts';
import { RelayRun } from './relay-run.ts';
import type { RelayTarget } from './target.ts';
import {
  TargetError,
  errorText,
  type FolderChoice,
  type RelayOverview,
  type RelayProgress,
  type RelayRunState,
  type TargetAccount,
} from './types.ts';
import type { Fetch } from './http.ts';

export type ConnectConfig =
  | { kind: 'gmail'; token: string; apiBase?: string; addToInbox?: boolean }
  | { kind: 'jmap'; token: string; sessionUrl: string }
  | { kind: 'graph'; token: string; apiBase?: string };

export interface ConnectInfo {
  account: TargetAccount;
  destination: string;
  /** JMAP mailboxes or Graph folders to pick from; null for Gmail (one label per inbox). */
  folders: FolderChoice[] | null;
  progress: RelayProgress;
}

export interface RelayApi {
  /** What there is to relay, and which zips are at hand. */
  overview(choices?: RelayChoices): Promise<RelayOverview>;
  /** Zips dropped (again) in this tab: their .eml files and attachments can be read. */
  addFiles(files: SourceBlob[]): Promise<RelayOverview>;
  connect(config: ConnectConfig): Promise<ConnectInfo>;
  /** JMAP mailbox or Graph folder for the copies; null creates/uses "Front import". Returns the destination. */
  chooseFolder(id: string | null): Promise<string>;
  /** A fresh token after the target refused the old one; a paused run then resumes with `start`. */
  setToken(token: string): void;
  start(
    options: { retryFailed?: boolean; choices?: RelayChoices },
    onProgress?: (progress: RelayProgress) => void,
  ): Promise<RelayProgress>;
  /** Stops after the requests in flight. */
  pause(): void;
  progress(): Promise<RelayProgress>;
  /** The download for IMAP into the picked file (a handle) or, without one, as a Blob returned. */
  exportFiles(
    request: ExportRequest,
    handle: FileSystemFileHandle | null,
    onProgress?: (progress: ExportProgress) => void,
  ): Promise<{ result: ExportResult; blob: Blob | null }>;
  cancelExport(): void;
  /** Relayed conversations whose comments wait for Missive to sync their email (read from the import ledger). */
  commentsWaiting(): Promise<CommentsWaiting>;
  /** Targets the ledger knows, with their counts (the page lists earlier runs). */
  targets(): Promise<(RelayTargetRow & { done: number; failed: number })[]>;
}

export interface RelayApiOptions {
  dbName?: string;
  ledgerName?: string;
  /** The Missive import's ledger, read for the comments that wait (tests use their own). */
  importLedgerName?: string;
  fetch?: Fetch;
  clock?: PacerClock;
  progressIntervalMs?: number;
}

const RECENT_FAILURES = 20;

/** Sandboxes may replace Google's or Microsoft's endpoint only on loopback (like the Missive base). */
function checkedBase(apiBase: string | undefined, official: string, what: string): string {
  if (!apiBase || apiBase === official) return official;
  if (!isLoopbackUrl(apiBase))
    throw new TargetError('fatal', `${what} API base must be ${official} (or a loopback test server).`);
  return apiBase;
}

export function createRelayApi(options: RelayApiOptions = {}): RelayApi {
  let storePromise: Promise<ExportStore> | null = null;
  let ledgerPromise: Promise<RelayLedger> | null = null;
  const store = () => (storePromise ??= ExportStore.open(options.dbName ? { name: options.dbName } : {}));
  const ledger = () =>
    (ledgerPromise ??= RelayLedger.open(options.ledgerName ? { name: options.ledgerName } : {}));
  let importLedger: Promise<Ledger> | null = null;
  const imports = () =>
    (importLedger ??= Ledger.open(options.importLedgerName ? { name: options.importLedgerName } : {}));
  const files = new ExportFiles();
  const clock = options.clock ?? realClock;
  const fetchImpl = options.fetch;
  let choices: RelayChoices = DEFAULT_RELAY_CHOICES;
  let target: RelayTarget | null = null;
  let run: RelayRun | null = null;
  let running: Promise<RelayProgress> | null = null;
  let exportController: AbortController | null = null;
  let total = 0;
  const status = {
    seq: 0,
    state: 'idle' as RelayRunState,
    reason: null as string | null,
    filesNeeded: new Set<string>(),
    recentFailures: [] as { frontId: string; reason: string }[],
    startedAt: null as number | null,
    finishedAt: null as number | null,
  };

  const overview = async (next = choices): Promise<RelayOverview> => {
    choices = next;
    const result = await relayOverview(await store(), files, choices);
    total = result.emails;
    return result;
  };

  const snapshot = async (): Promise<RelayProgress> => {
    const counts = target ? await (await ledger()).counts(target.account.key) : null;
    const done = counts?.done ?? 0;
    const failed = counts?.failed ?? 0;
    const sending = counts?.sending ?? 0;
    const names = new Map((await (await store()).listSources()).map((source) => [source.id, source.name]));
    return {
      seq: ++status.seq,
      state: status.state,
      stateReason: status.reason,
      target: target?.account ?? null,
      counts: { total, done, failed, sending, pending: Math.max(0, total - done - failed - sending) },
      filesNeeded: [...status.filesNeeded]
        .filter((id) => !files.has(id))
        .map((id) => names.get(id) ?? id.split('|')[0] ?? id),
      checkedOnTarget: run?.checkedOnTarget ?? 0,
      alreadyInMailbox: run?.alreadyInMailbox ?? 0,
      rateLimited: run?.rateLimited ?? 0,
      recentFailures: [...status.recentFailures],
      startedAt: status.startedAt,
      finishedAt: status.finishedAt,
    };
  };

  const requireTarget = (): RelayTarget => {
    if (!target) throw new TargetError('fatal', 'Connect a mail account first.');
    return target;
  };

  return {
    overview: (next) => overview(next ?? choices),

    async addFiles(list) {
      files.add(list);
      return overview();
    },

    async connect(config) {
      if (running)
        throw new TargetError('fatal', 'Pause the running relay before connecting another account.');
      let connected: RelayTarget;
      let folders: FolderChoice[] | null = null;
      if (config.kind === 'gmail') {
        connected = await GmailTarget.connect({
          token: config.token,
          apiBase: checkedBase(config.apiBase, GMAIL_API_BASE, 'The Gmail'),
          addToInbox: config.addToInbox ?? false,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
      } else if (config.kind === 'jmap') {
        const jmap = await JmapTarget.connect({
          sessionUrl: config.sessionUrl,
          token: config.token,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
        folders = await jmap.mailboxes();
        connected = jmap;
      } else {
        const graph = await GraphTarget.connect({
          token: config.token,
          apiBase: checkedBase(config.apiBase, GRAPH_API_BASE, 'The Microsoft Graph'),
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
        folders = await graph.folders();
        connected = graph;
      }
      target = connected;
      run = null;
      Object.assign(status, {
        state: 'idle',
        reason: null,
        recentFailures: [],
        startedAt: null,
        finishedAt: null,
      });
      status.filesNeeded.clear();
      if (total === 0) await overview();
      return {
        account: connected.account,
        destination: connected.destination,
        folders,
        progress: await snapshot(),
      };
    },

    async chooseFolder(id) {
      const current = requireTarget();
      if (current instanceof JmapTarget) await current.chooseMailbox(id);
      else if (current instanceof GraphTarget) await current.chooseFolder(id);
      return current.destination;
    },

    setToken(token) {
      requireTarget().setToken(token);
    },

    async start(startOptions, onProgress) {
      if (running) return running;
      const current = requireTarget();
      const relayLedger = await ledger();
      if (startOptions.choices) choices = startOptions.choices;
      await overview(choices);
      if (startOptions.retryFailed) await relayLedger.retryFailed(current.account.key);
      let lastSent = 0;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const interval = options.progressIntervalMs ?? 250;
      const report = () => {
        if (!onProgress || timer !== null) return;
        const wait = Math.max(0, lastSent + interval - Date.now());
        timer = setTimeout(() => {
          timer = null;
          lastSent = Date.now();
          void snapshot().then(onProgress, () => undefined);
        }, wait);
      };
      status.state = 'preparing';
      status.reason = null;
      status.filesNeeded.clear();
      status.startedAt ??= Date.now();
      status.finishedAt = null;
      const thisRun = new RelayRun({
        store: await store(),
        ledger: relayLedger,
        files,
        target: current,
        clock,
        choices,
        events: {
          changed: report,
          filesNeeded: (ids) => {
            for (const id of ids) status.filesNeeded.add(id);
          },
          failed: (frontId, reason) => {
            status.recentFailures = [...status.recentFailures, { frontId, reason }].slice(-RECENT_FAILURES);
          },
        },
      });
      run = thisRun;
      running = (async () => {
        try {
          status.state = 'running';
          report();
          await relayLedger.putTarget(current.account, current.destination);
          const outcome = await thisRun.run();
          status.state = outcome.state;
          status.reason = outcome.reason;
          if (outcome.state === 'finished') status.finishedAt = Date.now();
        } catch (error) {
          status.state = 'stopped';
          status.reason = `The relay stopped: ${errorText(error)}`;
        } finally {
          if (timer !== null) clearTimeout(timer);
          running = null;
        }
        const final = await snapshot();
        onProgress?.(final);
        return final;
      })();
      return running;
    },

    pause() {
      if (run && running) {
        status.state = 'pausing';
        run.pause();
      }
    },

    progress: snapshot,

    async exportFiles(request, handle, onProgress) {
      if (exportController) throw new Error('A download is already being written.');
      const controller = new AbortController();
      exportController = controller;
      try {
        const summary = await overview();
        const count =
          request.kind === 'mbox'
            ? (summary.inboxes.find((i) => i.key === request.inboxKey)?.emails ?? 0)
            : summary.emails;
        const type = request.kind === 'mbox' ? 'application/mbox' : 'application/zip';
        const blobSink = handle ? null : new BlobSink(type);
        const sink: ByteSink = handle ? new StreamSink(await handle.createWritable()) : blobSink!;
        const result = await exportEmails(
          {
            store: await store(),
            files,
            ledger: await ledger(),
            choices,
            signal: controller.signal,
            ...(onProgress ? { onProgress } : {}),
          },
          request,
          sink,
          count,
        );
        return { result, blob: blobSink?.blob ?? null };
      } finally {
        exportController = null;
      }
    },

    cancelExport() {
      exportController?.abort(new Error('Download cancelled.'));
    },

    async commentsWaiting() {
      return commentsWaiting(await imports(), await ledger());
    },

    async targets() {
      const relayLedger = await ledger();
      const rows = await relayLedger.listTargets();
      return Promise.all(
        rows.map(async (row) => {
          const counts = await relayLedger.counts(row.key);
          return { ...row, done: counts.done, failed: counts.failed };
        }),
      );
    },
  };
}
