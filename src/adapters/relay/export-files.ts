/**
 * The export zips dropped in this tab, read again for the bytes relay mode needs (.eml files and
 * attachments). Each zip's central directory is walked once; only the entries relay mode asked for
 * are kept (an export can hold 100,000 entries), and their bytes are inflated on demand.
 */
import { BlobReader, Uint8ArrayWriter, ZipReader, type FileEntry } from '@zip.js/zip.js';
import type { EntryRef } from '../../domain/model.ts';
import { fingerprint, type SourceBlob } from '../zip-source.ts';

interface OpenZip {
  file: SourceBlob;
  reader: ZipReader<unknown> | null;
  /** Entries found for the wanted paths (null while the directory was not walked). */
  entries: Map<string, FileEntry> | null;
  /** Paths asked for since the last walk. */
  wanted: Set<string>;
}

export class ExportFiles {
  readonly #zips = new Map<string, OpenZip>();

  /** Registers dropped zips (a file dropped again replaces itself). Returns their fingerprints. */
  add(files: Iterable<SourceBlob>): string[] {
    const ids: string[] = [];
    for (const file of files) {
      const id = fingerprint(file);
      ids.push(id);
      if (this.#zips.has(id)) continue;
      this.#zips.set(id, { file, reader: null, entries: null, wanted: new Set() });
    }
    return ids;
  }

  has(sourceId: string): boolean {
    return this.#zips.has(sourceId);
  }

  get sourceIds(): string[] {
    return [...this.#zips.keys()];
  }

  /** Announces paths about to be read, so one directory walk finds them all. */
  want(refs: Iterable<EntryRef>): void {
    for (const ref of refs) {
      const zip = this.#zips.get(ref.source);
      if (zip && !zip.entries?.has(ref.path)) zip.wanted.add(ref.path);
    }
  }

  /** The entry's bytes; null when its zip was not dropped in this tab or holds no such entry. */
  async read(ref: EntryRef): Promise<Uint8Array | null> {
    const zip = this.#zips.get(ref.source);
    if (!zip) return null;
    let entry = zip.entries?.get(ref.path);
    if (!entry) {
      zip.wanted.add(ref.path);
      await this.#walk(zip);
      entry = zip.entries?.get(ref.path);
    }
    if (!entry) return null;
    return entry.getData(new Uint8ArrayWriter(), { useWebWorkers: false });
  }

  async close(): Promise<void> {
    for (const zip of this.#zips.values()) await zip.reader?.close().catch(() => undefined);
    this.#zips.clear();
  }

  /** One pass over the central directory, keeping the wanted entries. */
  async #walk(zip: OpenZip): Promise<void> {
    if (zip.wanted.size === 0) return;
    zip.reader ??= new ZipReader(new BlobReader(zip.file), { useWebWorkers: false });
    zip.entries ??= new Map();
    const wanted = zip.wanted;
    zip.wanted = new Set();
    for await (const entry of zip.reader.getEntriesGenerator()) {
      if (!entry.directory && wanted.has(entry.filename)) zip.entries.set(entry.filename, entry);
    }
  }
}
