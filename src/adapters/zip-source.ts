/**
 * Reading the dropped Front export zips with zip.js, one entry at a time.
 *
 * - The zip is read from the `File` (see {@link WindowedBlobReader}): only the central directory and a
 *   few MiB around the entries being read are in memory, never the whole archive.
 * - Entries are walked with `getEntriesGenerator()`: never the whole entry list as objects.
 * - Inflating runs in the calling thread (`useWebWorkers: false`): this module is meant to run inside our
 *   own ingest worker, where a second hop to zip.js' worker pool only adds message passing per entry.
 *   zip.js uses the native `DecompressionStream` when available, which is as fast as its workers.
 */
import {
  Reader,
  ZipReader,
  configure,
  type CreateReadableOptions,
  type Entry,
  type FileEntry,
} from '@zip.js/zip.js';
import type { EntryInfo } from '../domain/front/contract.ts';

configure({ useWebWorkers: false });

/** The head of an .eml that holds its header block; headers longer than this are cut. */
export const EML_HEAD_BYTES = 64 * 1024;
/**
 * Largest JSON entry read as one string. JSON.parse needs several times the text in memory, and a
 * Front export's JSON files are a conversation or a message each (kilobytes); beyond this, the entry
 * is reported instead of crashing the tab.
 */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** JSON entries above this are marked in IndexedDB before parsing (see `SourceRow.largeEntry`). */
export const LARGE_JSON_BYTES = 8 * 1024 * 1024;
/**
 * Largest attachment or .eml read whole (for a Missive request or a relayed email). Nothing the app
 * sends can be larger (Missive takes 10 MB per request, Gmail 35 MB per email), and a few MB of
 * deflate can declare gigabytes: the declared size is checked before reading, the inflated bytes
 * while reading.
 */
export const MAX_FILE_BYTES = 48 * 1024 * 1024;

/** A file the user dropped: a `File` in the browser, or any Blob with a name in tests. */
export interface SourceBlob extends Blob {
  readonly name: string;
  readonly lastModified: number;
}

/** One entry of a zip, in central-directory order. */
export interface ZipEntry {
  /** Position in the central directory (0-based); the checkpoint counts entries in this order. */
  index: number;
  info: EntryInfo;
  /** Byte offset just past this entry's compressed data in the zip: progress in bytes. */
  endOffset: number;
  entry: Entry;
}

/** A failure to read a zip or one of its entries, with a message the user can act on. */
export class ZipReadError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-zip' | 'corrupt' | 'encrypted' | 'too-large' | 'aborted' | 'read',
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'ZipReadError';
  }
}

export function fingerprint(file: Pick<SourceBlob, 'name' | 'size' | 'lastModified'>): string {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAbortError(error: unknown): boolean {
  if (error instanceof ZipReadError) return error.kind === 'aborted';
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  const message = errorText(error);
  return name === 'AbortError' || message === 'The operation was aborted';
}

/** A user-facing message for an error raised while opening or walking the zip itself. */
export function describeArchiveError(fileName: string, error: unknown): ZipReadError {
  const text = errorText(error);
  if (isAbortError(error)) return new ZipReadError('Cancelled.', 'aborted', true);
  if (/End of central directory not found|File format is not recognized/i.test(text)) {
    return new ZipReadError(
      `"${fileName}" is not a zip file, or it is truncated (its end is missing): ${text}. ` +
        `If it is part of your Front export, download it again from the link Front sent, then drop it again.`,
      'not-zip',
      true,
    );
  }
  if (/Split zip file/i.test(text)) {
    return new ZipReadError(
      `"${fileName}" is one part of a split (multi-volume) zip, which cannot be read here. ` +
        `Ask Front for the export as ordinary .zip files.`,
      'corrupt',
      true,
    );
  }
  if (/encrypted/i.test(text)) {
    return new ZipReadError(
      `"${fileName}" is encrypted (password-protected): ${text}. Unzip it with its password and zip the ` +
        `folder again without a password, then drop the new file.`,
      'encrypted',
      true,
    );
  }
  return new ZipReadError(
    `"${fileName}" looks damaged and could not be read (${text}). Everything read before this point is kept. ` +
      `Download the file again from Front and drop it again.`,
    'corrupt',
    true,
  );
}

/** A user-facing message for an error raised while reading one entry; the other entries carry on. */
export function describeEntryError(fileName: string, path: string, error: unknown): ZipReadError {
  if (error instanceof ZipReadError) return error;
  const text = errorText(error);
  if (isAbortError(error)) return new ZipReadError('Cancelled.', 'aborted', true);
  if (/encrypted|password/i.test(text)) {
    return new ZipReadError(
      `Entry "${path}" of "${fileName}" is encrypted and was skipped. Unzip the export with its password ` +
        `and zip it again without one to include it.`,
      'encrypted',
      false,
    );
  }
  return new ZipReadError(
    `Entry "${path}" of "${fileName}" could not be read (${text}) and was skipped. ` +
      `The file may be damaged: download it again from Front and drop it again to retry.`,
    'corrupt',
    false,
  );
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ZipReadError('Cancelled.', 'aborted', true);
}

/**
 * Collects an entry's bytes up to `limit`; past it, either stops quietly (`truncate`) or fails.
 * Returns the bytes read.
 */
async function collect(
  entry: FileEntry,
  limit: number,
  mode: 'truncate' | 'fail',
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let stopped = false;
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const sink = new WritableStream<Uint8Array>({
    write(chunk) {
      if (stopped) return;
      const room = limit - length;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        length += Math.max(room, 0);
        stopped = true;
        local.abort();
        return;
      }
      chunks.push(chunk);
      length += chunk.length;
    },
  });
  try {
    await entry.getData(sink, { signal: local.signal, useWebWorkers: false });
  } catch (error) {
    if (!(stopped && !signal?.aborted && isAbortError(error))) throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  checkAborted(signal);
  if (stopped && mode === 'fail') {
    throw new ZipReadError('too large', 'too-large', false);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Bytes of the zip read from the file at once; entries inside a window cost no further file read. */
export const READ_WINDOW_BYTES = 4 * 1024 * 1024;
const WINDOWS_KEPT = 3;

/**
 * zip.js' BlobReader reads each local header and each entry's data with its own `Blob.slice()` read:
 * for an export of small files that is several file reads (cross-process in browsers) per entry. This
 * reader loads the zip in windows of {@link READ_WINDOW_BYTES} as entries are walked in order, and
 * serves the small reads from them. Reads larger than a window go to the file directly.
 */
export class WindowedBlobReader extends Reader<Blob> {
  readonly #blob: Blob;
  readonly #windowBytes: number;
  #windows: { start: number; bytes: Promise<Uint8Array> }[] = [];

  constructor(blob: Blob, windowBytes = READ_WINDOW_BYTES) {
    super(blob);
    this.#blob = blob;
    this.#windowBytes = windowBytes;
    this.size = blob.size;
  }

  override async readUint8Array(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (end - offset > this.#windowBytes) {
      return new Uint8Array(await this.#blob.slice(offset, end).arrayBuffer());
    }
    let window = this.#windows.find((w) => w.start <= offset && end <= w.start + this.#windowBytes);
    if (!window) {
      const start = offset;
      const stop = Math.min(this.size, start + this.#windowBytes);
      window = {
        start,
        bytes: this.#blob
          .slice(start, stop)
          .arrayBuffer()
          .then((b) => new Uint8Array(b)),
      };
      this.#windows.push(window);
      if (this.#windows.length > WINDOWS_KEPT) this.#windows.shift();
    }
    const bytes = await window.bytes;
    // A copy: zip.js and the inflater may hold on to what they get.
    return bytes.slice(offset - window.start, end - window.start);
  }

  override createReadable(options: CreateReadableOptions = {}): ReadableStream<Uint8Array> {
    const offset = options.offset ?? 0;
    const size = options.size ?? this.size - offset;
    if (size > this.#windowBytes) return this.#blob.slice(offset, offset + size).stream();
    let done = false;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (done) return;
        done = true;
        if (size > 0) controller.enqueue(await this.readUint8Array(offset, size));
        controller.close();
      },
    });
  }
}

/** One dropped zip, opened for reading. */
export class ZipSource {
  readonly file: SourceBlob;
  readonly id: string;
  /** Entry count from the zip's end record, known once the first entry was read. */
  totalEntries: number | null = null;
  #reader: ZipReader<unknown>;

  constructor(file: SourceBlob, windowBytes = READ_WINDOW_BYTES) {
    this.file = file;
    this.id = fingerprint(file);
    this.#reader = new ZipReader(new WindowedBlobReader(file, windowBytes), { useWebWorkers: false });
  }

  /**
   * Walks the entries in central-directory order from `start` (the checkpoint): earlier entries are only
   * counted, their data is not read. Throws a {@link ZipReadError} (fatal) when the archive is unreadable.
   */
  async *entries(start = 0, signal?: AbortSignal): AsyncGenerator<ZipEntry> {
    const onprogress = (_index: number, total: number) => {
      this.totalEntries = Number(total);
    };
    let index = 0;
    const generator = this.#reader.getEntriesGenerator({ onprogress });
    while (true) {
      checkAborted(signal);
      let next: IteratorResult<Entry, boolean>;
      try {
        next = await generator.next();
      } catch (error) {
        throw describeArchiveError(this.file.name, error);
      }
      if (next.done) return;
      const entry = next.value;
      const current = index++;
      if (current < start) continue;
      yield {
        index: current,
        entry,
        endOffset: Number(entry.offset) + Number(entry.compressedSize),
        info: {
          source: this.file.name,
          path: entry.filename,
          uncompressedSize: Number(entry.uncompressedSize),
          directory: entry.directory,
          encrypted: entry.encrypted,
        },
      };
    }
  }

  /** The whole entry as UTF-8 text; entries over `maxBytes` are refused with a message. */
  async readText(item: ZipEntry, signal?: AbortSignal, maxBytes = MAX_JSON_BYTES): Promise<string> {
    const entry = this.#fileEntry(item);
    if (item.info.uncompressedSize > maxBytes) throw this.#tooLarge(item, maxBytes);
    try {
      const bytes = await collect(entry, maxBytes, 'fail', signal);
      return utf8.decode(bytes);
    } catch (error) {
      if (error instanceof ZipReadError && error.kind === 'too-large') throw this.#tooLarge(item, maxBytes);
      throw describeEntryError(this.file.name, item.info.path, error);
    }
  }

  /** The first `maxBytes` of an entry as text (an .eml's header block); the rest is not inflated. */
  async readHead(item: ZipEntry, signal?: AbortSignal, maxBytes = EML_HEAD_BYTES): Promise<string> {
    const entry = this.#fileEntry(item);
    try {
      return utf8.decode(await collect(entry, maxBytes, 'truncate', signal));
    } catch (error) {
      throw describeEntryError(this.file.name, item.info.path, error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.#reader.close();
    } catch {
      // Nothing to release: the reader holds no resource once its entries were walked.
    }
  }

  #fileEntry(item: ZipEntry): FileEntry {
    if (item.entry.directory) {
      throw new ZipReadError(`"${item.info.path}" is a folder, not a file.`, 'read', false);
    }
    return item.entry;
  }

  #tooLarge(item: ZipEntry, maxBytes: number): ZipReadError {
    const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
    return new ZipReadError(
      `Entry "${item.info.path}" of "${this.file.name}" is too large to read in the browser ` +
        `(${mb(item.info.uncompressedSize)}, the limit is ${mb(maxBytes)}) and was skipped. ` +
        `Ask Front for an export split into smaller files.`,
      'too-large',
      false,
    );
  }
}

/**
 * Reads the bytes of the entries at `paths` from one zip (attachments and .eml files for the import step).
 * Walks the central directory once; `onEntry` is called for each entry found, in zip order. Returns the
 * paths that were not found.
 */
export async function readEntriesByPath(
  file: SourceBlob,
  paths: Iterable<string>,
  onEntry: (path: string, bytes: Uint8Array) => Promise<void> | void,
  signal?: AbortSignal,
  maxBytes = MAX_FILE_BYTES,
): Promise<string[]> {
  const wanted = new Set(paths);
  const zip = new ZipSource(file);
  try {
    for await (const item of zip.entries(0, signal)) {
      if (wanted.size === 0) break;
      if (!wanted.has(item.info.path) || item.entry.directory) continue;
      wanted.delete(item.info.path);
      const declared = item.info.uncompressedSize;
      if (declared > maxBytes) throw tooLargeToRead(file.name, item.info.path, declared, maxBytes);
      // Never more than the directory declared: a lying header stops here, not when memory runs out
      // (zip.js checks it as well, with "Invalid uncompressed size").
      const bytes = await collect(item.entry, declared, 'fail', signal).catch((error) => {
        const overrun =
          error instanceof ZipReadError
            ? error.kind === 'too-large'
            : /Invalid uncompressed size/.test(errorText(error));
        if (overrun)
          throw new ZipReadError(
            `Entry "${item.info.path}" of "${file.name}" inflates to more than the ${declared} bytes ` +
              `its zip directory declares (a damaged or hostile zip) and was not read.`,
            'too-large',
            false,
          );
        throw describeEntryError(file.name, item.info.path, error);
      });
      await onEntry(item.info.path, bytes);
    }
  } finally {
    await zip.close();
  }
  return [...wanted];
}

function tooLargeToRead(fileName: string, path: string, declared: number, maxBytes: number): ZipReadError {
  const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
  return new ZipReadError(
    `Entry "${path}" of "${fileName}" declares ${mb(declared)}, more than the ${mb(maxBytes)} ` +
      `the app reads into memory for one file, and was not read.`,
    'too-large',
    false,
  );
}

/** The bytes of one entry, or null when the zip has no entry at this path. */
export async function readEntryByPath(
  file: SourceBlob,
  path: string,
  signal?: AbortSignal,
  maxBytes = MAX_FILE_BYTES,
): Promise<Uint8Array | null> {
  let found: Uint8Array | null = null;
  await readEntriesByPath(
    file,
    [path],
    (_path, bytes) => {
      found = bytes;
    },
    signal,
    maxBytes,
  );
  return found;
}
