import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createIngestApi } from '../../src/adapters/ingest-api.ts';
import { fingerprint } from '../../src/adapters/zip-source.ts';
import { conversationFiles, makeZip } from './ingest-fixtures.ts';

describe('ingest worker API', () => {
  it('runs ingests one after another, and reads attachment bytes back from this session’s files', async () => {
    const api = createIngestApi({ dbName: 'api-1', progressIntervalMs: 0 });
    const first = await makeZip({
      ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']] }),
      'export/Support/cnv_1/attachments/msg_1/a.txt': 'bytes of a',
    });
    const second = await makeZip(conversationFiles('Support', 'cnv_2', { messages: [['msg_2', 'email']] }));
    const progress: number[] = [];
    const [a, b] = await Promise.all([
      api.ingest([first]),
      api.ingest([second], (p) => progress.push(p.entriesDone)),
    ]);
    expect(a.snapshot.summary!.conversations).toBe(1);
    expect(b.snapshot.summary!.conversations).toBe(2);
    expect(progress.length).toBeGreaterThan(0);

    const ref = {
      source: fingerprint(first),
      path: 'export/Support/cnv_1/attachments/msg_1/a.txt',
      size: 10,
    };
    expect(new TextDecoder().decode((await api.readEntry(ref))!)).toBe('bytes of a');
    expect(await api.filesToDropAgain([fingerprint(first), fingerprint(second)])).toEqual([]);

    // After a reload the worker holds no File: the import step must ask for the file again.
    const reloaded = createIngestApi({ dbName: 'api-1' });
    expect(await reloaded.readEntry(ref)).toBeNull();
    expect((await reloaded.filesToDropAgain([ref.source])).map((s) => s.name)).toEqual([first.name]);
    expect((await reloaded.load()).summary!.conversations).toBe(2);
  });

  it('cancel() stops the running ingest; the file resumes later', async () => {
    const api = createIngestApi({ dbName: 'api-2', progressIntervalMs: 0 });
    const content = {};
    for (let i = 0; i < 50; i++) Object.assign(content, conversationFiles('Support', `cnv_${i}`, {}));
    const zip = await makeZip(content);
    let cancelled = false;
    const result = await api.ingest([zip], (p) => {
      if (!cancelled && p.entriesDone >= 10) {
        cancelled = true;
        api.cancel();
      }
    });
    expect(result.cancelled).toBe(true);
    expect(result.progress.files[0]!.status).toBe('cancelled');
    const resumed = await api.ingest([zip]);
    expect(resumed.snapshot.summary!.conversations).toBe(50);
  });
});
