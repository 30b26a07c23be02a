/// <reference lib="webworker" />
/**
 * The floor of the ingest benchmark: a bare zip.js inflate of every entry of the dropped zips, with the
 * app's zip.js configuration and reader (WindowedBlobReader, inflating in this thread), and nothing else:
 * no parsing, no IndexedDB. Bundled by bench/ingest.ts and started in the app's page.
 */
import { ZipReader, configure } from '@zip.js/zip.js';
import { WindowedBlobReader } from '../src/adapters/zip-source.ts';

configure({ useWebWorkers: false });

export interface FloorResult {
  ms: number;
  entries: number;
  /** Inflated bytes. */
  bytes: number;
}

async function inflateEverything(files: readonly File[]): Promise<FloorResult> {
  const started = performance.now();
  let entries = 0;
  let bytes = 0;
  const discard = () =>
    new WritableStream<Uint8Array>({
      write(chunk) {
        bytes += chunk.length;
      },
    });
  for (const file of files) {
    const reader = new ZipReader(new WindowedBlobReader(file), { useWebWorkers: false });
    for await (const entry of reader.getEntriesGenerator()) {
      entries++;
      if (!entry.directory) await entry.getData(discard(), { useWebWorkers: false });
    }
    await reader.close();
  }
  return { ms: performance.now() - started, entries, bytes };
}

self.onmessage = (event: MessageEvent<{ files: File[] }>) => {
  inflateEverything(event.data.files).then(
    (result) => self.postMessage(result),
    (error: unknown) => self.postMessage({ error: String(error) }),
  );
};
