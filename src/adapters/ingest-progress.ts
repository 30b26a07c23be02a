/**
 * Ingest progress: one snapshot type, sent through one throttled channel (at most every `intervalMs`),
 * whose numbers never run backwards.
 */
import type { SourceFile } from '../domain/model.ts';

export type FileStatus = SourceFile['status'] | 'skipped';

export interface FileProgress {
  /** Fingerprint of the file (see SourceFile.id). */
  id: string;
  name: string;
  size: number;
  /** Bytes of the zip walked so far (compressed size). */
  bytesDone: number;
  /** Entries processed so far, including those skipped on resume. */
  entriesDone: number;
  /** Entries in the zip, once the zip's directory was read. */
  entriesTotal: number | null;
  status: FileStatus;
  /** Why it failed or was skipped, in words for the user. */
  message: string | null;
}

export interface IngestProgress {
  files: FileProgress[];
  bytesDone: number;
  bytesTotal: number;
  entriesDone: number;
  /** Sum of the known entry totals; null until every file's total is known. */
  entriesTotal: number | null;
  /** True until the run has finished (done, cancelled or failed). */
  running: boolean;
}

export class ProgressReporter {
  readonly #files: FileProgress[];
  readonly #emit: (progress: IngestProgress) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastEmit = -Infinity;
  #running = true;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    files: FileProgress[],
    emit: (progress: IngestProgress) => void,
    intervalMs = 100,
    now: () => number = () => performance.now(),
  ) {
    this.#files = files;
    this.#emit = emit;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  file(index: number): FileProgress {
    return this.#files[index]!;
  }

  /** Moves a file's counters forward (never back) and emits when the interval has passed. */
  advance(index: number, bytesDone: number, entriesDone: number, entriesTotal?: number | null): void {
    const file = this.#files[index]!;
    file.bytesDone = Math.min(file.size, Math.max(file.bytesDone, bytesDone));
    file.entriesDone = Math.max(file.entriesDone, entriesDone);
    if (entriesTotal !== undefined && entriesTotal !== null) file.entriesTotal = entriesTotal;
    this.tick();
  }

  /** Sets a file's status (and completes its bytes when it is finished). */
  setStatus(index: number, status: FileStatus, message: string | null = null): void {
    const file = this.#files[index]!;
    file.status = status;
    file.message = message;
    if (status === 'done' || status === 'skipped') {
      file.bytesDone = file.size;
      if (file.entriesTotal !== null) file.entriesDone = Math.max(file.entriesDone, file.entriesTotal);
    }
    this.tick();
  }

  /**
   * Emits now when the interval has passed since the last emit; otherwise makes sure one trailing emit
   * happens when it has, so the last change is always shown and emits stay at most one per interval.
   */
  tick(): void {
    if (!this.#running) return;
    const wait = this.#lastEmit + this.#intervalMs - this.#now();
    if (wait <= 0) {
      this.#emitNow();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      if (this.#running) this.#emitNow();
    }, wait);
  }

  #emitNow(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#lastEmit = this.#now();
    this.#emit(this.snapshot());
  }

  /** The final snapshot, always emitted. */
  finish(): IngestProgress {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const last = this.snapshot();
    this.#lastEmit = this.#now();
    this.#emit(last);
    return last;
  }

  snapshot(): IngestProgress {
    let bytesDone = 0;
    let bytesTotal = 0;
    let entriesDone = 0;
    let entriesTotal: number | null = 0;
    for (const file of this.#files) {
      bytesDone += file.bytesDone;
      bytesTotal += file.size;
      entriesDone += file.entriesDone;
      entriesTotal =
        entriesTotal === null || file.entriesTotal === null ? null : entriesTotal + file.entriesTotal;
    }
    return {
      files: this.#files.map((file) => ({ ...file })),
      bytesDone,
      bytesTotal,
      entriesDone,
      entriesTotal,
      running: this.#running,
    };
  }
}
