import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { ledgerName } from './relay-target-fixtures.ts';

let name: string;
let ledger: RelayLedger;
let time = 1000;
beforeEach(async () => {
  name = ledgerName();
  ledger = await RelayLedger.open({ name, now: () => ++time });
});
afterEach(async () => {
  ledger.close();
  await RelayLedger.destroy(name);
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

const GMAIL = 'gmail:ann@example.com';
const JMAP = 'jmap:ann@fastmail.example';
const email = (n: number, conversationId = 'cnv_1') => ({
  frontId: `msg_${n}`,
  conversationId,
  messageId: `<m${n}@x>`,
});

describe('relay ledger', () => {
  it('writes the sending mark and done with strict durability', async () => {
    const [row] = await ledger.ensure(GMAIL, [email(1)]);
    const durability = recordDurability();
    try {
      const sending = await ledger.markSending(row!, { id: 'att-1', startedAt: 5 });
      await ledger.markDone(sending, 'gm-1', 'th-1');
      await ledger.markPending(sending, 'later');
    } finally {
      durability.restore();
    }
    expect(durability.seen).toEqual(['strict', 'strict', 'default']);
  });

  it('follows pending → sending → done, keyed by target account and Front message', async () => {
    const [row] = await ledger.ensure(GMAIL, [email(1)]);
    expect(row).toMatchObject({ status: 'pending', target: GMAIL, attempt: null, failures: 0 });
    const sending = await ledger.markSending(row!, { id: 'att-1', startedAt: 5 });
    expect((await ledger.get(GMAIL, 'msg_1'))?.status).toBe('sending');
    await ledger.markDone(sending, 'gm-1', 'th-1');
    expect(await ledger.get(GMAIL, 'msg_1')).toMatchObject({
      status: 'done',
      remoteId: 'gm-1',
      threadId: 'th-1',
      attempt: null,
    });
    // The same Front message is a separate row for another target.
    const [other] = await ledger.ensure(JMAP, [email(1)]);
    expect(other?.status).toBe('pending');
    expect(await ledger.rowsOfMessage('msg_1')).toHaveLength(2);
  });

  it('keeps what is done or in flight when the emails are listed again (resume after a reload)', async () => {
    const rows = await ledger.ensure(GMAIL, [email(1), email(2), email(3)]);
    await ledger.markDone(await ledger.markSending(rows[0]!, { id: 'a', startedAt: 1 }), 'r1', null);
    await ledger.markSending(rows[1]!, { id: 'b', startedAt: 2 });
    // A closed tab: a new connection reads the same rows.
    ledger.close();
    ledger = await RelayLedger.open({ name });
    const again = await ledger.ensure(GMAIL, [email(1), email(2), email(3)]);
    expect(again.map((r) => r.status)).toEqual(['done', 'sending', 'pending']);
    expect(again[1]!.attempt).toEqual({ id: 'b', startedAt: 2 });
    expect(await ledger.counts(GMAIL)).toEqual({ total: 3, done: 1, sending: 1, pending: 1, failed: 0 });
  });

  it('updates a pending row whose Message-ID changed, never a sent one', async () => {
    const rows = await ledger.ensure(GMAIL, [email(1), email(2)]);
    await ledger.markSending(rows[1]!, { id: 'x', startedAt: 1 });
    const again = await ledger.ensure(GMAIL, [
      { ...email(1), messageId: '<new1@x>' },
      { ...email(2), messageId: '<new2@x>' },
    ]);
    expect(again.map((r) => r.messageId)).toEqual(['<new1@x>', '<m2@x>']);
  });

  it('counts failures of unanswered sends and retries failed emails on a new run', async () => {
    const [row] = await ledger.ensure(GMAIL, [email(1)]);
    const sending = await ledger.markSending(row!, { id: 'a', startedAt: 1 });
    const back = await ledger.markPending(sending, 'checked: not on the target', { countFailure: true });
    expect(back).toMatchObject({ status: 'pending', failures: 1, reason: 'checked: not on the target' });
    await ledger.markFailed(back, 'Gmail answered 400 Invalid');
    expect((await ledger.withStatus(GMAIL, 'failed'))[0]?.reason).toBe('Gmail answered 400 Invalid');
    expect(await ledger.retryFailed(GMAIL)).toBe(1);
    expect(await ledger.get(GMAIL, 'msg_1')).toMatchObject({ status: 'pending', failures: 0, reason: null });
  });

  it('records a finished download in bulk, lists targets, and walks every row in pages', async () => {
    await ledger.putTarget(
      { key: 'files:eml', kind: 'files', label: '.eml zip download' },
      'front-emails.zip',
    );
    await ledger.recordDone(
      'files:eml',
      Array.from({ length: 2500 }, (_, i) => ({ ...email(i), remoteId: `zip/${i}.eml` })),
    );
    expect((await ledger.counts('files:eml')).done).toBe(2500);
    expect((await ledger.listTargets()).map((t) => t.destination)).toEqual(['front-emails.zip']);
    let seen = 0;
    await ledger.forEach(() => seen++, 1000);
    expect(seen).toBe(2500);
    await ledger.clearTarget('files:eml');
    expect((await ledger.counts('files:eml')).total).toBe(0);
  });

  it('never stores a token: rows hold IDs, statuses and reasons only', async () => {
    const [row] = await ledger.ensure(GMAIL, [email(1)]);
    const fields = Object.keys(row!).sort();
    expect(fields).toEqual(
      [
        'attempt',
        'conversationId',
        'failures',
        'frontId',
        'messageId',
        'notes',
        'reason',
        'remoteId',
        'status',
        'target',
        'threadId',
        'updatedAt',
      ].sort(),
    );
  });
});
