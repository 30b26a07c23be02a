import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentsWaiting } from '../../src/adapters/relay/comments-waiting.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { Ledger } from '../../src/adapters/ledger.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import { DEFAULT_PLAN_CHOICES, planConversation } from '../../src/domain/import/plan.ts';
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

/** The import's own plan for the fixture's relayed conversations, written into its ledger. */
async function planImport(): Promise<void> {
  const store = await ExportStore.open({ name: fixture.dbName });
  const plans = [];
  for (const id of ['cnv_a', 'cnv_b']) {
    const { stats: _stats, ...conversation } = (await store.getConversation(id))!;
    const comments = [comment(`com_${id}_1`, id), comment(`com_${id}_2`, id)];
    const plan = planConversation(conversation, await store.messagesOf(id), comments, {
      ...DEFAULT_PLAN_CHOICES,
      relayInboxKeys: new Set(['inb_support']),
    });
    plans.push({ plan, options: { trial: false, retryFailed: false } });
  }
  store.close();
  await imports.mergePlans(plans);
}

describe('comments waiting for Missive to sync relayed emails', () => {
  it('counts the relayed conversations whose comments wait for their email in Missive', async () => {
    await planImport();
    // Nothing relayed yet: nothing waits on Missive.
    expect(await commentsWaiting(imports, relay)).toEqual({ emails: 0, comments: 0, unplaceable: 0 });

    const rows = await relay.ensure('gmail:ann@example.com', [
      { frontId: 'msg_a1', conversationId: 'cnv_a', messageId: '<original-a1@customer.example>' },
      { frontId: 'msg_b1', conversationId: 'cnv_b', messageId: '<front-msg_b1@front-import.invalid>' },
    ]);
    await relay.markDone(rows[0]!, 'gm-1', 'th-1');
    await relay.markDone(rows[1]!, 'gm-2', 'th-2');
    // cnv_a's email has its original Message-ID: its two comments wait for Missive to sync it.
    // cnv_b's email had none in the export: the import planned its comments as unplaceable.
    expect(await commentsWaiting(imports, relay)).toEqual({ emails: 1, comments: 2, unplaceable: 2 });

    // Missive synced cnv_a's email: the import found its conversation.
    const row = (await imports.getConversation('cnv_a'))!;
    await imports.putConversation(row, { ...row, missiveConversationId: 'mis-1' });
    expect((await commentsWaiting(imports, relay)).emails).toBe(0);
  });
});
