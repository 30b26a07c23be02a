import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { createIngestApi, type IngestApi } from '../../src/adapters/ingest-api.ts';
import {
  ExportState,
  FOLDER_DROPPED_MESSAGE,
  checkDroppedFiles,
  type IngestBridge,
} from '../../src/state/export.svelte.ts';
import { conversationFiles, makeZip } from './ingest-fixtures.ts';

let counter = 0;

/** The worker bridge without a Worker: the same API object, aborts forwarded as cancel(). */
function fakeBridge(api: IngestApi): IngestBridge {
  return {
    call(signal, fn) {
      signal?.addEventListener('abort', () => api.cancel(), { once: true });
      return fn(api as unknown as Remote<IngestApi>);
    },
    terminate() {},
  };
}

let granted = false;
const storage = {
  persisted: async () => granted,
  persist: async () => (granted = true),
  estimate: async () => ({ usage: 4096, quota: 1 << 30 }),
};

function asFile(blob: Blob & { name: string }): File {
  return blob as unknown as File;
}

describe('export state', () => {
  it('indexes dropped zips, refuses other files, and shows the index again after a reload', async () => {
    const dbName = `state-${++counter}`;
    const state = new ExportState(fakeBridge(createIngestApi({ dbName, progressIntervalMs: 0 })), storage);
    await state.load();
    expect(state.status).toBe('idle');
    expect(state.summary).toBeNull();

    const zip = await makeZip(
      conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'sms']], comments: ['com_1'] }),
    );
    const notes = new File(['hello'], 'notes.csv') as File;
    await state.addFiles([asFile(zip), notes]);
    expect(state.status).toBe('idle');
    expect(state.summary).toMatchObject({ conversations: 1, sms: 1, comments: 1, eligibleComments: 1 });
    expect(state.progress!.running).toBe(false);
    expect(state.progress!.files[0]!.status).toBe('done');
    expect(state.messages[0]!.text).toMatch(/"notes\.csv" is a CSV file/);
    expect(state.storage).toEqual({ usage: 4096, quota: 1 << 30, persisted: true });
    expect(state.inboxes.map((i) => i.name)).toEqual(['Support']);

    await state.setSmtpForwarding('folder:Support', true);
    expect(state.inboxes[0]!.smtpForwarding).toBe(true);

    // A reload: a new worker, a new state, the same database.
    const reloaded = new ExportState(fakeBridge(createIngestApi({ dbName })), storage);
    await reloaded.load();
    expect(reloaded.summary).toEqual(state.summary);
    expect(reloaded.sources.map((s) => s.status)).toEqual(['done']);
    expect(reloaded.inboxes[0]!.smtpForwarding).toBe(true);

    await reloaded.clear();
    expect(reloaded.summary).toBeNull();
    expect(reloaded.sources).toEqual([]);
  });

  it('keeps the ingest in charge when files are dropped while the saved index is still opening', async () => {
    const dbName = `state-${++counter}`;
    const api = createIngestApi({ dbName, progressIntervalMs: 0 });
    let openIndex: () => void = () => undefined;
    const slowLoad: IngestApi = {
      ...api,
      load: async () => {
        await new Promise<void>((resolve) => (openIndex = resolve));
        return api.load();
      },
    };
    const state = new ExportState(fakeBridge(slowLoad), storage);
    const loading = state.load();
    expect(state.status).toBe('loading');
    const content = {};
    for (let i = 0; i < 40; i++) Object.assign(content, conversationFiles('Support', `cnv_${i}`, {}));
    const ingesting = state.addFiles([asFile(await makeZip(content))]);
    expect(state.status).toBe('ingesting');
    openIndex();
    await loading;
    // The saved index finished opening mid-ingest: Cancel stays available, the run is not hidden.
    expect(state.status).toBe('ingesting');
    await ingesting;
    expect(state.status).toBe('idle');
    expect(state.summary).toMatchObject({ conversations: 40 });
  });

  it('cancels a running ingest and keeps what was indexed', async () => {
    const dbName = `state-${++counter}`;
    const api = createIngestApi({ dbName, progressIntervalMs: 0 });
    let state: ExportState | null = null;
    // Cancel from the first progress that shows an entry done: the ingest is surely mid-file then.
    const cancelling: IngestApi = {
      ...api,
      ingest: (files, onProgress) =>
        api.ingest(files, (progress) => {
          onProgress?.(progress);
          if (progress.entriesDone > 0 && state?.status === 'ingesting') state.cancel();
        }),
    };
    state = new ExportState(fakeBridge(cancelling), storage);
    await state.load();
    const content = {};
    for (let i = 0; i < 40; i++) Object.assign(content, conversationFiles('Support', `cnv_${i}`, {}));
    const zip = await makeZip(content);
    const running = state.addFiles([asFile(zip)]);
    expect(state.status).toBe('ingesting');
    await running;
    expect(state.status).toBe('idle');
    const file = state.progress!.files[0]!;
    expect(file.status).toBe('cancelled');
    expect(file.entriesDone).toBeGreaterThan(0);
    expect(file.entriesDone).toBeLessThan(file.entriesTotal!);
    expect(state.sources).toHaveLength(1);
  });

  it('explains folders and files taken out of the export', () => {
    const { zips, problems } = checkDroppedFiles([
      new File(['x'], 'Export.ZIP') as File,
      new File(['x'], 'cnv_1.json') as File,
      new File(['x'], 'photo.png') as File,
    ]);
    expect(zips.map((f) => f.name)).toEqual(['Export.ZIP']);
    expect(problems.map((p) => p.text)).toEqual([
      expect.stringMatching(/"cnv_1\.json" looks like a file taken out of the export/),
      expect.stringMatching(/"photo\.png" is not a \.zip file/),
    ]);
    const state = new ExportState(fakeBridge(createIngestApi({ dbName: 'unused' })), null);
    state.reject(FOLDER_DROPPED_MESSAGE);
    expect(state.messages[0]!.text).toMatch(/You dropped a folder/);
  });
});
