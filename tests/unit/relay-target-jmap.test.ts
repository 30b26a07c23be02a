import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJmapSandbox, type JmapSandbox } from '../../testbed/jmap-sandbox/server.ts';
import { createRelayApi, type RelayApi } from '../../src/adapters/relay/relay-api.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { realClock } from '../../src/adapters/relay/pacer.ts';
import { JmapTarget } from '../../src/adapters/relay/jmap-target.ts';
import { RELAYED_IDS, T0, ledgerName, makeRelayFixture, type RelayFixture } from './relay-target-fixtures.ts';

let jmap: JmapSandbox;
let fixture: RelayFixture;
let ledger: string;

beforeAll(async () => {
  jmap = await startJmapSandbox();
});
afterAll(async () => {
  await jmap.close();
});
beforeEach(async () => {
  jmap.reset();
  jmap.setOptions({
    duplicates: 'allow',
    headerMatch: 'wholeWord',
    indexDelayMs: 0,
    readOnly: false,
    importRefusal: null,
  });
  fixture = await makeRelayFixture();
  ledger = ledgerName();
});
afterEach(async () => {
  await RelayLedger.destroy(ledger);
});

function api(ledgerDb = ledger): RelayApi {
  return createRelayApi({
    dbName: fixture.dbName,
    ledgerName: ledgerDb,
    progressIntervalMs: 10,
    clock: { now: realClock.now, sleep: () => Promise.resolve() },
  });
}

async function connected(relay: RelayApi, sandbox = jmap): Promise<RelayApi> {
  await relay.addFiles([fixture.zip]);
  await relay.connect({ kind: 'jmap', token: sandbox.token, sessionUrl: sandbox.sessionUrl });
  return relay;
}

const frontId = (email: { headers: { name: string; value: string }[] }) =>
  email.headers.find((h) => h.name === 'X-Front-Message-Id')?.value;

describe('JMAP target', () => {
  it('uploads then imports every email into "Front import", read, with receivedAt = Front created_at', async () => {
    const relay = await connected(api());
    const destination = await relay.chooseFolder(null);
    expect(destination).toBe('mailbox "Front import"');
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.counts).toMatchObject({ total: 4, done: 4 });
    const mailbox = jmap.mailboxes().find((m) => m.name === 'Front import')!;
    const emails = jmap.emails();
    expect(emails.map(frontId).sort()).toEqual([...RELAYED_IDS].sort());
    for (const email of emails) {
      expect(email.mailboxIds).toEqual({ [mailbox.id]: true });
      expect(email.keywords).toEqual({ $seen: true });
      expect(email.receivedAtFrom).toBe('import');
    }
    const a2 = emails.find((e) => frontId(e) === 'msg_a2')!;
    expect(a2.receivedAt).toBe(new Date(T0 + 10 * 60_000).toISOString().replace('.000Z', 'Z'));
    expect(a2.inReplyTo).toEqual(['original-a1@customer.example']);
    // Replies join the thread of the first email.
    const a1 = emails.find((e) => frontId(e) === 'msg_a1')!;
    expect(a2.threadId).toBe(a1.threadId);
  });

  it('imports into the mailbox the user picked', async () => {
    const relay = await connected(api());
    const archive = jmap.mailboxes().find((m) => m.role === 'archive')!;
    await relay.chooseFolder(archive.id);
    await relay.start({});
    expect(jmap.emails().every((e) => e.mailboxIds[archive.id])).toBe(true);
  });

  it('counts alreadyExists as done (a second ledger over the same mailbox sends nothing new)', async () => {
    jmap.setOptions({ duplicates: 'rejectSameMessageId' });
    const first = await connected(api());
    await first.start({});
    const otherLedger = ledgerName();
    const second = await connected(api(otherLedger));
    const done = await second.start({});
    expect(done.counts).toMatchObject({ done: 4, failed: 0 });
    expect(jmap.emails()).toHaveLength(4);
    await RelayLedger.destroy(otherLedger);
  });

  it('finds an import whose answer was lost with Email/query, instead of importing it twice', async () => {
    const relay = await connected(api());
    await relay.chooseFolder(null);
    jmap.injectResponses({ status: 0, count: 1, paths: /\/jmap\/api\//, afterWrite: true });
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.checkedOnTarget).toBeGreaterThanOrEqual(1);
    expect(jmap.emails().map(frontId).sort()).toEqual([...RELAYED_IDS].sort());
    expect(jmap.requests().some((r) => r.methodCalls.includes('Email/query'))).toBe(true);
  });

  it('reads the limits from the session: an email over maxSizeUpload fails with a reason', async () => {
    const small = await startJmapSandbox({
      limits: { maxSizeUpload: 700, maxConcurrentUpload: 1, maxConcurrentRequests: 2 },
    });
    try {
      const relay = await connected(api(), small);
      const done = await relay.start({});
      expect(done.state).toBe('finished');
      expect(done.counts.failed).toBeGreaterThan(0);
      expect(done.recentFailures[0]?.reason).toMatch(/too large for JMAP .*use the file download/);
      expect(small.emails().length).toBe(4 - done.counts.failed);
      // maxConcurrentUpload 1: never two uploads at once.
      const uploads = small.requests().filter((r) => r.kind === 'upload');
      for (const a of uploads) {
        const overlapping = uploads.filter(
          (b) => b !== a && b.startedAt < (a.endedAt ?? Infinity) && a.startedAt < (b.endedAt ?? Infinity),
        );
        expect(overlapping).toHaveLength(0);
      }
    } finally {
      await small.close();
    }
  });

  it('fails an email over the limit from the sizes its files declare, before reading or building it', async () => {
    // 40 bytes: the .eml of msg_a1 and the PDF of msg_b1 declare more; the others are built first.
    const tiny = await startJmapSandbox({
      limits: { maxSizeUpload: 40, maxConcurrentUpload: 1, maxConcurrentRequests: 2 },
    });
    try {
      const relay = await connected(api(), tiny);
      const done = await relay.start({});
      expect(done.counts.failed).toBe(4);
      const reasons = new Map(done.recentFailures.map((f) => [f.frontId, f.reason]));
      for (const id of ['msg_a1', 'msg_b1'])
        expect(reasons.get(id)).toMatch(/too large for JMAP .*from the sizes its files declare.*not read/);
      for (const id of ['msg_a2', 'msg_a3']) expect(reasons.get(id)).not.toMatch(/declare/);
      expect(tiny.emails()).toHaveLength(0);
    } finally {
      await tiny.close();
    }
  });

  it('asks for a new token on 401', async () => {
    const token = jmap.issueToken();
    const relay = api();
    await relay.addFiles([fixture.zip]);
    await relay.connect({ kind: 'jmap', token, sessionUrl: jmap.sessionUrl });
    jmap.expireToken(token);
    const stopped = await relay.start({});
    expect(stopped.state).toBe('needs-token');
    relay.setToken(jmap.token);
    expect((await relay.start({})).state).toBe('finished');
    expect(jmap.emails()).toHaveLength(4);
  });

  it('confirms a query hit with Email/get: an email whose Message-ID only shares its words is not the copy', async () => {
    const target = await JmapTarget.connect({ sessionUrl: jmap.sessionUrl, token: jmap.token });
    await target.chooseMailbox(null);
    const other = await target.send({
      email: rawEmail('<Beta.alpha@relay.example>'),
      inboxes: [],
      threadId: null,
    });
    // Whole-word, case-insensitive matching (RFC 8621 §4.4.1) returns the other email for this query.
    expect(await target.find('<alpha.beta@relay.example>')).toBeNull();
    expect(await target.find('<Beta.alpha@relay.example>')).toMatchObject({ remoteId: other.remoteId });
  });

  it('waits for the search index before trusting "not found" after a lost answer (no duplicate)', async () => {
    jmap.setOptions({ indexDelayMs: 3_000 });
    const relay = createRelayApi({
      dbName: fixture.dbName,
      ledgerName: ledger,
      progressIntervalMs: 10,
      // Waiting moves the sandbox clock, so its index catches up as it would in real time.
      clock: {
        now: () => jmap.snapshot().clockOffsetMs + T0,
        sleep: (ms) => {
          jmap.advanceClock(ms);
          return Promise.resolve();
        },
      },
    });
    await connected(relay);
    await relay.chooseFolder(null);
    jmap.injectResponses({ status: 0, count: 1, paths: /\/jmap\/api\//, afterWrite: true });
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.counts).toMatchObject({ done: 4, failed: 0 });
    expect(jmap.emails().map(frontId).sort()).toEqual([...RELAYED_IDS].sort());
  });

  it('retries an email refused with rateLimit after a pause instead of failing it', async () => {
    jmap.setOptions({ importRefusal: { type: 'rateLimit', count: 2 } });
    const done = await (await connected(api())).start({});
    expect(done.state).toBe('finished');
    expect(done.counts).toMatchObject({ done: 4, failed: 0 });
    expect(done.rateLimited).toBeGreaterThanOrEqual(2);
    expect(jmap.emails()).toHaveLength(4);
  });

  it('stops the run on overQuota with a clear message instead of failing every email', async () => {
    jmap.setOptions({ importRefusal: { type: 'overQuota', count: 100 } });
    const done = await (await connected(api())).start({});
    expect(done.state).toBe('stopped');
    expect(done.stateReason).toMatch(/mailbox is full.*overQuota/);
    expect(done.counts.failed).toBe(0);
    // Only the imports already in flight when the first refusal came (not one per email).
    const imports = jmap.requests().filter((r) => r.methodCalls.includes('Email/import'));
    expect(imports.length).toBeLessThanOrEqual(jmap.limits.maxConcurrentRequests);
  });

  it('refuses an account the session marks isReadOnly when connecting', async () => {
    jmap.setOptions({ readOnly: true });
    await expect(JmapTarget.connect({ sessionUrl: jmap.sessionUrl, token: jmap.token })).rejects.toThrow(
      /read-only for this token/,
    );
    expect(jmap.requests().some((r) => r.kind === 'api')).toBe(false);
  });
});

function rawEmail(messageId: string) {
  const raw = [
    'From: ada@customer.example',
    'To: support@relay.example',
    'Subject: Lookalike',
    'Date: Wed, 29 Nov 2023 21:17:19 +0000',
    `Message-ID: ${messageId}`,
    '',
    'Body.',
    '',
  ].join('\r\n');
  return {
    frontId: 'msg_lookalike',
    conversationId: 'cnv_lookalike',
    messageId,
    createdAt: T0,
    raw: new TextEncoder().encode(raw),
  };
}
