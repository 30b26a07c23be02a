import 'fake-indexeddb/auto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { BlobReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { expectText, startTestBed, type TestBed } from './harness.ts';
import { RELAY_INBOX, generateRelayExport, loadAndMark, openRelayStep } from './relay-flow.ts';
import type { GeneratedExport } from '../../testbed/front-export-generator/generate.ts';
import { createIngestApi } from '../../src/adapters/ingest-api.ts';
import { createRelayApi } from '../../src/adapters/relay/relay-api.ts';
import type { SourceBlob } from '../../src/adapters/zip-source.ts';
import { readMboxrd } from '../../src/domain/relay/index.ts';

/** The same export indexed and built in Node, with no browser and no target in between. */
async function builtInNode(files: string[]): Promise<Uint8Array> {
  const blobs = files.map(
    (path) =>
      new File([readFileSync(path)], basename(path), {
        lastModified: statSync(path).mtimeMs,
      }) as unknown as SourceBlob,
  );
  const dbName = `relay-mbox-node-${Date.now()}`;
  const ingest = createIngestApi({ dbName });
  await ingest.ingest(blobs);
  const snapshot = await ingest.load();
  const support = snapshot.inboxes.find((inbox) => inbox.name === RELAY_INBOX)!;
  await ingest.setSmtpForwarding(support.key, true);
  const relay = createRelayApi({ dbName, ledgerName: `${dbName}-ledger` });
  await relay.addFiles(blobs);
  const { blob } = await relay.exportFiles({ kind: 'mbox', inboxKey: support.key }, null);
  return new Uint8Array(await blob!.arrayBuffer());
}

describe('mbox download for IMAP accounts', () => {
  let bed: TestBed;
  let generated: GeneratedExport;

  beforeAll(async () => {
    [bed, generated] = await Promise.all([startTestBed(), generateRelayExport(63, 20)]);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('downloads one mboxrd file per inbox that reads back to the messages built without any browser', async () => {
    const expected = generated.manifest.perInbox[RELAY_INBOX]!.emails;
    const { context, page } = await bed.open();
    // Chromium has showSaveFilePicker, which opens a dialog nobody can click here: take the Blob route.
    await context.addInitScript(() => {
      delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    await page.reload();
    await loadAndMark(page, generated.files);
    await openRelayStep(page, expected);
    await page.getByRole('radio', { name: /Any other account \(IMAP\)/ }).check();
    await expectText(page.getByTestId('relay-save-method'), 'Blob download');
    await expectText(page.getByTestId('thunderbird-steps'), 'ImportExportTools NG');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download ${RELAY_INBOX}.mbox` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${RELAY_INBOX}.mbox`);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    await expectText(page.getByTestId('relay-download-done'), `${RELAY_INBOX}.mbox: ${expected} emails`);

    const messages = readMboxrd(bytes);
    expect(messages).toHaveLength(expected);
    const fromNode = await builtInNode(generated.files);
    expect(bytes).toEqual(fromNode);
    const ids = new Set<string>();
    for (const raw of messages) {
      const parsed = await PostalMime.parse(raw);
      expect(parsed.messageId).toMatch(/^<.+>$/);
      ids.add(parsed.headers.find((h) => h.key === 'x-front-message-id')!.value);
    }
    expect(ids.size).toBe(expected);
  });

  it('writes straight into the file the user picked when the browser can (File System Access API)', async () => {
    const expected = generated.manifest.perInbox[RELAY_INBOX]!.emails;
    const { context, page } = await bed.open();
    // The picker's dialog cannot be clicked here: it hands out a file of the origin's private file system.
    await context.addInitScript(() => {
      (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (options: {
        suggestedName: string;
      }) => (await navigator.storage.getDirectory()).getFileHandle(options.suggestedName, { create: true });
    });
    await page.reload();
    await loadAndMark(page, generated.files);
    await openRelayStep(page, expected);
    await page.getByRole('radio', { name: /Any other account \(IMAP\)/ }).check();
    await expectText(page.getByTestId('relay-save-method'), 'File System Access API');
    await page.getByRole('button', { name: 'Download all as .eml files (zip)' }).click();
    await expectText(page.getByTestId('relay-download-done'), 'written into the file you chose');
    const written = await page.evaluate(async () => {
      const file = await (
        await (await navigator.storage.getDirectory()).getFileHandle('front-emails.zip')
      ).getFile();
      // As base64: a plain array of numbers would be slow to hand over.
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    });
    const reader = new ZipReader(new BlobReader(new Blob([Buffer.from(written, 'base64')])));
    const entries = (await reader.getEntries()).filter((entry) => !entry.directory);
    expect(entries).toHaveLength(expected);
    expect(
      entries.every(
        (entry) => entry.filename.startsWith(`${RELAY_INBOX}/`) && entry.filename.endsWith('.eml'),
      ),
    ).toBe(true);
    const first = await PostalMime.parse(await entries[0]!.getData(new Uint8ArrayWriter()));
    expect(first.headers.some((h) => h.key === 'x-front-message-id')).toBe(true);
    await reader.close();
  });
});
