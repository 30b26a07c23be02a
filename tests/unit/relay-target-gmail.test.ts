import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';
import { createRelayApi, type RelayApi } from '../../src/adapters/relay/relay-api.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import type { RelayProgress } from '../../src/adapters/relay/types.ts';
import { realClock, type PacerClock } from '../../src/adapters/relay/pacer.ts';
import { GmailTarget, RESUMABLE_ABOVE_BYTES } from '../../src/adapters/relay/gmail-target.ts';
import { RELAY_ALREADY_IN_MAILBOX, relayReportItems } from '../../src/adapters/relay/report-items.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import type { ReportItem } from '../../src/domain/report/types.ts';
import {
  PDF_BYTES,
  RELAYED_IDS,
  ledgerName,
  makeRelayFixture,
  type RelayFixture,
} from './relay-target-fixtures.ts';

let gmail: GmailSandbox;
let fixture: RelayFixture;
let ledger: string;

beforeAll(async () => {
  gmail = await startGmailSandbox();
});
afterAll(async () => {
  await gmail.close();
});
beforeEach(async () => {
  gmail.reset();
  gmail.setOptions({ expireUploadSessions: null });
  fixture = await makeRelayFixture();
  ledger = ledgerName();
});
afterEach(async () => {
  await RelayLedger.destroy(ledger);
});

function api(options: { fetch?: typeof fetch; clock?: PacerClock } = {}): RelayApi {
  return createRelayApi({ dbName: fixture.dbName, ledgerName: ledger, progressIntervalMs: 10, ...options });
}

async function connected(relay: RelayApi, token = gmail.token): Promise<RelayApi> {
  await relay.addFiles([fixture.zip]);
  await relay.connect({ kind: 'gmail', token, apiBase: gmail.url });
  return relay;
}

const imports = () =>
  gmail.requests().filter((r) => r.operation === 'messages.import' && r.method === 'POST');

describe('Gmail target', () => {
  it('imports every email of the marked inbox once, labelled, archived, threaded, with the documented parameters', async () => {
    const relay = await connected(api());
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.counts).toMatchObject({ total: 4, done: 4, failed: 0, pending: 0, sending: 0 });

    const messages = gmail.messages();
    expect(messages).toHaveLength(4);
    const label = gmail.labels().find((l) => l.name === 'Front import/Support');
    expect(label).toBeDefined();
    expect(gmail.labels().some((l) => l.name === 'Front import')).toBe(true);
    for (const message of messages) {
      expect(message.labelIds).toContain(label!.id);
      expect(message.labelIds).not.toContain('INBOX');
      expect(message.params).toMatchObject({
        internalDateSource: 'dateHeader',
        neverMarkSpam: 'true',
        processForCalendar: 'false',
        uploadType: 'multipart',
      });
      expect(message.internalDateFrom).toBe('dateHeader');
      expect(message.lineEndings).toBe('crlf');
    }
    const byFront = new Map(
      messages.map((m) => [m.headers.fields.find((f) => f.name === 'X-Front-Message-Id')?.value, m]),
    );
    expect([...byFront.keys()].sort()).toEqual([...RELAYED_IDS].sort());
    // The conversation stays in one thread; the other conversation has its own.
    const threadA = byFront.get('msg_a1')!.threadId;
    expect(byFront.get('msg_a2')!.threadId).toBe(threadA);
    expect(byFront.get('msg_a3')!.threadId).toBe(threadA);
    expect(byFront.get('msg_b1')!.threadId).not.toBe(threadA);
    expect(byFront.get('msg_a2')!.threading.joined).toBe(true);
    // The original .eml is passed through: its Message-ID and its body are the originals.
    expect(byFront.get('msg_a1')!.headers.messageId).toBe('<original-a1@customer.example>');
    expect(byFront.get('msg_a2')!.headers.inReplyTo).toBe('<original-a1@customer.example>');
    const parsed = await PostalMime.parse(
      gmail.messages().find((m) => m.id === byFront.get('msg_b1')!.id)!.raw,
    );
    expect(parsed.subject).toBe('Rapport annuel — été ☀');
    expect(parsed.attachments[0]?.filename).toBe('report café.pdf');
    expect(new Uint8Array(parsed.attachments[0]!.content as ArrayBuffer)).toEqual(PDF_BYTES);

    // A second run sends nothing.
    const before = imports().length;
    const again = await relay.start({});
    expect(again.counts.done).toBe(4);
    expect(imports().length).toBe(before);
  });

  it('puts copies in the Inbox only when asked', async () => {
    const relay = api();
    await relay.addFiles([fixture.zip]);
    await relay.connect({ kind: 'gmail', token: gmail.token, apiBase: gmail.url, addToInbox: true });
    await relay.start({});
    expect(gmail.messages().every((m) => m.labelIds.includes('INBOX'))).toBe(true);
  });

  it('checks an email whose answer was lost after Gmail stored it, and does not send it again', async () => {
    gmail.injectResponses({ status: 500, count: 1, paths: /messages\/import/, afterWrite: true });
    const relay = await connected(api({ clock: { now: realClock.now, sleep: () => Promise.resolve() } }));
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.checkedOnTarget).toBeGreaterThanOrEqual(1);
    expect(gmail.messages()).toHaveLength(4);
    expect(
      gmail.requests().some((r) => r.operation === 'messages.list' && r.query.q?.startsWith('rfc822msgid:')),
    ).toBe(true);
  });

  it('resends an email whose answer was lost before Gmail stored it, once the search has settled', async () => {
    gmail.injectResponses({ status: 503, count: 1, paths: /messages\/import/ });
    const relay = await connected(
      api({ clock: { now: () => Date.now() + 60_000, sleep: () => Promise.resolve() } }),
    );
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(gmail.messages()).toHaveLength(4);
  });

  it('after a reload mid-send, finds the email Gmail stored instead of sending it twice', async () => {
    // First tab: the second import reaches Gmail, then the tab "closes" (its answer never arrives).
    let seen = 0;
    let stored!: () => void;
    const reachedGmail = new Promise<void>((resolve) => (stored = resolve));
    const hangingFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/messages/import') && ++seen === 2) {
        await fetch(input, init);
        stored();
        return new Promise<Response>(() => undefined);
      }
      return fetch(input, init);
    };
    const firstTab = await connected(api({ fetch: hangingFetch }));
    void firstTab.start({});
    await reachedGmail;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stuck = await RelayLedger.open({ name: ledger });
    const sending = await stuck.withStatus(`gmail:${gmail.emailAddress}`, 'sending');
    stuck.close();
    expect(sending).toHaveLength(1);
    const before = gmail.messages().length;
    const importsBefore = imports().length;

    // After the reload: a new worker over the same ledger.
    const secondTab = await connected(api());
    const done = await secondTab.start({});
    expect(done.state).toBe('finished');
    expect(done.checkedOnTarget).toBe(1);
    expect(imports().length - importsBefore).toBe(4 - before);
    const ids = gmail
      .messages()
      .map((m) => m.headers.fields.find((f) => f.name === 'X-Front-Message-Id')?.value);
    expect(ids.sort()).toEqual([...RELAYED_IDS].sort());
  });

  it('waits out the per-user quota (429) and still sends every email once', async () => {
    await gmail.close();
    gmail = await startGmailSandbox({ quota: { windowMs: 1500, unitsPerWindow: 60 } });
    const relay = await connected(api());
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.rateLimited).toBeGreaterThan(0);
    expect(gmail.messages()).toHaveLength(4);
    expect(gmail.requests().some((r) => r.status === 429)).toBe(true);
    await gmail.close();
    gmail = await startGmailSandbox();
  }, 30_000);

  it('treats the documented 403 userRateLimitExceeded like a 429', async () => {
    await gmail.close();
    gmail = await startGmailSandbox({
      quota: { windowMs: 1000, unitsPerWindow: 60 },
      quotaExceededStatus: 403,
    });
    try {
      const relay = await connected(api());
      const done = await relay.start({});
      expect(done.state).toBe('finished');
      expect(done.rateLimited).toBeGreaterThan(0);
      expect(gmail.requests().some((r) => r.status === 403)).toBe(true);
      expect(gmail.messages()).toHaveLength(4);
    } finally {
      await gmail.close();
      gmail = await startGmailSandbox();
    }
  }, 30_000);

  it('asks for a new token on 401, then resumes where it stopped', async () => {
    const token = gmail.issueToken();
    const progress: RelayProgress[] = [];
    const relay = await connected(api(), token);
    gmail.expireToken(token);
    const stopped = await relay.start({}, (p) => progress.push(p));
    expect(stopped.state).toBe('needs-token');
    expect(stopped.stateReason).toMatch(/401/);
    relay.setToken(gmail.issueToken());
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(gmail.messages()).toHaveLength(4);
  });

  it('refuses a non-loopback replacement for the Gmail API', async () => {
    const relay = api();
    await expect(
      relay.connect({ kind: 'gmail', token: 't', apiBase: 'https://evil.example' }),
    ).rejects.toThrow(/must be https:\/\/gmail.googleapis.com/);
  });

  it('reports an email the mailbox already held (same Message-ID) as "already in the mailbox", not relayed', async () => {
    const seeded = await gmail.seedMessage(
      [
        'From: ada@customer.example',
        'Subject: Synced before the move',
        'Date: Wed, 29 Nov 2023 09:00:00 +0000',
        'Message-ID: <original-a1@customer.example>',
        '',
        'Already here.',
        '',
      ].join('\r\n'),
      ['INBOX'],
    );
    const relay = await connected(api());
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.counts).toMatchObject({ done: 4, failed: 0 });
    expect(done.alreadyInMailbox).toBe(1);
    // Gmail merged the import into the message it held: labels added, no second message.
    expect(gmail.messages()).toHaveLength(4);
    const merged = gmail.messages().find((m) => m.id === seeded.id)!;
    expect(merged.labelIds).toContain('INBOX');
    expect(merged.labelIds.some((id) => id.startsWith('Label_'))).toBe(true);

    const store = await ExportStore.open({ name: fixture.dbName });
    const ledgerDb = await RelayLedger.open({ name: ledger });
    try {
      const items: ReportItem[] = [];
      for await (const item of relayReportItems(store, ledgerDb)) items.push(item);
      const a1 = items.find((item) => item.frontId === 'msg_a1')!;
      expect(a1).toMatchObject({ status: 'imported', reason: RELAY_ALREADY_IN_MAILBOX });
      const a2 = items.find((item) => item.frontId === 'msg_a2')!;
      expect(a2.status).toBe('imported');
      expect(a2.reason).toBeUndefined();
    } finally {
      ledgerDb.close();
      store.close();
    }
  });

  it.each([404, 410] as const)(
    'starts a resumable upload over when its session answers %i, instead of failing the email',
    async (status) => {
      gmail.setOptions({ expireUploadSessions: { status, count: 2 } });
      const target = await GmailTarget.connect({ apiBase: gmail.url, token: gmail.token });
      await target.prepare([]);
      const head = [
        'From: ada@customer.example',
        'Subject: Large',
        'Date: Wed, 29 Nov 2023 09:00:00 +0000',
        'Message-ID: <large-1@customer.example>',
        '',
        '',
      ].join('\r\n');
      const raw = new TextEncoder().encode(head + 'x'.repeat(RESUMABLE_ABOVE_BYTES + 1000));
      const stored = await target.send({
        email: {
          frontId: 'msg_large',
          conversationId: 'cnv_large',
          messageId: '<large-1@customer.example>',
          createdAt: 0,
          raw,
        },
        inboxes: [],
        threadId: null,
      });
      expect(gmail.messages().map((m) => m.id)).toEqual([stored.remoteId]);
      expect(gmail.messages()[0]!.uploadForm).toBe('resumable');
      const sessions = gmail
        .requests()
        .filter((r) => r.operation?.startsWith('messages.import') && r.method === 'POST');
      expect(sessions).toHaveLength(3);
    },
  );
});
