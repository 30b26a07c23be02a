/**
 * The resolver (import-engine-resolve.ts) against the sandbox's `GET /v1/conversations`: Missive's
 * documented paging (newest `last_activity_at` first, `until` = the oldest `last_activity_at` of the
 * previous page, in seconds; a page longer than `limit` when several share its last timestamp).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationResolver } from '../../src/adapters/import-engine-resolve.ts';
import type { Requester } from '../../src/adapters/import-engine-requests.ts';
import type { Ledger } from '../../src/adapters/ledger.ts';
import type { LedgerConversation } from '../../src/adapters/ledger-schema.ts';
import {
  CONVERSATION_LIST_PAGE_SIZE,
  conversationsPage,
  labelledConversationsPath,
} from '../../src/domain/import/outcomes.ts';
import {
  startMissiveSandbox,
  type MissiveSandbox,
  type SandboxOptions,
} from '../../testbed/missive-sandbox/server.ts';

let box: MissiveSandbox | null = null;
afterEach(async () => {
  await box?.close();
  box = null;
});

async function startSandbox(options: SandboxOptions = {}): Promise<MissiveSandbox> {
  box = await startMissiveSandbox(options);
  return box;
}

/** Reads straight from the sandbox, as the run's Requester does (no scheduler needed here). */
function requesterFor(sandbox: MissiveSandbox): Requester {
  const read = async (path: string) => {
    const res = await fetch(sandbox.url + path, { headers: { Authorization: `Bearer ${sandbox.token}` } });
    const body: unknown = await res.json();
    return res.ok
      ? { ok: true as const, body }
      : { ok: false as const, why: 'error' as const, message: `HTTP ${res.status}` };
  };
  return { read } as unknown as Requester;
}

/** The ledger rows the resolver reads and writes, in memory. */
function ledgerFor(frontIds: readonly string[]) {
  const rows = new Map<string, LedgerConversation>(
    frontIds.map((frontId) => [
      frontId,
      {
        frontId,
        status: 'pending',
        reason: null,
        flags: [],
        order: 0,
        commentRoute: 'sms',
        lookupMessageId: null,
        missiveConversationId: null,
        webUrl: null,
        smsSent: 1,
        trial: false,
      },
    ]),
  );
  const ledger = {
    getConversation: async (id: string) => rows.get(id),
    putConversation: async (_before: LedgerConversation, after: LedgerConversation) => {
      rows.set(after.frontId, after);
      return after;
    },
    conversationByMissiveId: async (missiveId: string) =>
      [...rows.values()].find((row) => row.missiveConversationId === missiveId),
    getItem: async () => undefined,
  };
  return { rows, ledger: ledger as unknown as Ledger };
}

/** One SMS of Front conversation `front`, threaded by its `front-<id>` reference, labelled. */
async function sms(sandbox: MissiveSandbox, label: string, front: string, at: number): Promise<string> {
  const res = await fetch(`${sandbox.url}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      messages: {
        account: sandbox.accountId,
        from_field: { id: '+15550001', username: '+15550001' },
        to_fields: [{ id: '+15550002', username: '+15550002' }],
        body: `SMS of ${front}`,
        delivered_at: at,
        references: [`front-${front}`],
        add_shared_labels: [label],
      },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { messages: { conversation: { id: string } } }).messages.conversation.id;
}

function listings(sandbox: MissiveSandbox) {
  return sandbox.requests().filter((r) => r.method === 'GET' && r.path === '/v1/conversations');
}

describe('the resolver over GET /conversations', () => {
  it('pages newest first with until = the oldest last_activity_at (seconds) and finds the oldest conversation', async () => {
    const sandbox = await startSandbox();
    const label = sandbox.snapshot().sharedLabels[0]!.id;
    const T = 1_700_000_000;
    // 130 conversations: 40 with their own second, then 60 sharing one second (across the first
    // page's boundary at 50), then 30 older ones.
    const times = [
      ...Array.from({ length: 40 }, (_, i) => T + 1000 - i),
      ...Array.from({ length: 60 }, () => T + 500),
      ...Array.from({ length: 30 }, (_, i) => T + 100 - i),
    ];
    const missiveOf = new Map<string, string>();
    for (const [i, at] of times.entries())
      missiveOf.set(`cnv_${i}`, await sms(sandbox, label, `cnv_${i}`, at));

    const wanted = ['cnv_0', 'cnv_45', 'cnv_99', 'cnv_129'];
    const { rows, ledger } = ledgerFor(wanted);
    const resolver = new ConversationResolver(requesterFor(sandbox), ledger, label);
    expect(await resolver.resolve(wanted)).toBe(true);
    for (const id of wanted) {
      expect(resolver.result(id)).toEqual({ kind: 'found', missiveConversationId: missiveOf.get(id) });
      expect(rows.get(id)?.missiveConversationId).toBe(missiveOf.get(id));
    }
    // Page 1: the 40 singles and all 60 sharing T+500 (100 > limit); page 2: the 30 older ones.
    const queries = listings(sandbox).map((r) => r.query);
    expect(queries).toEqual([
      { shared_label: label, limit: String(CONVERSATION_LIST_PAGE_SIZE) },
      { shared_label: label, limit: String(CONVERSATION_LIST_PAGE_SIZE), until: String(T + 500) },
    ]);
  });

  it('concludes absent only after reading the whole listing', async () => {
    const sandbox = await startSandbox();
    const label = sandbox.snapshot().sharedLabels[0]!.id;
    for (let i = 0; i < 55; i++) await sms(sandbox, label, `cnv_${i}`, 1_700_000_000 + i);
    const { ledger } = ledgerFor(['cnv_missing']);
    const resolver = new ConversationResolver(requesterFor(sandbox), ledger, label);
    expect(await resolver.resolve(['cnv_missing'])).toBe(true);
    expect(resolver.result('cnv_missing')).toEqual({ kind: 'absent' });
    expect(listings(sandbox).map((r) => r.query.until ?? null)).toEqual([null, '1700000005']);
  });

  it("keeps Missive's newest conversation when one Front conversation went past the cap", async () => {
    const sandbox = await startSandbox({ conversationCap: 2 });
    const label = sandbox.snapshot().sharedLabels[0]!.id;
    const first = await sms(sandbox, label, 'cnv_long', 1_700_000_000);
    await sms(sandbox, label, 'cnv_long', 1_700_000_001);
    const continuation = await sms(sandbox, label, 'cnv_long', 1_700_000_002);
    expect(continuation).not.toBe(first);
    const { rows, ledger } = ledgerFor(['cnv_long']);
    const resolver = new ConversationResolver(requesterFor(sandbox), ledger, label);
    await resolver.resolve(['cnv_long']);
    expect(resolver.result('cnv_long')).toEqual({ kind: 'found', missiveConversationId: continuation });
    expect(rows.get('cnv_long')?.missiveConversationId).toBe(continuation);
  });

  it('says so when the listing cannot be read (an unknown label)', async () => {
    const sandbox = await startSandbox();
    const { ledger } = ledgerFor(['cnv_1']);
    const resolver = new ConversationResolver(requesterFor(sandbox), ledger, 'no-such-label');
    await resolver.resolve(['cnv_1']);
    expect(resolver.result('cnv_1')).toEqual({ kind: 'unavailable', message: 'HTTP 404' });
  });
});

describe('conversationsPage: reading one page of the documented contract', () => {
  const at = (id: string, lastActivityAt: number) => ({ id, last_activity_at: lastActivityAt });

  it('takes the oldest last_activity_at as the next until, whatever the order, on a full page', () => {
    const page = Array.from({ length: 50 }, (_, i) => at(`c${i}`, 2_000 - i));
    expect(conversationsPage({ conversations: page }).nextUntil).toBe(1_951);
    // A page longer than the limit (its last timestamp shared) is still a full page.
    const longer = [...page, at('c50', 1_951), at('c51', 1_951)];
    expect(conversationsPage({ conversations: longer })).toMatchObject({ nextUntil: 1_951 });
    expect(conversationsPage({ conversations: longer }).ids).toHaveLength(52);
  });

  it('ends after a short page; until is the value to pass back as is (seconds)', () => {
    expect(conversationsPage({ conversations: [at('c1', 1_700_000_000)] }).nextUntil).toBeNull();
    expect(labelledConversationsPath('L', 1_700_000_000)).toContain('until=1700000000');
  });
});
