import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { createRelayApi } from '../../src/adapters/relay/relay-api.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { ExportFiles } from '../../src/adapters/relay/export-files.ts';
import { buildOutgoing } from '../../src/adapters/relay/outgoing.ts';
import {
  loadRelayConversation,
  markedInboxes,
  relayConversationIds,
} from '../../src/adapters/relay/relay-source.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import { readMboxrd } from '../../src/domain/relay/index.ts';
import {
  ORIGINAL_EML,
  RELAYED_IDS,
  ledgerName,
  makeRelayFixture,
  type RelayFixture,
} from './relay-target-fixtures.ts';

let fixture: RelayFixture;
let ledger: string;
beforeEach(async () => {
  fixture = await makeRelayFixture();
  ledger = ledgerName();
});
afterEach(async () => {
  await RelayLedger.destroy(ledger);
});

/** The same messages built directly, without any target or download in between. */
async function builtDirectly(): Promise<Map<string, Uint8Array>> {
  const store = await ExportStore.open({ name: fixture.dbName });
  const files = new ExportFiles();
  files.add([fixture.zip]);
  const inboxes = await markedInboxes(store);
  const byKey = new Map(inboxes.map((i) => [i.key, i]));
  const out = new Map<string, Uint8Array>();
  for (const id of await relayConversationIds(store, inboxes)) {
    const relay = (await loadRelayConversation(store, id, byKey))!;
    for (const message of relay.emails) {
      const built = await buildOutgoing(message, relay.conversation, relay.threads.get(message.id)!, files);
      if (built.kind !== 'ready') throw new Error('files missing');
      out.set(message.id, built.email.raw);
    }
  }
  store.close();
  return out;
}

const frontIdOf = (raw: Uint8Array) => /X-Front-Message-Id: (\S+)/.exec(new TextDecoder().decode(raw))?.[1];

describe('file download for IMAP accounts', () => {
  it('writes one mboxrd file per inbox that reads back to the very messages built', async () => {
    const relay = createRelayApi({ dbName: fixture.dbName, ledgerName: ledger });
    await relay.addFiles([fixture.zip]);
    const progress: number[] = [];
    const { result, blob } = await relay.exportFiles({ kind: 'mbox', inboxKey: 'inb_support' }, null, (p) =>
      progress.push(p.emails),
    );
    expect(result).toMatchObject({ fileName: 'Support.mbox', emails: 4 });
    expect(progress.at(-1)).toBe(4);
    const mbox = new Uint8Array(await blob!.arrayBuffer());
    expect(new TextDecoder().decode(mbox.subarray(0, 19))).toBe('From MAILER-DAEMON ');
    // mboxrd quoting: the body line "From here on…" is written as ">From here on…".
    expect(new TextDecoder().decode(mbox)).toContain('\n>From here on it is fine.\n');
    const messages = readMboxrd(mbox);
    const direct = await builtDirectly();
    expect(messages).toHaveLength(4);
    for (const raw of messages) expect(raw).toEqual(direct.get(frontIdOf(raw)!));
    expect(new TextDecoder().decode(messages[0])).toContain(ORIGINAL_EML.split('\r\n\r\n')[1]);

    const copies = await RelayLedger.open({ name: ledger });
    const counts = await copies.counts('files:mbox:inb_support');
    copies.close();
    expect(counts.done).toBe(4);
  });

  it('writes a zip of .eml files, a folder per inbox, each file the message built', async () => {
    const relay = createRelayApi({ dbName: fixture.dbName, ledgerName: ledger });
    await relay.addFiles([fixture.zip]);
    const { result, blob } = await relay.exportFiles({ kind: 'eml' }, null);
    expect(result).toMatchObject({ fileName: 'front-emails.zip', emails: 4 });
    const reader = new ZipReader(new BlobReader(blob!));
    const entries = await reader.getEntries();
    const direct = await builtDirectly();
    expect(entries.map((e) => e.filename).sort()).toEqual([
      'Support/2023-11-29_090000-broken-invoice-msg_a1.eml',
      'Support/2023-11-29_091000-re-broken-invoice-msg_a2.eml',
      'Support/2023-11-29_092000-re-broken-invoice-msg_a3.eml',
      'Support/2023-11-29_093000-rapport-annuel-été-msg_b1.eml',
    ]);
    for (const entry of entries) {
      if (entry.directory) continue;
      const bytes = await entry.getData(new Uint8ArrayWriter());
      expect(bytes).toEqual(direct.get(frontIdOf(bytes)!));
    }
    await reader.close();
    expect([...direct.keys()].sort()).toEqual([...RELAYED_IDS].sort());
  });

  it('names the zips to drop again instead of writing a partial download', async () => {
    const relay = createRelayApi({ dbName: fixture.dbName, ledgerName: ledger });
    const overview = await relay.overview();
    expect(overview.sources).toEqual([{ id: expect.any(String), name: fixture.zip.name, available: false }]);
    await expect(relay.exportFiles({ kind: 'eml' }, null)).rejects.toThrow(
      `Drop these export files again first: ${fixture.zip.name}`,
    );
  });
});
