/**
 * The import engine against the Missive sandbox over HTTP (compressed windows), with a generated
 * export indexed by the real ingest pipeline: what Missive receives is compared with the truth read
 * from the zips, item by item.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/adapters/import-engine-types.ts';
import { readConversation } from '../../src/adapters/import-engine-export.ts';
import { planConversation } from '../../src/domain/import/plan.ts';
import { PENDING_REASONS } from '../../src/domain/import/reasons.ts';
import {
  generate,
  importProblems,
  readTruth,
  received,
  runToEnd,
  startEngineBed,
  type EngineBed,
} from '../support/engine-fixtures.ts';

let bed: EngineBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

/** Imported counts never go down and snapshots arrive in order. */
function progressProblems(snapshots: readonly ImportProgress[]): string[] {
  const problems: string[] = [];
  snapshots.forEach((snap, i) => {
    const before = snapshots[i - 1];
    if (!before) return;
    if (snap.seq <= before.seq) problems.push(`snapshot ${i} went back in sequence`);
    for (const kind of Object.keys(snap.counts) as (keyof ImportProgress['counts'])[]) {
      if (snap.counts[kind].imported < before.counts[kind].imported)
        problems.push(`${kind} imported went down`);
    }
  });
  return problems;
}

/**
 * The Missive endpoints the import may call (all in Missive's published REST API); anything else,
 * a draft above all, fails the run's check. `GET /v1/conversations/:id` reads back the closed state
 * after the reopen probe.
 */
const IMPORT_ENDPOINTS = new Set([
  'GET /v1/users',
  'GET /v1/shared_labels',
  'POST /v1/shared_labels',
  'GET /v1/conversations',
  'GET /v1/conversations/:id',
  'GET /v1/conversations/:id/messages',
  'GET /v1/conversations/:id/posts',
  'GET /v1/messages',
  'POST /v1/messages',
  'POST /v1/posts',
]);

describe('import engine: a whole run', () => {
  for (const messagesResponse of ['body', 'empty'] as const) {
    it(`imports every SMS and comment exactly once, in order (POST /messages answers ${messagesResponse === 'body' ? 'with' : 'without'} a body)`, async () => {
      const { paths } = await generate(21, 60);
      const truth = await readTruth(paths);
      bed = await startEngineBed(paths, { messagesResponse });
      const { final, snapshots } = await runToEnd(bed.engine(), bed, bed.request('full'));

      expect(final.state).toBe('finished');
      expect(importProblems(bed.sandbox, truth)).toEqual([]);
      expect(progressProblems(snapshots)).toEqual([]);
      expect(snapshots.length).toBeGreaterThan(2);
      // The scheduler never earns a 429 from the sandbox's own limiter.
      expect(bed.sandbox.snapshot().rate.rejected429).toBe(0);
      // Comments of email conversations wait for the email to be synced into Missive.
      expect(final.counts.comment.pending).toBe(truth.emailRouteComments.size);
      const pendingReasons = new Set<string | null>();
      await bed.ledger.forEachItem((item) => {
        if (item.kind === 'comment' && item.status === 'pending') pendingReasons.add(item.reason);
      });
      expect([...pendingReasons]).toEqual(
        truth.emailRouteComments.size ? [PENDING_REASONS.emailNotInMissive] : [],
      );
      // Never a draft, never anything but the documented endpoints.
      const paths_ = new Set(
        bed.sandbox.requests().map((r) => `${r.method} ${r.path.replace(/\/[0-9a-f-]{36}/g, '/:id')}`),
      );
      expect([...paths_].filter((p) => !IMPORT_ENDPOINTS.has(p))).toEqual([]);
      expect(paths_).toContain('POST /v1/messages');
      expect(paths_).toContain('POST /v1/posts');
    }, 60_000);
  }

  it('keeps the token out of the ledger', async () => {
    const { paths } = await generate(21, 20);
    bed = await startEngineBed(paths);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    const dump: unknown[] = [await bed.ledger.getRun()];
    await bed.ledger.forEachItem((row) => dump.push(row));
    await bed.ledger.forEachConversation((row) => dump.push(row));
    expect(JSON.stringify(dump)).not.toContain(bed.sandbox.token);
    expect(await bed.ledger.getRun()).toMatchObject({
      state: 'finished',
      apiBase: bed.sandbox.url,
      target: { account: bed.sandbox.accountId, organization: bed.sandbox.organizationId },
    });
  }, 60_000);

  it('creates the "Imported from Front" label when none is picked, and labels every imported conversation', async () => {
    const { paths } = await generate(21, 20);
    bed = await startEngineBed(paths);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    const state = bed.sandbox.snapshot();
    const label = state.sharedLabels.find((l) => l.name === 'Imported from Front');
    expect(label).toBeDefined();
    const withSms = state.conversations.filter((c) => c.messages.length > 0);
    expect(withSms.length).toBeGreaterThan(0);
    for (const conversation of withSms) {
      expect(conversation.shared_labels).toContain(label!.id);
      expect(conversation.closed).toBe(true); // kept closed, as history, by default
    }
    // Under the harsher reading (a plain post reopens), no post reopened one after its last SMS.
    expect(bed.sandbox.stateChanges().filter((c) => c.change === 'reopened')).toEqual([]);
    // A second run reuses the label rather than creating another one.
    await runToEnd(bed.engine(), bed, bed.request('full'));
    expect(bed.sandbox.snapshot().sharedLabels.filter((l) => l.name === 'Imported from Front')).toHaveLength(
      1,
    );
  }, 60_000);

  it('finds "Imported from Front" past the first page of shared labels (never a second one)', async () => {
    const { paths } = await generate(21, 20);
    bed = await startEngineBed(paths);
    bed.sandbox.seedSharedLabels(Array.from({ length: 450 }, (_, i) => `Label ${i + 1}`));
    const [existing] = bed.sandbox.seedSharedLabels(['Imported from Front']);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    const state = bed.sandbox.snapshot();
    expect(state.sharedLabels.filter((l) => l.name === 'Imported from Front')).toHaveLength(1);
    const labelled = state.conversations.filter((c) => c.messages.length > 0);
    expect(labelled.length).toBeGreaterThan(0);
    for (const conversation of labelled) expect(conversation.shared_labels).toContain(existing);
    // Read through `offset`, at most 200 a page (the sandbox caps `limit` as Missive documents).
    const offsets = bed.sandbox
      .requests()
      .filter((r) => r.method === 'GET' && r.path === '/v1/shared_labels')
      .map((r) => r.query.offset);
    expect(offsets).toEqual(['0', '200', '400']);
  }, 60_000);

  for (const postReopen of ['flag-keeps-closed', 'flag-reopens'] as const) {
    it(`reopen reading ${postReopen}: observed, created conversations end closed, synced ones keep their state`, async () => {
      const { paths } = await generate(22, 50);
      const truth = await readTruth(paths);
      bed = await startEngineBed(paths, { postReopen });
      await runToEnd(bed.engine(), bed, bed.request('full'));
      // The probe ran on a conversation the import created, and saw the reading the sandbox plays.
      expect((await bed.ledger.getObservations()).reopenReading).toBe(postReopen);
      const looked = bed.sandbox
        .requests()
        .filter((r) => r.path === '/v1/messages' && r.method === 'GET')
        .map((r) => r.query.email_message_id!);
      expect(looked.length).toBeGreaterThan(1);
      // The team's synced email conversations: some archived, some live.
      const synced = new Map(
        looked.map((messageId, i) => [
          bed!.sandbox.seedEmail({ messageId, closed: i % 2 === 0 }),
          i % 2 === 0,
        ]),
      );
      await runToEnd(bed.engine(), bed, bed.request('full'));
      expect(
        importProblems(bed.sandbox, truth, {
          comments: new Set([...truth.smsRouteComments, ...truth.emailRouteComments]),
        }),
      ).toEqual([]);
      const state = bed.sandbox.snapshot();
      for (const [id, closed] of synced) {
        expect(state.conversations.find((c) => c.id === id)?.closed).toBe(closed);
      }
      const changes = bed.sandbox.stateChanges();
      expect(changes.filter((c) => synced.has(c.conversation))).toEqual([]);
      // Only SMS requests close; a post never leaves a created conversation open.
      expect(changes.filter((c) => c.change === 'closed' && c.request !== 'POST /messages')).toEqual([]);
      for (const conversation of state.conversations.filter((c) => c.messages.length > 0)) {
        expect(conversation.closed).toBe(true);
      }
      const posts = bed.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v1/posts');
      expect(posts.filter((r) => JSON.stringify(r.body).includes('"close"'))).toEqual([]);
    }, 90_000);
  }

  it('posts email conversations’ comments once the email is in Missive, on a later run', async () => {
    const { paths } = await generate(22, 50);
    const truth = await readTruth(paths);
    bed = await startEngineBed(paths);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    const looked = bed.sandbox
      .requests()
      .filter((r) => r.path === '/v1/messages' && r.method === 'GET')
      .map((r) => r.query.email_message_id!);
    expect(looked.length).toBeGreaterThan(0);
    for (const messageId of looked) bed.sandbox.seedEmail({ messageId });
    const { final } = await runToEnd(bed.engine(), bed, bed.request('full'));
    expect(final.counts.comment.pending).toBe(0);
    expect(
      importProblems(bed.sandbox, truth, {
        comments: new Set([...truth.smsRouteComments, ...truth.emailRouteComments]),
      }),
    ).toEqual([]);
  }, 60_000);

  it('places the comments of partly synced threads: every Message-ID of the conversation is tried', async () => {
    const { paths } = await generate(22, 50);
    bed = await startEngineBed(paths);
    const engine = bed.engine();
    const request = bed.request('full');
    // Missive holds only the last candidate of each thread (an early email's sender was not synced).
    const seeded = new Map<string, { missive: string; comments: string[] }>();
    const ids: string[] = [];
    await bed.store.forEachConversation((row) => ids.push(row.id));
    for (const id of ids) {
      const data = await readConversation(bed.store, id);
      const planned = planConversation(data.conversation, data.messages, data.comments).conversation;
      if (planned.commentRoute !== 'email' || planned.lookupMessageIds.length < 2) continue;
      const missive = bed.sandbox.seedEmail({ messageId: planned.lookupMessageIds.at(-1)! });
      seeded.set(id, { missive, comments: data.comments.map((c) => c.id) });
    }
    expect(seeded.size).toBeGreaterThan(0);
    const overview = await engine.plan(request.plan!);
    expect(overview.summary.emailLookupsIfFirstNotFound).toBeGreaterThanOrEqual(seeded.size);
    await runToEnd(engine, bed, request);
    const state = bed.sandbox.snapshot();
    for (const { missive, comments } of seeded.values()) {
      const conversation = state.conversations.find((c) => c.id === missive)!;
      const footers = conversation.posts.flatMap((p) => p.attachments.map((a) => String(a.footer)));
      for (const comment of comments)
        expect(footers.some((f) => f.startsWith(`Front comment ${comment}`))).toBe(true);
    }
  }, 60_000);

  it('per-conversation comment mode: fewer posts, as many as the plan said', async () => {
    const { paths } = await generate(23, 60);
    const truth = await readTruth(paths);
    bed = await startEngineBed(paths, {}, { choices: { commentMode: 'per-conversation' } });
    const engine = bed.engine();
    const request = bed.request('full');
    const overview = await engine.plan(request.plan!);
    expect(overview.summary.requests['per-conversation'].commentPosts).toBeLessThanOrEqual(
      overview.summary.requests['per-comment'].commentPosts,
    );
    await runToEnd(engine, bed, request);
    expect(importProblems(bed.sandbox, truth)).toEqual([]);
    // What the plan counted, less what still waits for emails not in Missive.
    const after = await engine.plan(request.plan!);
    const posts = bed.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v1/posts');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.length).toBe(
      overview.remaining['per-conversation'].commentPosts - after.remaining['per-conversation'].commentPosts,
    );
  }, 60_000);

  it('plan: counts both comment modes and what is left after a run', async () => {
    const { paths } = await generate(24, 40);
    bed = await startEngineBed(paths);
    const engine = bed.engine();
    const request = bed.request('full');
    const before = await engine.plan(request.plan!);
    expect(before.alreadyImported).toBe(0);
    expect(before.remaining['per-comment']).toEqual(before.summary.requests['per-comment']);
    expect(before.remaining['per-conversation']).toEqual(before.summary.requests['per-conversation']);
    expect(before.preview.sms.length).toBeGreaterThan(0);
    expect(before.preview.sms[0]!.messages.references).toEqual([`front-${before.preview.smsConversationId}`]);
    await runToEnd(engine, bed, request);
    const after = await engine.plan(request.plan!);
    expect(after.remaining['per-comment'].smsMessages).toBe(0);
    expect(after.alreadyImported).toBe(
      bed.ledger.counts().sms.imported + bed.ledger.counts().comment.imported,
    );
  }, 60_000);
});

describe('import engine: trial, then the full run', () => {
  for (const deliveredAt of ['honoured', 'ignored'] as const) {
    for (const messagesResponse of ['body', 'empty'] as const) {
      it(`the trial reads back one SMS and records whether Missive kept its date (${deliveredAt}, ${messagesResponse})`, async () => {
        const { paths } = await generate(25, 40);
        bed = await startEngineBed(paths, { deliveredAt, messagesResponse });
        // Another probe's finding (the sandbox's default reading), kept beside this one.
        await bed.ledger.putObservations({ reopenReading: 'flag-keeps-closed', reopenObservedOn: null });
        const trial = await runToEnd(bed.engine(), bed, bed.request('trial'));
        expect(trial.final.state).toBe('finished');
        expect(trial.final.deliveredAtKept).toBe(deliveredAt === 'honoured');
        const observations = await bed.ledger.getObservations();
        expect(observations.deliveredAtKept).toBe(deliveredAt === 'honoured');
        expect(observations.reopenReading).toBe('flag-keeps-closed');
        // Kept with the import: the full run reports it.
        const full = await runToEnd(bed.engine(), bed, bed.request('full'));
        expect(full.final.deliveredAtKept).toBe(deliveredAt === 'honoured');
      }, 60_000);
    }
  }

  for (const messagesResponse of ['body', 'empty'] as const) {
    it(`the trial imports the first 5 conversations with links; the full run sends none of them again (${messagesResponse})`, async () => {
      const { paths } = await generate(25, 40);
      const truth = await readTruth(paths);
      bed = await startEngineBed(paths, { messagesResponse });
      const engine = bed.engine();
      const trial = await runToEnd(engine, bed, bed.request('trial'));
      expect(trial.final.state).toBe('finished');
      expect(trial.final.mode).toBe('trial');
      expect(trial.final.trialLinks).toHaveLength(5);
      const trialIds = new Set(trial.final.trialLinks.map((l) => l.frontConversationId));
      for (const link of trial.final.trialLinks) {
        const c = truth.conversations.get(link.frontConversationId)!;
        if (c.sms.length > 0) {
          expect(link.webUrl).toBe(
            `https://mail.missiveapp.com/#inbox/conversations/${link.missiveConversationId}`,
          );
        }
      }
      // Only the trial's conversations reached Missive.
      const got = received(bed.sandbox);
      for (const id of got.sms.keys()) {
        const owner = [...truth.conversations.values()].find((c) =>
          c.sms.includes(id.replace(/:part-\d+$/, '')),
        );
        expect(trialIds.has(owner!.id)).toBe(true);
      }
      const full = await runToEnd(engine, bed, bed.request('full'));
      expect(full.final.state).toBe('finished');
      expect(importProblems(bed.sandbox, truth)).toEqual([]);
    }, 60_000);
  }
});

describe('import engine: trial links', () => {
  it('builds each link from the conversation ID, never from a URL in an API answer', async () => {
    const { paths } = await generate(25, 40);
    bed = await startEngineBed(paths, { messagesResponse: 'body' });
    // A hostile (or compromised) API answers every web_url with script.
    const hostileFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = await response.text();
      const body = text.replaceAll(/"web_url":"[^"]*"/g, '"web_url":"javascript:alert(document.domain)"');
      return new Response(response.status === 204 ? null : body, {
        status: response.status,
        headers: response.headers,
      });
    };
    const trial = await runToEnd(bed.engine({ fetch: hostileFetch }), bed, bed.request('trial'));
    expect(trial.final.state).toBe('finished');
    const withIds = trial.final.trialLinks.filter((link) => link.missiveConversationId !== null);
    expect(withIds.length).toBeGreaterThan(0);
    for (const link of trial.final.trialLinks) {
      expect(link.webUrl).toBe(
        link.missiveConversationId === null
          ? null
          : `https://mail.missiveapp.com/#inbox/conversations/${encodeURIComponent(link.missiveConversationId)}`,
      );
    }
  });
});

describe('import engine: a newer export', () => {
  it('sends only what is new', async () => {
    const { paths } = await generate(26, 50);
    const firstTruth = await readTruth(paths.slice(0, 1));
    const truth = await readTruth(paths);
    bed = await startEngineBed(paths.slice(0, 1));
    await runToEnd(bed.engine(), bed, bed.request('full'));
    expect(importProblems(bed.sandbox, firstTruth)).toEqual([]);
    const firstRun = new Set(
      bed.sandbox
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.seq),
    );

    await bed.ingest(paths);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    expect(importProblems(bed.sandbox, truth)).toEqual([]);
    const secondRunSms = bed.sandbox
      .requests()
      .filter(
        (r) => r.method === 'POST' && r.path === '/v1/messages' && !firstRun.has(r.seq) && r.status === 201,
      )
      .map((r) =>
        (r.body as { messages: { external_id: string } }).messages.external_id.replace(/:part-\d+$/, ''),
      );
    expect(secondRunSms.filter((id) => firstTruth.expectedSms.has(id))).toEqual([]);
    expect(new Set(secondRunSms)).toEqual(
      new Set([...truth.expectedSms].filter((id) => !firstTruth.expectedSms.has(id))),
    );
  }, 60_000);
});
