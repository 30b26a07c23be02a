import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { createRelayApi } from '../../src/adapters/relay/relay-api.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import {
  GRAPH_LIMITS,
  GRAPH_MAX_MESSAGE_BYTES,
  GraphTarget,
  base64OfBytes,
} from '../../src/adapters/relay/graph-target.ts';
import { Pacer, type PacerClock } from '../../src/adapters/relay/pacer.ts';
import { GRAPH_DOCUMENTED_LIMITS, GraphThrottle } from '../../testbed/graph-sandbox/throttle.ts';
import { RELAYED_IDS, ledgerName, makeRelayFixture, type RelayFixture } from './relay-target-fixtures.ts';

/** Virtual time: sleeping moves the clock at once, so pacing is checked without waiting. */
function virtualClock(): PacerClock & { time: number } {
  const clock = {
    time: 1_000_000,
    now: () => clock.time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new Error('aborted');
      await Promise.resolve();
      clock.time += Math.max(0, ms);
    },
  };
  return clock;
}

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  startedAt: number;
}

/** A few Graph endpoints, as documented, in memory. */
function fakeGraph(
  clock: { now(): number },
  options: {
    firstImportStatus?: number;
    retryAfterSeconds?: number;
    /** Graph's documented throttling (4 in flight, requests and upload bytes per window). */
    throttle?: GraphThrottle;
  } = {},
) {
  const calls: Call[] = [];
  const stored: { id: string; messageId: string; folder: string; raw: string }[] = [];
  const folders = [{ id: 'inbox-id', displayName: 'Inbox' }];
  let inFlight = 0;
  let maxInFlight = 0;
  let imports = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  const fetchImpl: typeof fetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? init.body : '';
    calls.push({
      method: init.method ?? 'GET',
      url: url.href,
      headers,
      body,
      startedAt: clock.now(),
    });
    const verdict = options.throttle?.admit(init.method === 'GET' ? 0 : body.length);
    if (verdict && !verdict.admitted) {
      return json(
        429,
        { error: { code: 'ApplicationThrottled', message: `${verdict.reason} limit reached` } },
        { 'Retry-After': String(verdict.retryAfterSeconds) },
      );
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight--;
    if (verdict) verdict.release();
    if (headers.authorization !== 'Bearer graph-token')
      return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } });
    const path = url.pathname;
    if (path === '/v1.0/me') return json(200, { userPrincipalName: 'Ann@Contoso.example' });
    if (path === '/v1.0/me/mailFolders' && init.method === 'POST') {
      const folder = { id: `folder-${folders.length}`, displayName: JSON.parse(body).displayName as string };
      folders.push(folder);
      return json(201, folder);
    }
    if (path === '/v1.0/me/mailFolders') return json(200, { value: folders });
    const importMatch = /^\/beta\/me\/mailFolders\/([^/]+)\/importMime$/.exec(path);
    if (importMatch && init.method === 'POST') {
      imports++;
      if (imports === 1 && options.firstImportStatus) {
        return json(
          options.firstImportStatus,
          { error: { code: 'TooManyRequests', message: 'slow down' } },
          { 'Retry-After': String(options.retryAfterSeconds ?? 1) },
        );
      }
      const raw = Buffer.from(body, 'base64').toString('latin1');
      const messageId = /^Message-ID: *(.*)$/im.exec(raw)?.[1]?.trim() ?? '';
      const id = `AAMk-${stored.length + 1}`;
      stored.push({ id, messageId, folder: decodeURIComponent(importMatch[1]!), raw });
      return json(201, {
        id,
        isDraft: false,
        conversationId: `conv-${messageId}`,
        internetMessageId: messageId,
      });
    }
    if (path === '/v1.0/me/messages') {
      const filter = url.searchParams.get('$filter') ?? '';
      const wanted = /^internetMessageId eq '(.*)'$/.exec(filter)?.[1]?.replace(/''/g, "'");
      return json(200, {
        value: stored.filter((m) => m.messageId === wanted).map((m) => ({ id: m.id, conversationId: 'c' })),
      });
    }
    return json(404, { error: { code: 'NotFound', message: path } });
  };
  return {
    fetch: fetchImpl,
    calls,
    stored,
    folders,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

let fixture: RelayFixture;
let ledger: string;
beforeEach(async () => {
  fixture = await makeRelayFixture();
  ledger = ledgerName();
});
afterEach(async () => {
  await RelayLedger.destroy(ledger);
});

describe('Microsoft 365 target (Graph beta importMime, fake fetch)', () => {
  it('builds the documented importMime request: beta path, text/plain, the raw message base64-encoded', async () => {
    const clock = virtualClock();
    const graph = fakeGraph(clock);
    const target = await GraphTarget.connect({ token: 'graph-token', fetch: graph.fetch });
    expect(target.account).toMatchObject({ key: 'graph:ann@contoso.example', kind: 'graph' });
    await target.chooseFolder(null);
    expect(graph.folders.map((f) => f.displayName)).toContain('Front import');
    const raw = new TextEncoder().encode('Message-ID: <x@y.example>\r\nSubject: Hi\r\n\r\nBody\r\n');
    const { url, init } = target.importRequest(raw);
    expect(url).toBe('https://graph.microsoft.com/beta/me/mailFolders/folder-1/importMime');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'text/plain' });
    expect(init.body).toBe(Buffer.from(raw).toString('base64'));
    expect(base64OfBytes(new Uint8Array(100_000).fill(0xff))).toBe(
      Buffer.alloc(100_000, 0xff).toString('base64'),
    );
    const stored = await target.send({
      email: { frontId: 'm', conversationId: 'c', messageId: '<x@y.example>', createdAt: 0, raw },
      inboxes: [],
      threadId: null,
    });
    expect(stored.remoteId).toBe('AAMk-1');
    const call = graph.calls.at(-1)!;
    expect(call.headers.authorization).toBe('Bearer graph-token');
    expect(await target.find('<x@y.example>')).toMatchObject({ remoteId: 'AAMk-1' });
    expect(await target.find("<it's@y.example>")).toBeNull();
    expect(decodeURIComponent(graph.calls.at(-1)!.url)).toContain(
      "$filter=internetMessageId eq '<it''s@y.example>'",
    );
  });

  it('refuses messages over ~3 MB before sending (they go to the file download)', async () => {
    const graph = fakeGraph(virtualClock());
    const target = await GraphTarget.connect({ token: 'graph-token', fetch: graph.fetch });
    await target.chooseFolder(null);
    const raw = new Uint8Array(GRAPH_MAX_MESSAGE_BYTES + 1);
    await expect(
      target.send({
        email: { frontId: 'm', conversationId: 'c', messageId: '<big@x>', createdAt: 0, raw },
        inboxes: [],
        threadId: null,
      }),
    ).rejects.toMatchObject({
      kind: 'too-large',
    });
    expect(graph.calls.some((c) => c.url.includes('importMime'))).toBe(false);
  });

  it('paces within Graph limits: never more than 4 in flight, at most 15 started per second', async () => {
    const clock = virtualClock();
    const throttle = new GraphThrottle(() => clock.now());
    const graph = fakeGraph(clock, { throttle });
    const target = await GraphTarget.connect({ token: 'graph-token', fetch: graph.fetch });
    await target.chooseFolder(null);
    const pacer = new Pacer(GRAPH_LIMITS, clock);
    const raw = new TextEncoder().encode('Subject: x\r\n\r\nx\r\n');
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        pacer.run(1, () =>
          target.send({
            email: { frontId: `m${i}`, conversationId: 'c', messageId: `<${i}@x>`, createdAt: 0, raw },
            inboxes: [],
            threadId: null,
          }),
        ),
      ),
    );
    expect(graph.maxInFlight).toBeLessThanOrEqual(4);
    expect(throttle.refusals).toEqual([]);
    const starts = graph.calls.filter((c) => c.url.includes('importMime')).map((c) => c.startedAt);
    expect(starts).toHaveLength(60);
    for (const start of starts)
      expect(starts.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(15);
  });

  it('keeps large imports within Graph’s 150 MB per 5 minutes: no 429 from the throttling model', async () => {
    const clock = virtualClock();
    const throttle = new GraphThrottle(() => clock.now());
    const target = await GraphTarget.connect({ token: 'graph-token', fetch: fakeGraph(clock).fetch });
    const small = new TextEncoder().encode('Subject: x\r\n\r\nbody\r\n');
    expect(target.uploadBytes(small)).toBe(base64OfBytes(small).length);
    const pacer = new Pacer(GRAPH_LIMITS, clock);
    // 200 imports just under the 3 MB cap: about 775 MB of base64 bodies, five budgets' worth.
    const perUpload = target.uploadBytes(new Uint8Array(GRAPH_MAX_MESSAGE_BYTES - 1024));
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, () =>
        pacer.run(
          1,
          async () => {
            const verdict = throttle.admit(perUpload);
            if (!verdict.admitted) return;
            starts.push(clock.now());
            await Promise.resolve();
            verdict.release();
          },
          undefined,
          perUpload,
        ),
      ),
    );
    expect(throttle.refusals).toEqual([]);
    expect(starts).toHaveLength(200);
    for (const start of starts) {
      const inWindow = starts.filter((t) => t >= start && t < start + 5 * 60_000).length;
      expect(inWindow * perUpload).toBeLessThanOrEqual(GRAPH_DOCUMENTED_LIMITS.uploadBytesPerWindow);
    }
    // Not slower than the budget requires: five budgets' worth in about five windows.
    expect(clock.now() - starts[0]!).toBeLessThan(6 * 5 * 60_000);
  });

  it('the throttling model answers 429 with Retry-After past each documented limit', () => {
    let now = 0;
    const throttle = new GraphThrottle(() => now);
    const held = Array.from({ length: 4 }, () => throttle.admit(0));
    expect(throttle.admit(0)).toMatchObject({ admitted: false, reason: 'concurrency', retryAfterSeconds: 1 });
    for (const verdict of held) if (verdict.admitted) verdict.release();
    const big = throttle.admit(100_000_000);
    if (big.admitted) big.release();
    now = 60_000;
    expect(throttle.admit(60_000_000)).toMatchObject({
      admitted: false,
      reason: 'uploads',
      retryAfterSeconds: 240,
    });
    const requests = new GraphThrottle(() => now, { ...GRAPH_DOCUMENTED_LIMITS, requestsPerWindow: 3 });
    for (let i = 0; i < 3; i++) {
      const verdict = requests.admit(0);
      if (verdict.admitted) verdict.release();
    }
    expect(requests.admit(0)).toMatchObject({ admitted: false, reason: 'requests', retryAfterSeconds: 600 });
  });

  it('honours Retry-After on a 503: waits that long, then looks the email up and sends it again', async () => {
    const clock = virtualClock();
    // Longer than the backoff and the search settle delay, so only Retry-After explains the wait.
    const graph = fakeGraph(clock, { firstImportStatus: 503, retryAfterSeconds: 30 });
    const relay = createRelayApi({
      dbName: fixture.dbName,
      ledgerName: ledger,
      fetch: graph.fetch,
      clock,
      progressIntervalMs: 5,
    });
    await relay.addFiles([fixture.zip]);
    await relay.connect({ kind: 'graph', token: 'graph-token' });
    await relay.chooseFolder('inbox-id');
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(graph.stored).toHaveLength(4);
    const imports = graph.calls.filter((c) => c.url.includes('importMime'));
    expect(imports).toHaveLength(5);
    const refused = imports[0]!;
    const lookup = graph.calls.find((c) => c.url.includes('internetMessageId'))!;
    const resend = imports.slice(1).find((c) => c.body === refused.body)!;
    expect(lookup.startedAt - refused.startedAt).toBeGreaterThanOrEqual(30_000);
    expect(resend.startedAt - refused.startedAt).toBeGreaterThanOrEqual(30_000);
  });

  it('relays the fixture through the worker API, honouring Retry-After on 429', async () => {
    const clock = virtualClock();
    const graph = fakeGraph(clock, { firstImportStatus: 429, retryAfterSeconds: 7 });
    const relay = createRelayApi({
      dbName: fixture.dbName,
      ledgerName: ledger,
      fetch: graph.fetch,
      clock,
      progressIntervalMs: 5,
    });
    await relay.addFiles([fixture.zip]);
    const info = await relay.connect({ kind: 'graph', token: 'graph-token' });
    expect(info.folders?.map((f) => f.name)).toEqual(['Inbox']);
    await relay.chooseFolder('inbox-id');
    const done = await relay.start({});
    expect(done.state).toBe('finished');
    expect(done.rateLimited).toBe(1);
    expect(graph.stored.map((m) => m.folder)).toEqual(['inbox-id', 'inbox-id', 'inbox-id', 'inbox-id']);
    const imports = graph.calls.filter((c) => c.url.includes('importMime'));
    // The other conversation's first import had already left; every later one waited 7 s.
    for (const later of imports.slice(2))
      expect(later.startedAt - imports[0]!.startedAt).toBeGreaterThanOrEqual(7000);
    const ids = await Promise.all(
      graph.stored.map(
        async (m) =>
          (await PostalMime.parse(m.raw)).headers.find((h) => h.key === 'x-front-message-id')?.value,
      ),
    );
    expect(ids.sort()).toEqual([...RELAYED_IDS].sort());
  });

  it('pauses for a new token on 401', async () => {
    const graph = fakeGraph(virtualClock());
    const relay = createRelayApi({ dbName: fixture.dbName, ledgerName: ledger, fetch: graph.fetch });
    await relay.addFiles([fixture.zip]);
    await relay.connect({ kind: 'graph', token: 'graph-token' });
    relay.setToken('expired');
    expect((await relay.start({})).state).toBe('needs-token');
    relay.setToken('graph-token');
    expect((await relay.start({})).counts.done).toBe(4);
  });
});
