import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, conversationStatusOf, type LedgerItem } from '../../src/adapters/ledger.ts';
import { planConversation, type ConversationPlan } from '../../src/domain/import/plan.ts';
import { SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import type { Comment, Conversation, Message } from '../../src/domain/model.ts';

const T0 = 1_700_000_000_000;
let ledger: Ledger;
let name: string;
let n = 0;

beforeEach(async () => {
  name = `ledger-test-${++n}`;
  ledger = await Ledger.open({ name });
});

afterEach(async () => {
  ledger.close();
  await Ledger.destroy(name);
});

/** Records the durability each read-write transaction asked for (fake-indexeddb accepts the option). */
function recordDurability(): { seen: string[]; restore: () => void } {
  const seen: string[] = [];
  const original = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (
    this: IDBDatabase,
    stores: string | string[],
    mode?: IDBTransactionMode,
    options?: IDBTransactionOptions,
  ): IDBTransaction {
    if (mode === 'readwrite') seen.push(options?.durability ?? 'default');
    return original.call(this, stores, mode, options);
  };
  return { seen, restore: () => (IDBDatabase.prototype.transaction = original) };
}

function conversation(id: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    seen: true,
    subject: `Subject ${id}`,
    status: 'archived',
    type: 'conversation',
    createdAt: T0,
    inboxKeys: [],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
    ...overrides,
  };
}

function sms(id: string, conversationId: string, at: number): Message {
  return {
    id,
    conversationId,
    kind: 'sms',
    frontType: 'sms',
    isInbound: true,
    isDraft: false,
    createdAt: T0 + at,
    subject: '',
    body: 'hi',
    text: 'hi',
    authorName: null,
    recipients: [
      { handle: '+15550001', name: null, role: 'from' },
      { handle: '+15550002', name: null, role: 'to' },
    ],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
  };
}

function comment(id: string, conversationId: string, at: number): Comment {
  return {
    id,
    conversationId,
    authorName: 'Sam',
    authorEmail: null,
    body: 'note',
    postedAt: T0 + at,
    attachments: [],
    isPinned: false,
  };
}

function planOf(id: string, options: { deleted?: boolean; createdAt?: number } = {}): ConversationPlan {
  return planConversation(
    conversation(id, {
      status: options.deleted ? 'deleted' : 'archived',
      createdAt: options.createdAt ?? T0,
    }),
    [sms(`msg_${id}_1`, id, 1), sms(`msg_${id}_2`, id, 2)],
    [comment(`com_${id}_1`, id, 3)],
  );
}

const fresh = { trial: false, retryFailed: true };

describe('ledger', () => {
  it('merges a plan: items pending or skipped as planned, counted per kind and report status', async () => {
    await ledger.mergePlans([
      { plan: planOf('cnv_a'), options: fresh },
      { plan: planOf('cnv_b', { deleted: true }), options: fresh },
    ]);
    expect(ledger.counts()).toMatchObject({
      conversation: { pending: 1, skipped: 1, imported: 0, failed: 0 },
      sms: { pending: 2, skipped: 2 },
      comment: { pending: 1, skipped: 1 },
    });
    const items = await ledger.itemsOf('cnv_a');
    expect(items.map((i) => [i.frontId, i.status, i.parts, i.partsDone])).toEqual([
      ['com_cnv_a_1', 'pending', 1, 0],
      ['msg_cnv_a_1', 'pending', 1, 0],
      ['msg_cnv_a_2', 'pending', 1, 0],
    ]);
    expect((await ledger.itemsOf('cnv_b')).every((i) => i.reason === SKIP_REASONS.deletedConversation)).toBe(
      true,
    );
  });

  it('writes the in-flight mark with strict durability (a lost one would resend unchecked)', async () => {
    await ledger.mergePlans([{ plan: planOf('cnv_a'), options: fresh }]);
    const [com, msg1] = await ledger.itemsOf('cnv_a');
    const attempt = {
      id: 'a1',
      request: 'sms-message' as const,
      part: 1,
      carriedIds: [msg1!.frontId],
      sentAt: 1,
      unknown: false,
    };
    const durability = recordDurability();
    try {
      await ledger.updateItems([msg1!], () => ({ status: 'in_flight', attempt }));
      await ledger.updateItems([com!], () => ({ status: 'failed', reason: 'HTTP 400: bad' }));
    } finally {
      durability.restore();
    }
    expect(durability.seen).toEqual(['strict', 'default']);
  });

  it('never forgets what Missive holds: done and in-flight items survive a new plan; failed ones are retried by a new run only', async () => {
    await ledger.mergePlans([{ plan: planOf('cnv_a'), options: fresh }]);
    const [com, msg1, msg2] = await ledger.itemsOf('cnv_a');
    const attempt = {
      id: 'a1',
      request: 'sms-message' as const,
      part: 1,
      carriedIds: [msg1!.frontId],
      sentAt: 1,
      unknown: false,
    };
    await ledger.updateItems(
      [msg1!],
      () => ({
        status: 'done',
        partsDone: 1,
        missive: { conversationId: 'mc1', messageIds: ['m1'], postIds: [] },
      }),
      { strict: true },
    );
    await ledger.updateItems([msg2!], () => ({ status: 'in_flight', attempt }));
    await ledger.updateItems([com!], () => ({ status: 'failed', reason: 'HTTP 400: bad' }));

    // A resume (same run): the failure stays.
    await ledger.mergePlans([
      { plan: planOf('cnv_a', { deleted: true }), options: { trial: false, retryFailed: false } },
    ]);
    let byId = new Map((await ledger.itemsOf('cnv_a')).map((i) => [i.frontId, i]));
    expect(byId.get(msg1!.frontId)).toMatchObject({ status: 'done', missive: { messageIds: ['m1'] } });
    expect(byId.get(msg2!.frontId)).toMatchObject({ status: 'in_flight', attempt });
    expect(byId.get(com!.frontId)).toMatchObject({ status: 'failed', reason: 'HTTP 400: bad' });

    // A new run: the failure is tried again; done and in flight still stand.
    await ledger.mergePlans([{ plan: planOf('cnv_a'), options: fresh }]);
    byId = new Map((await ledger.itemsOf('cnv_a')).map((i) => [i.frontId, i]));
    expect(byId.get(com!.frontId)!.status).toBe('pending');
    expect(byId.get(msg1!.frontId)!.status).toBe('done');
    expect(byId.get(msg2!.frontId)!.status).toBe('in_flight');
    expect(ledger.counts().sms).toEqual({ imported: 1, pending: 1, skipped: 0, failed: 0 });

    // The counts kept in memory match a recount from the stores.
    const inMemory = ledger.counts();
    await ledger.recount();
    expect(ledger.counts()).toEqual(inMemory);
  });

  it('keeps a skip the user chose', async () => {
    await ledger.mergePlans([{ plan: planOf('cnv_a'), options: fresh }]);
    const [, msg1] = await ledger.itemsOf('cnv_a');
    await ledger.updateItems([msg1!], () => ({ status: 'skipped', reason: SKIP_REASONS.skippedUnknown }));
    await ledger.mergePlans([{ plan: planOf('cnv_a'), options: fresh }]);
    expect((await ledger.getItem(msg1!.frontId))!.status).toBe('skipped');
  });

  it('queues pending conversations oldest first; done ones leave the queue', async () => {
    await ledger.mergePlans([
      { plan: planOf('cnv_late', { createdAt: T0 + 5000 }), options: fresh },
      { plan: planOf('cnv_early', { createdAt: T0 - 5000 }), options: fresh },
      { plan: planOf('cnv_mid'), options: fresh },
    ]);
    expect((await ledger.queuePage(null, 10)).map((c) => c.frontId)).toEqual([
      'cnv_early',
      'cnv_mid',
      'cnv_late',
    ]);
    const first = await ledger.queuePage(null, 1);
    expect((await ledger.queuePage(first[0]!.queueKey!, 10)).map((c) => c.frontId)).toEqual([
      'cnv_mid',
      'cnv_late',
    ]);
    const mid = (await ledger.getConversation('cnv_mid'))!;
    await ledger.putConversation(mid, { ...mid, status: 'done', missiveConversationId: 'mc-mid' });
    expect((await ledger.queuePage(null, 10)).map((c) => c.frontId)).toEqual(['cnv_early', 'cnv_late']);
    expect((await ledger.conversationByMissiveId('mc-mid'))!.frontId).toBe('cnv_mid');
    expect(ledger.counts().conversation).toMatchObject({ pending: 2, imported: 1 });
  });

  it('keeps each probe’s observation when another one records its own', async () => {
    expect(await ledger.getObservations()).toEqual({
      reopenReading: null,
      reopenObservedOn: null,
      deliveredAtKept: null,
    });
    await ledger.putObservations({ reopenReading: 'flag-reopens', reopenObservedOn: 'conv-1' });
    await ledger.putObservations({ deliveredAtKept: false });
    expect(await ledger.getObservations()).toEqual({
      reopenReading: 'flag-reopens',
      reopenObservedOn: 'conv-1',
      deliveredAtKept: false,
    });
  });

  it('keeps the run metadata', async () => {
    expect(await ledger.getRun()).toBeUndefined();
    const run = {
      mode: 'full' as const,
      state: 'running' as const,
      stateReason: null,
      choices: {
        includeDeleted: false,
        placement: 'closed' as const,
        commentMode: 'per-comment' as const,
        relayInboxKeys: [],
      },
      target: { account: 'acc', organization: 'org', team: null, sharedLabelId: 'lab' },
      user: { id: 'u', name: 'Sam', email: null },
      apiBase: 'http://127.0.0.1:1/v1',
      timeScale: 1,
      startedAt: T0,
      finishedAt: null,
      updatedAt: T0,
      trialConversationIds: ['cnv_a'],
    };
    await ledger.putRun(run);
    expect(await ledger.getRun()).toMatchObject({ ...run, updatedAt: expect.any(Number) });
  });

  it('a conversation is imported once nothing is left to send and something went in', () => {
    const item = (status: LedgerItem['status']) => ({ status }) as LedgerItem;
    expect(conversationStatusOf('pending', [item('done'), item('pending')])).toBe('pending');
    expect(conversationStatusOf('pending', [item('done'), item('skipped'), item('failed')])).toBe('done');
    expect(conversationStatusOf('pending', [item('failed'), item('skipped')])).toBe('failed');
    expect(conversationStatusOf('skipped', [item('skipped')])).toBe('skipped');
    expect(conversationStatusOf('pending', [item('in_flight')])).toBe('pending');
  });
});
