import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentsWaiting } from '../../src/adapters/relay/comments-waiting.ts';
import { ExportFiles } from '../../src/adapters/relay/export-files.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { buildOutgoing } from '../../src/adapters/relay/outgoing.ts';
import {
  loadRelayConversation,
  markedInboxes,
  relayConversationIds,
} from '../../src/adapters/relay/relay-source.ts';
import type { OutgoingEmail } from '../../src/adapters/relay/target.ts';
import { Ledger } from '../../src/adapters/ledger.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import { DEFAULT_PLAN_CHOICES, planConversation } from '../../src/domain/import/plan.ts';
import { SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import type { Comment } from '../../src/domain/model.ts';
import { ledgerName, makeRelayFixture, type RelayFixture } from './relay-target-fixtures.ts';

let fixture: RelayFixture;
let relayName: string;
let importName: string;
let relay: RelayLedger;
let imports: Ledger;

beforeEach(async () => {
  fixture = await makeRelayFixture();
  relayName = ledgerName();
  importName = `${ledgerName()}-import`;
  relay = await RelayLedger.open({ name: relayName });
  imports = await Ledger.open({ name: importName });
});
afterEach(async () => {
  relay.close();
  imports.close();
  await RelayLedger.destroy(relayName);
  await Ledger.destroy(importName);
});

function comment(id: string, conversationId: string): Comment {
  return {
    id,
    conversationId,
    authorName: 'Sam',
    authorEmail: 'sam@acme.example',
    body: 'Internal note',
    postedAt: Date.UTC(2023, 10, 29, 12),
    attachments: [],
    isPinned: false,
  };
}

/**
 * The import's own plan for the fixture's relayed conversations, written into its ledger. The
 * relay set is the inboxes marked SMTP forwarding in the export index, as the app passes it.
 */
async function planImport(): Promise<void> {
  const store = await ExportStore.open({ name: fixture.dbName });
  const relayInboxKeys = new Set((await markedInboxes(store)).map((inbox) => inbox.key));
  const plans = [];
  for (const id of ['cnv_a', 'cnv_b']) {
    const { stats: _stats, ...conversation } = (await store.getConversation(id))!;
    const comments = [comment(`com_${id}_1`, id), comment(`com_${id}_2`, id)];
    const plan = planConversation(conversation, await store.messagesOf(id), comments, {
      ...DEFAULT_PLAN_CHOICES,
      relayInboxKeys,
    });
    plans.push({ plan, options: { trial: false, retryFailed: false } });
  }
  store.close();
  await imports.mergePlans(plans);
}

/** The copies relay mode builds for the marked inboxes, oldest first per conversation. */
async function relayedCopies(): Promise<OutgoingEmail[]> {
  const store = await ExportStore.open({ name: fixture.dbName });
  const files = new ExportFiles();
  files.add([fixture.zip]);
  const inboxes = await markedInboxes(store);
  const byKey = new Map(inboxes.map((inbox) => [inbox.key, inbox]));
  const copies: OutgoingEmail[] = [];
  for (const id of await relayConversationIds(store, inboxes)) {
    const relayed = (await loadRelayConversation(store, id, byKey))!;
    for (const message of relayed.emails) {
      const built = await buildOutgoing(
        message,
        relayed.conversation,
        relayed.threads.get(message.id)!,
        files,
      );
      if (built.kind !== 'ready') throw new Error('files missing');
      copies.push(built.email);
    }
  }
  store.close();
  return copies;
}

/** The Message-ID header the copy really carries. */
function messageIdHeader(copy: OutgoingEmail): string | undefined {
  return /^Message-ID: (\S+)\r$/im.exec(new TextDecoder().decode(copy.raw))?.[1];
}

describe('comments waiting for Missive to sync relayed emails', () => {
  it('a relayed conversation is looked up by the Message-ID of its relayed copy, the original or a derived one', async () => {
    await planImport();
    const copies = await relayedCopies();
    // cnv_a's oldest email kept its original Message-ID (its .eml is relayed unchanged); cnv_b's
    // had none in the export: its copy carries the derived one. Either way, the import looks the
    // conversation up by the Message-ID the oldest copy carries, so its comments can be placed.
    const oldest = new Map<string, OutgoingEmail>();
    for (const copy of copies) if (!oldest.has(copy.conversationId)) oldest.set(copy.conversationId, copy);
    expect(oldest.get('cnv_a')?.messageId).toBe('<original-a1@customer.example>');
    expect(oldest.get('cnv_b')?.messageId).toBe('<front-msg_b1@front-import.invalid>');
    for (const id of ['cnv_a', 'cnv_b']) {
      const row = (await imports.getConversation(id))!;
      expect(row).toMatchObject({ status: 'pending', commentRoute: 'email' });
      expect(row.lookupMessageId).toBe(oldest.get(id)!.messageId);
      expect(row.lookupMessageId).toBe(messageIdHeader(oldest.get(id)!));
      const comments = (await imports.itemsOf(id)).filter((item) => item.kind === 'comment');
      expect(comments.map((item) => [item.status, item.reason])).toEqual([
        ['pending', null],
        ['pending', null],
      ]);
    }
    expect(
      (await imports.itemsWithStatus('skipped')).filter((item) => item.reason === SKIP_REASONS.noMessageId),
    ).toEqual([]);
  });

  it('counts the relayed conversations whose comments wait for their email in Missive', async () => {
    await planImport();
    // Nothing relayed yet: nothing waits on Missive.
    expect(await commentsWaiting(imports, relay)).toEqual({ emails: 0, comments: 0, unplaceable: 0 });

    const copies = await relayedCopies();
    const rows = await relay.ensure(
      'gmail:ann@example.com',
      copies.map(({ frontId, conversationId, messageId }) => ({ frontId, conversationId, messageId })),
    );
    for (const [i, row] of rows.entries()) await relay.markDone(row, `gm-${i}`, `th-${row.conversationId}`);
    // Both conversations' emails are in the mailbox: cnv_a's with its original Message-ID, cnv_b's
    // with a derived one (none in the export). The comments of both wait for Missive to sync them.
    expect(await commentsWaiting(imports, relay)).toEqual({ emails: 2, comments: 4, unplaceable: 0 });

    // Missive synced cnv_a's email: the import found its conversation.
    const a = (await imports.getConversation('cnv_a'))!;
    await imports.putConversation(a, { ...a, missiveConversationId: 'mis-1' });
    expect(await commentsWaiting(imports, relay)).toEqual({ emails: 1, comments: 2, unplaceable: 0 });
    // And cnv_b's, found by the derived Message-ID.
    const b = (await imports.getConversation('cnv_b'))!;
    await imports.putConversation(b, { ...b, missiveConversationId: 'mis-2' });
    expect((await commentsWaiting(imports, relay)).emails).toBe(0);
  });
});
