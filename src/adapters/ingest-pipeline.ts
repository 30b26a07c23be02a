/**
 * The ingest pipeline: dropped zip files → Front parser → IndexedDB, with checkpoints, progress and
 * cancellation. A plain module: the ingest worker only exposes it, and unit tests drive it directly.
 *
 * Per file: recognise it by fingerprint (a file already indexed adds nothing), resume after its
 * checkpoint, walk its entries in zip order, classify each one by path and parse it, and commit rows in
 * batches together with the new checkpoint. A bad entry is listed and the walk carries on; a bad file
 * is reported and the next file carries on; a full disk stops the run and keeps what was committed.
 */
import type { EntryRef, UnrecognizedEntry } from '../domain/model.ts';
import type { EntryAction, EntryInfo, ParsedObject } from '../domain/front/contract.ts';
import { ExportStore, IndexBatch, StoreQuotaError, isQuotaError, type SourceRow } from './store.ts';
import type { ConflictLog } from './store-merge.ts';
import {
  EML_HEAD_BYTES,
  ZipReadError,
  ZipSource,
  fingerprint,
  LARGE_JSON_BYTES,
  MAX_JSON_BYTES,
  isAbortError,
  type SourceBlob,
  type ZipEntry,
} from './zip-source.ts';
import { ProgressReporter, type FileProgress, type IngestProgress } from './ingest-progress.ts';
import { computeSummary, type IndexSnapshot } from './store-summary.ts';
import {
  classifyEntry,
  inboxKeysFromPath,
  parseEmlHeaders,
  parseJsonEntry,
  placeholderConversation,
  reasonCategory,
} from '../domain/front/index.ts';

export type { IngestProgress, FileProgress } from './ingest-progress.ts';

/** A problem to show the user: which file, which entry (the first one, when it repeats), what to do. */
export interface IngestMessage {
  file: string;
  entry: string | null;
  text: string;
  /** How many entries had the same problem. */
  count: number;
  level: 'error' | 'warning' | 'info';
}

export interface IngestResult {
  progress: IngestProgress;
  messages: IngestMessage[];
  cancelled: boolean;
  snapshot: IndexSnapshot;
}

export interface PipelineOptions {
  onProgress?: (progress: IngestProgress) => void;
  progressIntervalMs?: number;
  /** Rows per transaction. */
  batchRows?: number;
  /** Inflated bytes held before a flush. */
  batchBytes?: number;
  /** Longest time between two commits of the checkpoint. */
  batchMs?: number;
  /** Entries inflated ahead of the one being parsed (1 = one at a time). */
  readAhead?: number;
  /** Largest JSON entry read (tests lower it). */
  maxJsonBytes?: number;
  /** JSON entries above this are marked durably before they are parsed (tests lower it). */
  largeJsonBytes?: number;
  now?: () => number;
}

/** What {@link IngestPipeline} read of one entry, before parsing. */
interface EntryRead {
  action: EntryAction;
  /** The JSON text, or the head of an .eml; '' otherwise. */
  text: string;
}

interface FileRun {
  index: number;
  file: SourceBlob;
  /** The file's row as it is being indexed (checkpoint of the entries processed). */
  source: SourceRow;
  /** The row as last committed: the checkpoint a resume starts from. */
  committed: SourceRow;
  /** Counters for this run of this file. */
  frontObjects: number;
  csvEntries: number;
  startedAt: number;
}

/** Distinct problems listed per file; the others are counted in one line. */
const MAX_MESSAGES_PER_FILE = 20;

const DEFAULTS = {
  batchRows: 2000,
  batchBytes: 16 * 1024 * 1024,
  batchMs: 1000,
  readAhead: 8,
  maxJsonBytes: MAX_JSON_BYTES,
  largeJsonBytes: LARGE_JSON_BYTES,
};
/** Inflated bytes held by the entries read ahead; past it, reading waits (one entry always proceeds). */
const READ_AHEAD_BYTES = 32 * 1024 * 1024;

function newSource(file: SourceBlob): SourceRow {
  return {
    id: fingerprint(file),
    name: file.name,
    size: file.size,
    lastModified: file.lastModified,
    status: 'pending',
    checkpoint: 0,
    entries: 0,
    bytesDone: 0,
    error: null,
    ignoredEntries: 0,
  };
}

export class IngestPipeline {
  readonly store: ExportStore;
  readonly #options: Required<Omit<PipelineOptions, 'onProgress'>> & Pick<PipelineOptions, 'onProgress'>;
  #messages = new Map<string, IngestMessage>();
  #perFile = new Map<string, number>();

  constructor(store: ExportStore, options: PipelineOptions = {}) {
    this.store = store;
    this.#options = {
      progressIntervalMs: 100,
      now: () => performance.now(),
      ...DEFAULTS,
      ...options,
    };
  }

  /** Indexes the files, one after the other. Resolves (never rejects) once every file is done or the run stopped. */
  async ingest(files: SourceBlob[], signal?: AbortSignal): Promise<IngestResult> {
    this.#messages = new Map();
    this.#perFile = new Map();
    const known = new Map<string, SourceRow>();
    for (const source of await this.store.listSources()) known.set(source.id, source);

    // The same file twice in one drop is read once.
    const unique: SourceBlob[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const id = fingerprint(file);
      if (seen.has(id)) continue;
      seen.add(id);
      unique.push(file);
    }

    const progress: FileProgress[] = unique.map((file) => {
      const before = known.get(fingerprint(file));
      return {
        id: fingerprint(file),
        name: file.name,
        size: file.size,
        bytesDone: before?.bytesDone ?? 0,
        entriesDone: before?.checkpoint ?? 0,
        entriesTotal: before?.entries || null,
        status: 'pending',
        message: null,
      };
    });
    const reporter = new ProgressReporter(
      progress,
      (p) => this.#options.onProgress?.(p),
      this.#options.progressIntervalMs,
      this.#options.now,
    );
    reporter.tick();

    let cancelled = false;
    let quota = false;
    for (let index = 0; index < unique.length; index++) {
      const file = unique[index]!;
      if (signal?.aborted) {
        cancelled = true;
        break;
      }
      if (quota) {
        reporter.setStatus(index, 'failed', 'Not indexed: the browser storage is full.');
        continue;
      }
      const before = known.get(fingerprint(file));
      if (before?.status === 'done') {
        const text = `"${file.name}" was already indexed: nothing added.`;
        this.#note(file.name, null, text, 'info');
        reporter.setStatus(index, 'skipped', text);
        continue;
      }
      const outcome = await this.#ingestFile(index, file, before ?? newSource(file), reporter, signal);
      if (outcome === 'cancelled') {
        cancelled = true;
        break;
      }
      if (outcome === 'quota') quota = true;
    }
    const final = reporter.finish();
    const snapshot = await this.snapshot(true).catch((): IndexSnapshot => ({
      summary: null,
      estimate: null,
      sources: [],
      inboxes: [],
      unrecognized: [],
    }));
    return { progress: final, messages: [...this.#messages.values()], cancelled, snapshot };
  }

  /** The index as the page shows it: sources, summary, inboxes, the first unrecognised entries. */
  async snapshot(recompute = false): Promise<IndexSnapshot> {
    return computeSummary(this.store, recompute);
  }

  async #ingestFile(
    index: number,
    file: SourceBlob,
    start: SourceRow,
    reporter: ProgressReporter,
    signal: AbortSignal | undefined,
  ): Promise<'done' | 'failed' | 'cancelled' | 'quota'> {
    const run: FileRun = {
      index,
      file,
      source: { ...start, status: 'indexing', error: null },
      committed: { ...start },
      frontObjects: 0,
      csvEntries: 0,
      startedAt: this.#options.now(),
    };
    reporter.setStatus(index, 'indexing');
    const zip = new ZipSource(file);
    let batch = new IndexBatch();
    let batchBytes = 0;
    let lastFlush = this.#options.now();
    let pending: Promise<void> = Promise.resolve();
    let pendingError: unknown = null;

    const flush = async (final: boolean) => {
      // One transaction in flight while the next batch is parsed; the previous one must commit first.
      await pending;
      if (pendingError) throw pendingError;
      const toWrite = batch;
      toWrite.source = { ...run.source };
      batch = new IndexBatch();
      batchBytes = 0;
      lastFlush = this.#options.now();
      const write = this.store.writeBatch(toWrite).then((conflicts) => {
        run.committed = toWrite.source!;
        this.#noteConflicts(file.name, conflicts);
      });
      if (final) {
        await write;
        return;
      }
      pending = write.catch((error: unknown) => {
        pendingError = error;
      });
    };

    try {
      await this.store.putSource(run.source);
      // Entries are inflated a few at a time ahead of the one being applied (reads wait on Blob I/O),
      // and applied strictly in zip order, so the checkpoint stays a prefix of the zip.
      const ahead: { item: ZipEntry; weight: number; read: Promise<EntryRead> }[] = [];
      let aheadBytes = 0;
      let lastYield = this.#options.now();
      const applyNext = async () => {
        // Entries served from memory resolve as microtasks only: let the worker take messages (Cancel).
        if (this.#options.now() - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = this.#options.now();
        }
        const next = ahead.shift()!;
        aheadBytes -= next.weight;
        const item = next.item;
        batchBytes += this.#apply(run, zip, item, await next.read, batch);
        if (run.source.largeEntry?.index === item.index) delete run.source.largeEntry;
        run.source.checkpoint = item.index + 1;
        run.source.entries = zip.totalEntries ?? run.source.entries;
        run.source.bytesDone = Math.max(run.source.bytesDone, Math.min(file.size, item.endOffset));
        reporter.advance(index, run.source.bytesDone, run.source.checkpoint, zip.totalEntries);
        if (
          batch.size >= this.#options.batchRows ||
          batchBytes >= this.#options.batchBytes ||
          this.#options.now() - lastFlush >= this.#options.batchMs
        ) {
          await flush(false);
        }
      };
      try {
        for await (const item of zip.entries(start.checkpoint, signal)) {
          let action = classifyEntry(item.info);
          const large =
            action.action === 'parse-json' && item.info.uncompressedSize > this.#options.largeJsonBytes;
          if (large && start.largeEntry?.index === item.index) {
            action = { action: 'unrecognized', reason: diedOnEntryReason(item.info.uncompressedSize) };
          } else if (large && item.info.uncompressedSize <= this.#options.maxJsonBytes) {
            // Everything before it committed, then the mark, durably: a crash while parsing it leaves
            // the checkpoint on it with the mark, and the resume skips it instead of crashing again.
            while (ahead.length > 0) await applyNext();
            run.source.largeEntry = {
              index: item.index,
              path: item.info.path,
              size: item.info.uncompressedSize,
            };
            await flush(true);
            await this.store.putSource(run.committed, { strict: true });
          }
          const weight = readWeight(action, item.info.uncompressedSize);
          const read = this.#read(zip, item, action, signal);
          read.catch(() => undefined); // observed when applied; never an unhandled rejection meanwhile
          ahead.push({ item, weight, read });
          aheadBytes += weight;
          while (
            ahead.length >= this.#options.readAhead ||
            (ahead.length > 1 && aheadBytes > READ_AHEAD_BYTES)
          ) {
            await applyNext();
          }
        }
        while (ahead.length > 0) await applyNext();
      } finally {
        ahead.length = 0;
      }
      run.source.status = 'done';
      run.source.entries = zip.totalEntries ?? run.source.checkpoint;
      run.source.bytesDone = file.size;
      await flush(true);
      this.#noteEmptyFile(run, start.checkpoint);
      reporter.setStatus(index, 'done');
      return 'done';
    } catch (error) {
      return await this.#fail(run, error, reporter, async () => {
        // Keep every entry already processed: commit the batch (with its checkpoint) before stopping.
        await pending;
        if (pendingError) throw pendingError;
        batch.source = { ...run.source };
        this.#noteConflicts(file.name, await this.store.writeBatch(batch));
        run.committed = batch.source;
      });
    } finally {
      await zip.close();
    }
  }

  async #fail(
    run: FileRun,
    error: unknown,
    reporter: ProgressReporter,
    commitProcessed: () => Promise<void>,
  ): Promise<'failed' | 'cancelled' | 'quota'> {
    const name = run.file.name;
    let quota = error instanceof StoreQuotaError || isQuotaError(error);
    const cancelled = !quota && isAbortError(error);
    if (!quota) {
      try {
        run.source.status = cancelled ? 'cancelled' : 'failed';
        run.source.error = cancelled ? null : errorText(error);
        await commitProcessed();
      } catch (commitError) {
        if (isQuotaError(commitError)) quota = true;
      }
    }
    if (quota) {
      const text =
        `The browser ran out of storage space while indexing "${name}" (${run.committed.checkpoint} entries done). ` +
        `Everything indexed so far is kept. Free some disk space (or allow this site more storage), ` +
        `then drop "${name}" again: indexing resumes where it stopped.`;
      this.#note(name, null, text, 'error');
      await this.store.putSource({ ...run.committed, status: 'failed', error: text }).catch(() => undefined);
      reporter.setStatus(run.index, 'failed', text);
      return 'quota';
    }
    if (cancelled) {
      reporter.setStatus(
        run.index,
        'cancelled',
        `Cancelled after ${run.committed.checkpoint} entries; drop "${name}" again to resume.`,
      );
      return 'cancelled';
    }
    const text =
      error instanceof ZipReadError
        ? error.message
        : `"${name}" could not be indexed (${errorText(error)}). Everything indexed before is kept; drop the file again to retry.`;
    this.#note(name, null, text, 'error');
    await this.store.putSource({ ...run.committed, status: 'failed', error: text }).catch(() => undefined);
    reporter.setStatus(run.index, 'failed', text);
    return 'failed';
  }

  /**
   * Classifies an entry and inflates what is needed of it; touches no shared state, so several reads
   * may run at once. Entry-level failures are returned (not thrown); archive-level ones and aborts throw.
   */
  async #read(
    zip: ZipSource,
    item: ZipEntry,
    action: EntryAction,
    signal: AbortSignal | undefined,
  ): Promise<EntryRead> {
    try {
      switch (action.action) {
        case 'parse-json':
          return { action, text: await zip.readText(item, signal, this.#options.maxJsonBytes) };
        case 'read-eml-headers':
          return { action, text: await zip.readHead(item, signal) };
        default:
          return { action, text: '' };
      }
    } catch (error) {
      if (isAbortError(error)) throw error;
      if (error instanceof ZipReadError && error.fatal) throw error;
      const reason =
        error instanceof ZipReadError
          ? error.message
          : `could not be read (${errorText(error)}); the file may be damaged: download it again from Front`;
      return { action: { action: 'unrecognized', reason }, text: '' };
    }
  }

  /** Parses what was read into the batch; returns the inflated bytes now held. Problems are listed. */
  #apply(run: FileRun, zip: ZipSource, item: ZipEntry, read: EntryRead, batch: IndexBatch): number {
    const info: EntryInfo = item.info;
    const { action, text } = read;
    const ref = (): EntryRef => ({ source: zip.id, path: info.path, size: info.uncompressedSize });
    const problem = (reason: string) =>
      this.#unrecognized(run, batch, { source: info.source, path: info.path, reason });
    switch (action.action) {
      case 'directory':
        return 0;
      case 'ignore':
        // Counted with the checkpoint, so a resumed file counts each junk entry once.
        run.source.ignoredEntries = (run.source.ignoredEntries ?? 0) + 1;
        return 0;
      case 'unrecognized':
        if (/csv/i.test(action.reason)) run.csvEntries++;
        problem(action.reason);
        return 0;
      case 'attachment':
        if (!action.frontMessageId) {
          problem('attachment file in a folder that names no Front message (msg_…): not linked to a message');
          return 0;
        }
        batch.addAttachmentFile(action.frontMessageId, action.filename, ref());
        return 0;
      case 'read-eml-headers':
        if (!action.frontMessageId) {
          problem('.eml file whose name or folder names no Front message (msg_…): not linked to a message');
          return 0;
        }
        batch.addEml(action.frontMessageId, ref(), parseEmlHeaders(text));
        return text.length;
      case 'parse-json': {
        const parsed = parseJsonEntry({ source: info.source, path: info.path }, text);
        for (const object of parsed.objects) this.#addObject(run, batch, object, info.path);
        for (const entry of parsed.unrecognized) this.#unrecognized(run, batch, entry);
        return text.length;
      }
    }
  }

  #addObject(run: FileRun, batch: IndexBatch, object: ParsedObject, path: string): void {
    run.frontObjects++;
    switch (object.type) {
      case 'conversation':
        batch.addConversation(object.conversation);
        return;
      case 'message':
        batch.addMessage(object.message);
        batch.addConversation(
          placeholderConversation(object.message.conversationId, inboxKeysFromPath(path)),
        );
        return;
      case 'comment':
        batch.addComment(object.comment);
        batch.addConversation(
          placeholderConversation(object.comment.conversationId, inboxKeysFromPath(path)),
        );
        return;
      case 'inbox':
        batch.addInbox(object.inbox);
        return;
      case 'channel':
        batch.addChannel(object.channel);
        return;
      case 'teammate':
        batch.addTeammate(object.teammate);
        return;
      case 'contact':
        batch.addContact(object.contact);
        return;
      case 'unused':
        batch.addUnusedObject(object.unused);
        return;
    }
  }

  #unrecognized(run: FileRun, batch: IndexBatch, entry: UnrecognizedEntry): void {
    batch.addUnrecognized(run.source.id, entry);
    // One line per kind of problem and file (e.g. "malformed JSON"), with the first entry as example.
    this.#note(
      entry.source,
      entry.path,
      `${entry.path}: ${entry.reason}`,
      'warning',
      reasonCategory(entry.reason),
    );
  }

  #noteEmptyFile(run: FileRun, startedAt: number): void {
    if (startedAt > 0 || run.frontObjects > 0) return;
    const name = run.file.name;
    const text =
      run.csvEntries > 0
        ? `"${name}" holds CSV files, not Front's JSON export. Ask Front support for the export in JSON format.`
        : `"${name}" holds no Front data (no conversation, message or comment JSON among its ${run.source.entries} entries). ` +
          `Check that it is a file of the JSON export Front support sent you.`;
    this.#note(name, null, text, 'warning');
  }

  #noteConflicts(file: string, conflicts: ConflictLog): void {
    if (conflicts.count === 0) return;
    this.#note(
      file,
      null,
      `Some records appear twice with different content; the first copy is kept (e.g. ${conflicts.examples[0]}).`,
      'info',
      'conflict',
      conflicts.count,
    );
  }

  /**
   * Records a message; repeats of the same problem in the same file are counted, not listed again, and
   * past {@link MAX_MESSAGES_PER_FILE} distinct problems the rest of a file's problems are only counted.
   */
  #note(
    file: string,
    entry: string | null,
    text: string,
    level: IngestMessage['level'],
    groupBy = text,
    times = 1,
  ): void {
    let key = `${file}\n${level}\n${groupBy}`;
    let before = this.#messages.get(key);
    if (!before && level === 'warning') {
      const count = (this.#perFile.get(file) ?? 0) + 1;
      this.#perFile.set(file, count);
      if (count > MAX_MESSAGES_PER_FILE) {
        key = `${file}\n${level}\n(more)`;
        before = this.#messages.get(key);
        if (!before) {
          this.#messages.set(key, {
            file,
            entry: null,
            text: `More entries of "${file}" were not recognised: see "Unrecognised entries" in the Export summary.`,
            count: times,
            level,
          });
          return;
        }
      }
    }
    if (before) {
      before.count += times;
      return;
    }
    this.#messages.set(key, { file, entry, text, count: times, level });
  }
}

/** Longest stretch of work before the worker's event loop gets a turn. */
const YIELD_EVERY_MS = 50;

/** Lets pending tasks (messages to the worker, timers) run; unlike setTimeout, never clamped to 4 ms. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Bytes an entry holds in memory once read. */
function readWeight(action: EntryAction, size: number): number {
  if (action.action === 'parse-json') return size;
  if (action.action === 'read-eml-headers') return Math.min(size, EML_HEAD_BYTES);
  return 0;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function diedOnEntryReason(size: number): string {
  return (
    `skipped: the last attempt stopped while reading this ${Math.round(size / (1024 * 1024))} MB JSON ` +
    `entry (the tab probably ran out of memory), so it is not read again`
  );
}
