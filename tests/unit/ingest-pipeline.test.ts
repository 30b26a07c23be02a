import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExportStore } from '../../src/adapters/store.ts';
import { IngestPipeline, type IngestProgress } from '../../src/adapters/ingest-pipeline.ts';
import { MAX_JSON_BYTES, ZipSource, fingerprint } from '../../src/adapters/zip-source.ts';
import {
  attachment,
  comment,
  conversation,
  conversationFiles,
  makeZip,
  makeZipBomb,
  message,
  toFile,
} from './ingest-fixtures.ts';

let store: ExportStore;
let dbName: string;
let counter = 0;

beforeEach(async () => {
  dbName = `ingest-test-${++counter}`;
  store = await ExportStore.open({ name: dbName });
});

afterEach(async () => {
  store.close();
  await ExportStore.destroy(dbName);
});

function pipeline(options: ConstructorParameters<typeof IngestPipeline>[1] = {}) {
  return new IngestPipeline(store, { progressIntervalMs: 0, ...options });
}

describe('ingest pipeline', () => {
  it('indexes a small export and summarises it', async () => {
    const zip = await makeZip({
      ...conversationFiles('Support', 'cnv_a', { messages: [['msg_a1', 'email']], comments: ['com_a1'] }),
      ...conversationFiles('SMS Line', 'cnv_b', {
        messages: [
          ['msg_b1', 'sms'],
          ['msg_b2', 'sms'],
        ],
      }),
      ...conversationFiles('Support', 'cnv_c', { comments: ['com_c1'] }),
      'export/.DS_Store': 'junk',
    });
    const result = await pipeline().ingest([zip]);
    expect(result.cancelled).toBe(false);
    expect(result.progress.files[0]!.status).toBe('done');
    const summary = result.snapshot.summary!;
    expect(summary.conversations).toBe(3);
    expect(summary.emails).toBe(1);
    expect(summary.sms).toBe(2);
    expect(summary.comments).toBe(2);
    expect(summary.eligibleComments).toBe(1);
    expect(summary.notEligibleComments).toBe(1);
    expect(summary.commentOnlyConversations).toBe(1);
    expect(summary.unrecognized.total).toBe(0);
    expect(result.snapshot.estimate!.requests).toBe(3);
    const inboxes = result.snapshot.inboxes.map((i) => [
      i.name,
      i.conversations,
      i.sms,
      i.emails,
      i.comments,
    ]);
    expect(inboxes).toEqual([
      ['SMS Line', 1, 2, 0, 0],
      ['Support', 2, 0, 1, 2],
    ]);
    const source = await store.getSource(fingerprint(zip));
    expect(source).toMatchObject({ status: 'done', checkpoint: source!.entries, bytesDone: zip.size });
  });

  it('counts orphans, Front objects it does not use, and junk as the summary rules say', async () => {
    const tags = {
      _results: [
        { id: 'tag_1', name: 'vip' },
        { id: 'tag_2', name: 'billing' },
      ],
    };
    const first = await makeZip({
      'export/_meta/tags.json': tags,
      ...conversationFiles('Support', 'cnv_a', { messages: [['msg_a1', 'email']] }),
      // Orphans: the conversation file of cnv_gone is in a zip not dropped.
      'export/Support/cnv_gone/1701292639-message-msg_g1.json': message('msg_g1', 'cnv_gone', 'sms'),
      'export/Support/cnv_gone/1701292690-comment-com_g1.json': comment('com_g1', 'cnv_gone'),
      // An orphan whose conversation cannot be told at all: no link, no cnv_ folder.
      'export/loose/1701292690-comment-com_lost.json': { ...comment('com_lost', 'x'), _links: {} },
      'export/.DS_Store': 'junk',
      '__MACOSX/export/._.DS_Store': 'junk',
      'export/Support/progress.log': 'exported 2/2',
    });
    const second = await makeZip({
      'export/_meta/tags.json': tags,
      'export/_meta/links.json': [{ id: 'top_1', name: 'JIRA-1' }],
      'export/.DS_Store': 'junk',
    });
    const { snapshot } = await pipeline().ingest([first, second]);
    const summary = snapshot.summary!;
    expect(summary).toMatchObject({
      conversations: 1,
      missingConversations: 1,
      sms: 1,
      emails: 1,
      comments: 1,
      eligibleComments: 1,
      orphanMessages: 1,
      orphanComments: 1,
      orphanEntries: 1,
      unusedObjects: {
        total: 3,
        kinds: [
          { kind: 'tag', count: 2 },
          { kind: 'link', count: 1 },
        ],
      },
      ignoredEntries: 4,
    });
    expect(summary.unrecognized.total).toBe(1);
    expect(snapshot.unrecognized.map((row) => [row.path, row.reason])).toEqual([
      ['export/loose/1701292690-comment-com_lost.json', 'orphan: no conversation (comment com_lost)'],
    ]);
    expect(snapshot.inboxes.map((i) => [i.name, i.conversations, i.sms, i.emails, i.comments])).toEqual([
      ['Support', 1, 1, 1, 1],
    ]);
  });

  it('counts ignored entries once when a file is resumed after its checkpoint', async () => {
    const zip = await makeZip({
      'export/.DS_Store': 'junk',
      ...conversationFiles('Support', 'cnv_a', { messages: [['msg_a1', 'email']] }),
      'export/Support/progress.log': 'exported 1/1',
      ...conversationFiles('Support', 'cnv_b', { messages: [['msg_b1', 'email']] }),
    });
    const controller = new AbortController();
    let applied = 0;
    const cancelled = await pipeline({
      batchRows: 1,
      readAhead: 1,
      onProgress: (progress) => {
        applied = progress.files[0]!.entriesDone;
        if (applied >= 3) controller.abort();
      },
    }).ingest([zip], controller.signal);
    expect(cancelled.cancelled).toBe(true);
    const { snapshot } = await pipeline().ingest([zip]);
    expect(snapshot.summary).toMatchObject({ conversations: 2, emails: 2, ignoredEntries: 2 });
  });

  it('deduplicates a conversation found in two inbox folders: one conversation, two inboxes', async () => {
    const zip = await makeZip({
      ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']], comments: ['com_1'] }),
      ...conversationFiles('Billing', 'cnv_1', { messages: [['msg_1', 'email']], comments: ['com_1'] }),
    });
    const { snapshot } = await pipeline().ingest([zip]);
    expect(snapshot.summary!.conversations).toBe(1);
    expect(snapshot.summary!.emails).toBe(1);
    expect(snapshot.summary!.comments).toBe(1);
    const stored = await store.getConversation('cnv_1');
    expect([...stored!.inboxKeys].sort()).toEqual(['folder:Billing', 'folder:Support']);
    expect(snapshot.inboxes.map((i) => [i.name, i.conversations, i.emails])).toEqual([
      ['Billing', 1, 1],
      ['Support', 1, 1],
    ]);
  });

  it('deduplicates across batches and zips too (one row per transaction)', async () => {
    const first = await makeZip(conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']] }));
    const second = await makeZip(conversationFiles('Billing', 'cnv_1', { messages: [['msg_1', 'email']] }));
    const { snapshot } = await pipeline({ batchRows: 1 }).ingest([first, second]);
    expect(snapshot.summary!.conversations).toBe(1);
    expect(snapshot.summary!.emails).toBe(1);
    expect((await store.getConversation('cnv_1'))!.inboxKeys).toHaveLength(2);
  });

  it('joins the parts of a conversation split over two zips', async () => {
    const partOne = await makeZip({
      'export/Support/cnv_s/1701292639-message-msg_s2.json': message('msg_s2', 'cnv_s', 'sms'),
      'export/Support/cnv_s/1701292690-comment-com_s1.json': comment('com_s1', 'cnv_s'),
    });
    const partTwo = await makeZip({
      'export/Support/cnv_s/cnv_s.json': conversation('cnv_s'),
      'export/Support/cnv_s/1701292600-message-msg_s1.json': message('msg_s1', 'cnv_s', 'sms'),
    });
    const pipe = pipeline();
    const afterFirst = await pipe.ingest([partOne]);
    expect(afterFirst.snapshot.summary!.missingConversations).toBe(1);
    expect(afterFirst.snapshot.summary!.conversations).toBe(0);
    const { snapshot } = await pipe.ingest([partTwo]);
    expect(snapshot.summary!.conversations).toBe(1);
    expect(snapshot.summary!.missingConversations).toBe(0);
    expect(snapshot.summary!.sms).toBe(2);
    expect(snapshot.summary!.eligibleComments).toBe(1);
    const conv = await store.getConversation('cnv_s');
    expect(conv).toMatchObject({ seen: true, subject: 'Subject of cnv_s', inboxKeys: ['folder:Support'] });
    expect((await store.messagesOf('cnv_s')).map((m) => m.id)).toEqual(['msg_s1', 'msg_s2']);
  });

  it('adds nothing when the same zip is dropped twice (fingerprint), or a copy of it', async () => {
    const content = conversationFiles('Support', 'cnv_1', {
      messages: [['msg_1', 'sms']],
      comments: ['com_1'],
    });
    const zip = await makeZip(content, 'export-1.zip');
    const pipe = pipeline();
    const first = await pipe.ingest([zip]);
    const again = await pipe.ingest([zip]);
    expect(again.progress.files[0]!.status).toBe('skipped');
    expect(again.messages.map((m) => m.text)).toContain('"export-1.zip" was already indexed: nothing added.');
    expect(again.snapshot.summary).toEqual(first.snapshot.summary);
    // Same content, other fingerprint (downloaded again): read, but merged into the same rows.
    const copy = await makeZip(content, 'export-1 (1).zip', { lastModified: 1_800_000_000_000 });
    const third = await pipe.ingest([copy, copy]);
    expect(third.progress.files).toHaveLength(1);
    expect(third.snapshot.summary).toEqual(first.snapshot.summary);
    expect(await store.count('messages')).toBe(1);
  });

  it('resumes from the checkpoint after an interruption, skipping what was done', async () => {
    const content = {};
    for (let i = 0; i < 30; i++) {
      Object.assign(
        content,
        conversationFiles('Support', `cnv_${i}`, { messages: [[`msg_${i}`, 'sms']], comments: [`com_${i}`] }),
      );
    }
    const zip = await makeZip(content);
    const controller = new AbortController();
    const seen: IngestProgress[] = [];
    const interrupted = await pipeline({
      batchRows: 5,
      onProgress: (p) => {
        seen.push(p);
        if (p.entriesDone >= 40) controller.abort();
      },
    }).ingest([zip], controller.signal);
    expect(interrupted.cancelled).toBe(true);
    const source = await store.getSource(fingerprint(zip));
    expect(source!.status).toBe('cancelled');
    expect(source!.checkpoint).toBeGreaterThanOrEqual(40);
    expect(source!.checkpoint).toBeLessThan(90);
    const checkpoint = source!.checkpoint;

    // After a reload: a new pipeline, the same file dropped again.
    const reads = vi.spyOn(ZipSource.prototype, 'readText');
    const resumed = await pipeline().ingest([zip]);
    // Only the entries after the checkpoint were inflated again.
    expect(reads).toHaveBeenCalledTimes(90 - checkpoint);
    reads.mockRestore();
    expect(resumed.progress.files[0]!.status).toBe('done');
    const summary = resumed.snapshot.summary!;
    expect(summary.conversations).toBe(30);
    expect(summary.sms).toBe(30);
    expect(summary.comments).toBe(30);
    // Progress never ran backwards during the first run.
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
      expect(seen[i]!.entriesDone).toBeGreaterThanOrEqual(seen[i - 1]!.entriesDone);
    }
    expect(resumed.progress.files[0]!.entriesDone).toBe(90);
  });

  it('resumes after a crash that left the file "indexing" (no cancel, the tab was closed)', async () => {
    const content = {};
    for (let i = 0; i < 10; i++) {
      Object.assign(content, conversationFiles('Support', `cnv_${i}`, { messages: [[`msg_${i}`, 'email']] }));
    }
    const zip = await makeZip(content);
    // Simulate: the first 6 entries were committed, then the worker died.
    const full = await pipeline().ingest([zip]);
    const source = (await store.getSource(fingerprint(zip)))!;
    await store.putSource({ ...source, status: 'indexing', checkpoint: 6 });
    const again = await pipeline().ingest([zip]);
    expect(again.progress.files[0]!.status).toBe('done');
    expect(again.snapshot.summary).toEqual(full.snapshot.summary);
  });

  it('reports a file that is not a zip, and carries on with the next file', async () => {
    const junk = toFile(new TextEncoder().encode('this is not a zip at all'), 'notes.zip');
    const good = await makeZip(conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']] }));
    const result = await pipeline().ingest([junk, good]);
    expect(result.progress.files.map((f) => f.status)).toEqual(['failed', 'done']);
    const error = result.messages.find((m) => m.file === 'notes.zip')!;
    expect(error.level).toBe('error');
    expect(error.text).toMatch(/"notes\.zip" is not a zip file, or it is truncated/);
    expect(error.text).toMatch(/download it again/i);
    expect(result.snapshot.summary!.conversations).toBe(1);
    expect((await store.getSource(fingerprint(junk)))!.status).toBe('failed');
  });

  it('reports a truncated zip and keeps what was indexed from other files', async () => {
    const good = await makeZip(conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']] }));
    await pipeline().ingest([good]);
    const whole = await makeZip(conversationFiles('Support', 'cnv_2', { messages: [['msg_2', 'email']] }));
    const bytes = new Uint8Array(await whole.arrayBuffer());
    const truncated = toFile(bytes.subarray(0, Math.floor(bytes.length / 2)), 'export-2.zip');
    const result = await pipeline().ingest([truncated]);
    expect(result.progress.files[0]!.status).toBe('failed');
    expect(result.messages[0]!.text).toMatch(/"export-2\.zip" is not a zip file, or it is truncated/);
    expect(result.snapshot.summary!.conversations).toBe(1);
  });

  it('reports a corrupt entry by file and entry, and reads the other entries', async () => {
    const zip = await makeZip({
      'export/Support/cnv_1/cnv_1.json': conversation('cnv_1'),
      'export/Support/cnv_2/cnv_2.json': conversation('cnv_2', { subject: 'x'.repeat(5000) }),
    });
    const bytes = new Uint8Array(await zip.arrayBuffer());
    // Damage the compressed data of the second entry (after its local header).
    const second = findLocalHeader(bytes, 'export/Support/cnv_2/cnv_2.json');
    for (let i = second + 80; i < second + 120; i++) bytes[i] = 0xff;
    const damaged = toFile(bytes, 'damaged.zip');
    const result = await pipeline().ingest([damaged]);
    expect(result.progress.files[0]!.status).toBe('done');
    expect(result.snapshot.summary!.conversations).toBe(1);
    const rows = await store.listUnrecognized();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'damaged.zip', path: 'export/Support/cnv_2/cnv_2.json' });
    expect(rows[0]!.reason).toMatch(/could not be read/);
  });

  it('reports malformed JSON with the file and entry, and carries on', async () => {
    const zip = await makeZip(
      {
        ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'email']] }),
        'export/Support/cnv_2/cnv_2.json': '{"id": "cnv_2", "subject": ',
      },
      'export-3.zip',
    );
    const result = await pipeline().ingest([zip]);
    expect(result.snapshot.summary!.conversations).toBe(1);
    expect(result.snapshot.summary!.unrecognized.total).toBe(1);
    expect(result.snapshot.unrecognized[0]).toMatchObject({
      source: 'export-3.zip',
      path: 'export/Support/cnv_2/cnv_2.json',
    });
    expect(result.snapshot.unrecognized[0]!.reason).toMatch(/malformed JSON/);
    const warning = result.messages.find((m) => m.level === 'warning')!;
    expect(warning).toMatchObject({ file: 'export-3.zip', entry: 'export/Support/cnv_2/cnv_2.json' });
  });

  it('reports encrypted entries and a zip with no Front data', async () => {
    const secret = await makeZip({ 'export/Support/cnv_1/cnv_1.json': conversation('cnv_1') }, 'secret.zip', {
      password: 'hunter2',
    });
    const photos = await makeZip({ 'holiday/beach.txt': 'sand' }, 'photos.zip');
    const result = await pipeline().ingest([secret, photos]);
    expect(result.progress.files.map((f) => f.status)).toEqual(['done', 'done']);
    const reasons = (await store.listUnrecognized()).map((r) => `${r.source}: ${r.reason}`);
    expect(reasons.some((r) => /^secret\.zip: encrypted/.test(r))).toBe(true);
    const texts = result.messages.map((m) => m.text).join('\n');
    expect(texts).toMatch(/"photos\.zip" holds no Front data/);
    expect(texts).toMatch(/"secret\.zip" holds no Front data/);
  });

  it('refuses an absurdly large JSON entry without reading it', async () => {
    const zip = await makeZip({
      ...conversationFiles('Support', 'cnv_1', {}),
      'export/Support/cnv_2/cnv_2.json': conversation('cnv_2', { subject: 'y'.repeat(3000) }),
    });
    const source = new ZipSource(zip);
    const items = [];
    for await (const item of source.entries()) items.push(item);
    await expect(source.readText(items[1]!, undefined, 1000)).rejects.toThrow(
      /Entry "export\/Support\/cnv_2\/cnv_2\.json" of ".*" is too large to read in the browser/,
    );
    await expect(source.readText(items[0]!, undefined, 1_000_000)).resolves.toMatch(/cnv_1/);
  });

  it('a huge single JSON entry (zip bomb) is named and skipped unread; the rest is indexed', async () => {
    const bombPath = 'export/Support/cnv_2/cnv_2.json';
    const zip = await makeZipBomb(
      bombPath,
      MAX_JSON_BYTES + 8 * 1024 * 1024,
      {
        ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'sms']] }),
        ...conversationFiles('Support', 'cnv_3', { comments: ['com_3'] }),
      },
      { name: 'bomb-export.zip' },
    );
    expect(zip.size).toBeLessThan(1024 * 1024);
    const result = await pipeline().ingest([zip]);
    expect(result.progress.files[0]!.status).toBe('done');
    expect(result.snapshot.summary!.conversations).toBe(2);
    expect(result.snapshot.summary!.sms).toBe(1);
    const problems = await store.listUnrecognized();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: bombPath, source: 'bomb-export.zip' });
    expect(problems[0]!.reason).toMatch(
      /Entry "export\/Support\/cnv_2\/cnv_2\.json" of "bomb-export\.zip" is too large to read in the browser \(72 MB, the limit is 64 MB\)/,
    );
  });

  it('marks a large JSON entry durably before parsing it, and clears the mark once it is indexed', async () => {
    const zip = await makeZip({
      ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'sms']] }),
      'export/Support/cnv_2/cnv_2.json': conversation('cnv_2', { subject: 'y'.repeat(3000) }),
    });
    const marks: { strict: boolean; mark: unknown; checkpoint: number }[] = [];
    const putSource = store.putSource.bind(store);
    vi.spyOn(store, 'putSource').mockImplementation(async (source, options) => {
      marks.push({
        strict: options?.strict === true,
        mark: source.largeEntry,
        checkpoint: source.checkpoint,
      });
      return putSource(source, options);
    });
    const result = await pipeline({ largeJsonBytes: 1000 }).ingest([zip]);
    expect(result.snapshot.summary!.conversations).toBe(2);
    expect(marks).toContainEqual({
      strict: true,
      mark: { index: 2, path: 'export/Support/cnv_2/cnv_2.json', size: expect.any(Number) },
      checkpoint: 2,
    });
    expect((await store.getSource(fingerprint(zip)))?.largeEntry).toBeUndefined();
  });

  it('after a crash on a large JSON entry (its mark left), the retry skips it with a reason instead of looping', async () => {
    const bigPath = 'export/Support/cnv_2/cnv_2.json';
    const zip = await makeZip({
      ...conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'sms']] }),
      [bigPath]: conversation('cnv_2', { subject: 'y'.repeat(3000) }),
      ...conversationFiles('Support', 'cnv_3', { comments: ['com_3'] }),
    });
    // What the killed tab left: the first two entries committed, then the mark on entry 2.
    await store.putSource({
      id: fingerprint(zip),
      name: zip.name,
      size: zip.size,
      lastModified: zip.lastModified,
      status: 'indexing',
      checkpoint: 2,
      entries: 5,
      bytesDone: 0,
      error: null,
      largeEntry: { index: 2, path: bigPath, size: 3200 },
    });
    const result = await pipeline({ largeJsonBytes: 1000 }).ingest([zip]);
    expect(result.progress.files[0]!.status).toBe('done');
    const problems = await store.listUnrecognized();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: bigPath, source: zip.name });
    expect(problems[0]!.reason).toMatch(/stopped while reading this .* JSON entry .*ran out of memory/);
    // The entries after it are indexed.
    expect(await store.getComment('com_3')).toBeTruthy();
    expect((await store.getSource(fingerprint(zip)))?.largeEntry).toBeUndefined();
  });

  it('pairs .eml files and attachment bytes with their message, and says which files to drop again', async () => {
    const msg = message('msg_e', 'cnv_e', 'email', { attachments: [attachment('fil_1', 'invoice.pdf', 4)] });
    const zip = await makeZip({
      'export/Support/cnv_e/1701292639-msg_e.eml':
        'Message-ID: <abc@example.com>\r\nIn-Reply-To: <prev@example.com>\r\nReferences: <root@example.com> <prev@example.com>\r\nSubject: Hi\r\n\r\nBody',
      'export/Support/cnv_e/cnv_e.json': conversation('cnv_e'),
      'export/Support/cnv_e/1701292639-message-msg_e.json': msg,
      'export/Support/cnv_e/attachments/msg_e/invoice.pdf': new Uint8Array([1, 2, 3, 4]),
    });
    const { snapshot } = await pipeline().ingest([zip]);
    const stored = (await store.getMessage('msg_e'))!;
    expect(stored.messageId).toBe('<abc@example.com>');
    expect(stored.inReplyTo).toBe('<prev@example.com>');
    expect(stored.references).toEqual(['<root@example.com>', '<prev@example.com>']);
    expect(stored.eml).toEqual({
      source: fingerprint(zip),
      path: 'export/Support/cnv_e/1701292639-msg_e.eml',
      size: expect.any(Number),
    });
    expect(stored.attachments[0]!.ref).toEqual({
      source: fingerprint(zip),
      path: 'export/Support/cnv_e/attachments/msg_e/invoice.pdf',
      size: 4,
    });
    expect(snapshot.summary!.attachments).toEqual({ total: 1, withBytes: 1, missingBytes: 0 });
    expect(snapshot.summary!.emailsWithMessageId).toBe(1);
    const again = await store.sourcesToDropAgain([stored.attachments[0]!.ref!], new Set());
    expect(again.map((s) => s.name)).toEqual([zip.name]);
    expect(
      await store.sourcesToDropAgain([stored.attachments[0]!.ref!], new Set([fingerprint(zip)])),
    ).toEqual([]);
  });

  it('stops on a full disk with a clear message, keeping what was committed', async () => {
    const first = await makeZip(
      conversationFiles('Support', 'cnv_1', { messages: [['msg_1', 'sms']] }),
      'a.zip',
    );
    const content = {};
    for (let i = 2; i < 12; i++) Object.assign(content, conversationFiles('Support', `cnv_${i}`, {}));
    const second = await makeZip(content, 'b.zip');
    const third = await makeZip(conversationFiles('Support', 'cnv_99', {}), 'c.zip');
    await pipeline().ingest([first]);

    const put = IDBObjectStore.prototype.put;
    let calls = 0;
    let full = false;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      // The disk fills up during the second batch: from then on, every write fails.
      if (this.name === 'conversations' && ++calls > 3) full = true;
      if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    let result;
    try {
      result = await pipeline({ batchRows: 3 }).ingest([second, third]);
    } finally {
      spy.mockRestore();
    }
    expect(result.progress.files.map((f) => f.status)).toEqual(['failed', 'failed']);
    const error = result.messages.find((m) => m.level === 'error')!;
    expect(error.file).toBe('b.zip');
    expect(error.text).toMatch(/ran out of storage space while indexing "b\.zip"/);
    expect(error.text).toMatch(/Everything indexed so far is kept/);
    // The first zip and the first committed batch of the second are still there.
    expect(await store.getConversation('cnv_1')).toBeDefined();
    expect(result.snapshot.summary!.conversations).toBe(4);
    const source = (await store.getSource(fingerprint(second)))!;
    expect(source.checkpoint).toBe(3);
    // After freeing space, dropping it again resumes.
    const resumed = await pipeline().ingest([second]);
    expect(resumed.snapshot.summary!.conversations).toBe(11);
  });

  it('throttles progress to one channel and ends with a final snapshot', async () => {
    const content = {};
    for (let i = 0; i < 20; i++) Object.assign(content, conversationFiles('Support', `cnv_${i}`, {}));
    const zip = await makeZip(content);
    let clock = 0;
    const emitted: IngestProgress[] = [];
    await pipeline({
      progressIntervalMs: 100,
      now: () => (clock += 10),
      onProgress: (p) => emitted.push(p),
    }).ingest([zip]);
    // 20 entries at 10 ms each ≈ 200 ms of fake time: a handful of emits, not one per entry.
    expect(emitted.length).toBeLessThan(10);
    const last = emitted[emitted.length - 1]!;
    expect(last.running).toBe(false);
    expect(last.bytesDone).toBe(zip.size);
    expect(last.entriesDone).toBe(20);
    expect(last.entriesTotal).toBe(20);
  });
});

function findLocalHeader(bytes: Uint8Array, name: string): number {
  const encoded = new TextEncoder().encode(name);
  for (let i = 0; i < bytes.length - 30; i++) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 3 && bytes[i + 3] === 4) {
      const nameLength = bytes[i + 26]! | (bytes[i + 27]! << 8);
      const candidate = bytes.subarray(i + 30, i + 30 + nameLength);
      if (candidate.length === encoded.length && candidate.every((b, j) => b === encoded[j])) return i;
    }
  }
  throw new Error(`no local header for ${name}`);
}
