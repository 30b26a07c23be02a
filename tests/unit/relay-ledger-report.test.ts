import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import {
  RELAY_PENDING_REASON,
  RELAY_UNCONFIRMED_REASON,
  relayReportItems,
} from '../../src/adapters/relay/report-items.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import { SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import type { ReportItem } from '../../src/domain/report/types.ts';
import { ledgerName, makeRelayFixture, type RelayFixture } from './relay-target-fixtures.ts';

let fixture: RelayFixture;
let name: string;
let ledger: RelayLedger;
let store: ExportStore;
beforeEach(async () => {
  fixture = await makeRelayFixture();
  name = ledgerName();
  ledger = await RelayLedger.open({ name });
  store = await ExportStore.open({ name: fixture.dbName });
});
afterEach(async () => {
  ledger.close();
  store.close();
  await RelayLedger.destroy(name);
});

const GMAIL = { key: 'gmail:ann@example.com', kind: 'gmail' as const, label: 'Gmail ann@example.com' };
const MBOX = {
  key: 'files:mbox:inb_support',
  kind: 'files' as const,
  label: 'mbox download Support.mbox (for an IMAP account)',
};

describe('relay report items', () => {
  it('reports every email once: relayed, failed, pending or skipped with the reason', async () => {
    await ledger.putTarget(GMAIL, 'labels "Front import/<inbox>" (archived, not in the Inbox)');
    await ledger.putTarget(MBOX, 'Support.mbox');
    const rows = await ledger.ensure(GMAIL.key, [
      { frontId: 'msg_a1', conversationId: 'cnv_a', messageId: '<original-a1@customer.example>' },
      { frontId: 'msg_a3', conversationId: 'cnv_a', messageId: '<a3@x>' },
      { frontId: 'msg_b1', conversationId: 'cnv_b', messageId: '<b1@x>' },
    ]);
    await ledger.markDone(rows[0]!, 'gm-1', 'th-1');
    await ledger.markSending(rows[1]!, { id: 'x', startedAt: 1 });
    await ledger.markFailed(rows[2]!, 'Gmail import: Gmail answered 400 Invalid message');
    // msg_a3 is also in a finished download: the mailbox copy is not confirmed, the download is.
    await ledger.recordDone(MBOX.key, [
      { frontId: 'msg_a3', conversationId: 'cnv_a', messageId: '<a3@x>', remoteId: 'Support.mbox' },
    ]);

    const items: ReportItem[] = [];
    for await (const item of relayReportItems(store, ledger)) items.push(item);
    const byId = new Map(items.map((item) => [item.frontId, item]));
    expect(items).toHaveLength(7);
    expect(items.every((item) => item.kind === 'email')).toBe(true);
    expect(byId.get('msg_a1')).toMatchObject({
      status: 'imported',
      inbox: 'Support',
      subject: 'Broken invoice',
      target: 'Gmail ann@example.com, labels "Front import/<inbox>" (archived, not in the Inbox)',
      frontConversationId: 'cnv_a',
    });
    expect(byId.get('msg_a2')).toMatchObject({ status: 'pending', reason: RELAY_PENDING_REASON });
    expect(byId.get('msg_a3')).toMatchObject({ status: 'imported', target: MBOX.label });
    expect(byId.get('msg_b1')).toMatchObject({
      status: 'failed',
      reason: 'Gmail import: Gmail answered 400 Invalid message',
    });
    expect(byId.get('msg_b2')).toMatchObject({ status: 'skipped', reason: SKIP_REASONS.draft });
    expect(byId.get('msg_c1')).toMatchObject({
      status: 'skipped',
      reason: SKIP_REASONS.emailSynced,
      inbox: 'Sales',
    });
    expect(byId.get('msg_d1')).toMatchObject({ status: 'skipped', reason: SKIP_REASONS.deletedConversation });
  });

  it('says when a sent email is not confirmed yet', async () => {
    await ledger.putTarget(GMAIL, 'labels');
    const [row] = await ledger.ensure(GMAIL.key, [
      { frontId: 'msg_a2', conversationId: 'cnv_a', messageId: '<a2@x>' },
    ]);
    await ledger.markSending(row!, { id: 'x', startedAt: 1 });
    for await (const item of relayReportItems(store, ledger)) {
      if (item.frontId === 'msg_a2')
        expect(item).toMatchObject({ status: 'pending', reason: RELAY_UNCONFIRMED_REASON });
    }
  });
});
