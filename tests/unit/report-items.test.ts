/**
 * The report's items against generated exports with the import's hard cases (a conversation in two
 * inbox folders, one split over two zips, deleted and comment-only conversations, a malformed file,
 * array-variant files, missing attachment bytes), before any run, after a run with failures and a
 * pause, all through the real ingest, the real ledger and the engine against the sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReportApi, type ReportApi } from '../../src/adapters/report/report-api.ts';
import { ContactOutcomeStore } from '../../src/adapters/report/contact-outcomes.ts';
import { IN_FLIGHT_REASON } from '../../src/adapters/report/report-items.ts';
import { RelayLedger } from '../../src/adapters/relay/ledger.ts';
import { RELAY_PENDING_REASON } from '../../src/adapters/relay/report-items.ts';
import type { ItemKind } from '../../src/domain/model.ts';
import { PENDING_REASONS, SKIP_REASONS } from '../../src/domain/import/reasons.ts';
import {
  ITEM_KINDS,
  assertAccountingIdentity,
  type ReportItem,
  type ReportTotals,
} from '../../src/domain/report/index.ts';
import {
  IMPORT_HARD_CASES,
  generate,
  runToEnd,
  startEngineBed,
  type EngineBed,
} from '../support/engine-fixtures.ts';

let bed: EngineBed | null = null;
let contactsDb: string | null = null;
let relayDb: string | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
  if (contactsDb) await ContactOutcomeStore.destroy(contactsDb);
  if (relayDb) await RelayLedger.destroy(relayDb);
  contactsDb = null;
  relayDb = null;
});

let apiCount = 0;
function reportApi(engineBed: EngineBed): ReportApi {
  contactsDb = `report-contacts-${process.pid}-${++apiCount}`;
  relayDb = `report-relay-${process.pid}-${apiCount}`;
  return createReportApi({
    exportDbName: engineBed.store.name,
    ledgerDbName: engineBed.ledger.name,
    contactsDbName: contactsDb,
    relayDbName: relayDb,
  });
}

async function allItems(api: ReportApi): Promise<ReportItem[]> {
  const items: ReportItem[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api.page({}, offset, 500);
    items.push(...page.items);
    if (items.length >= page.total) return items;
  }
}

function tally(items: readonly ReportItem[]): ReportTotals {
  const totals = {} as ReportTotals;
  for (const kind of ITEM_KINDS) totals[kind] = { found: 0, imported: 0, skipped: 0, failed: 0, pending: 0 };
  for (const item of items) {
    totals[item.kind].found += 1;
    totals[item.kind][item.status] += 1;
  }
  return totals;
}

function request(engineBed: EngineBed) {
  return { secrets: [engineBed.sandbox.token], apiBase: engineBed.sandbox.url };
}

describe('report items: every Front object exactly once', () => {
  it('before any run: the whole export (orphan messages included, their missing conversations not), pending or skipped with the plan’s reason, matching the generator’s ground truth', async () => {
    const { paths, manifest } = await generate(31, 40, { ...IMPORT_HARD_CASES, orphanMessages: 2 });
    expect(manifest.missingConversations).toBeGreaterThan(0);
    bed = await startEngineBed(paths);
    const api = reportApi(bed);
    const view = await api.view(request(bed), true);

    expect(view.violations).toEqual([]);
    const totals = view.summary.totals;
    assertAccountingIdentity(totals, view.exportCounts);
    const expected: Partial<Record<ItemKind, number>> = {
      conversation: manifest.conversations,
      sms: manifest.sms,
      email: manifest.emails,
      other_message: manifest.otherMessages,
      comment: manifest.comments,
      contact: 0,
    };
    for (const [kind, found] of Object.entries(expected)) expect(totals[kind as ItemKind].found).toBe(found);
    for (const kind of ITEM_KINDS) {
      expect(totals[kind].imported).toBe(0);
      expect(totals[kind].failed).toBe(0);
    }

    const items = await allItems(api);
    expect(items).toHaveLength(view.itemCount);
    expect(tally(items)).toEqual(totals);
    const keys = items.map((item) => `${item.kind}:${item.frontId}`);
    expect(new Set(keys).size).toBe(keys.length);
    // The same IDs as the generator wrote (duplicated and split conversations counted once).
    expect(new Set(items.filter((i) => i.kind === 'sms').map((i) => i.frontId))).toEqual(
      new Set(manifest.ids.sms),
    );
    expect(new Set(items.filter((i) => i.kind === 'comment').map((i) => i.frontId))).toEqual(
      new Set(manifest.ids.comments),
    );
    expect(new Set(items.filter((i) => i.kind === 'conversation').map((i) => i.frontId))).toEqual(
      new Set(manifest.ids.conversations),
    );
    // The plan's reasons for what is never sent.
    const deleted = manifest.hardCaseConversations.deleted;
    for (const item of items.filter((i) => deleted.includes(i.frontConversationId ?? ''))) {
      expect(item).toMatchObject({ status: 'skipped', reason: SKIP_REASONS.deletedConversation });
    }
    const commentOnly = manifest.hardCaseConversations.commentOnly;
    for (const item of items.filter(
      (i) => i.kind === 'comment' && commentOnly.includes(i.frontConversationId!),
    )) {
      expect(item).toMatchObject({ status: 'skipped', reason: SKIP_REASONS.commentOnlyConversation });
    }
    // Emails are synced by Missive from the mail server, or (SMTP-forwarding inboxes) wait for relay mode.
    for (const item of items.filter((i) => i.kind === 'email' && i.status === 'pending')) {
      expect(item.reason).toBe(RELAY_PENDING_REASON);
    }
    // The malformed file is in the sources, with its reason.
    const unrecognized = view.header.sources.flatMap((s) => s.unrecognized);
    expect(unrecognized.length).toBeGreaterThanOrEqual(manifest.unrecognized.length);
    expect(view.header.finishedAt).toBeNull();
  }, 60_000);

  it('after a run with failures: imported with Missive’s IDs as the sandbox holds them, failed with Missive’s error text', async () => {
    const { paths } = await generate(32, 40);
    bed = await startEngineBed(paths);
    bed.sandbox.injectResponses({ status: 422, count: 3, paths: /^\/v1\/posts$/ });
    const { final } = await runToEnd(bed.engine(), bed, bed.request('full'));
    expect(final.state).toBe('finished');

    const api = reportApi(bed);
    const view = await api.view(request(bed), true);
    expect(view.violations).toEqual([]);
    const totals = view.summary.totals;
    // The report says what the ledger says (emails: what relay mode says, see the relay test).
    for (const kind of ['conversation', 'sms', 'comment', 'other_message'] as const) {
      const { found: _found, ...statuses } = totals[kind];
      expect(statuses).toEqual(final.counts[kind]);
    }
    expect(totals.comment.failed).toBe(3);
    expect(view.header.finishedAt).not.toBeNull();
    expect(view.header.missive).toEqual({
      apiBase: bed.sandbox.url,
      organization: bed.sandbox.organizationId,
    });

    const items = await allItems(api);
    const state = bed.sandbox.snapshot();
    const messageConversation = new Map(
      state.messages.map((m) => [m.external_id?.replace(/:part-\d+$/, ''), m.conversation]),
    );
    const postIds = new Set(state.posts.map((p) => p.id));
    for (const item of items) {
      if (item.kind === 'sms' && item.status === 'imported') {
        expect(item.missiveConversationId).toBe(messageConversation.get(item.frontId));
      }
      if (item.kind === 'comment' && item.status === 'imported') {
        for (const id of item.missivePostId!.split(',')) expect(postIds.has(id)).toBe(true);
      }
      if (item.status === 'failed') expect(item.reason).toMatch(/^HTTP 422/);
    }
    // Imported SMS are exactly the messages the sandbox received.
    const importedSms = new Set(
      items.filter((i) => i.kind === 'sms' && i.status === 'imported').map((i) => i.frontId),
    );
    expect(importedSms).toEqual(new Set(messageConversation.keys()));
    // Email-route comments wait for their email.
    const waiting = items.filter((i) => i.kind === 'comment' && i.status === 'pending');
    for (const item of waiting) expect(item.reason).toBe(PENDING_REASONS.emailNotInMissive);
    // Failures are grouped by Missive's text for the HTML summary.
    expect(view.summary.failures).toHaveLength(3);
    const failed = await api.page({ status: 'failed' }, 0, 10);
    expect(failed.total).toBe(3);
    expect(failed.items.every((i) => i.status === 'failed')).toBe(true);
  }, 60_000);

  it('a partial report while paused adds up, with in-flight items pending, and the downloads never hold the token', async () => {
    const { paths } = await generate(33, 40);
    bed = await startEngineBed(paths);
    const engine = bed.engine();
    let paused = false;
    const final = await engine.run(
      bed.request('full'),
      (ref) => bed!.readFile(ref),
      (progress) => {
        if (!paused && progress.counts.sms.imported >= 10) {
          paused = true;
          engine.pause();
        }
      },
    );
    expect(final.state).toBe('paused');
    // A tab that closed with a request in flight.
    const [pendingSms] = (await bed.ledger.itemsWithStatus('pending')).filter((i) => i.kind === 'sms');
    await bed.ledger.updateItems([pendingSms!], () => ({
      status: 'in_flight',
      attempt: {
        id: 'a1',
        request: 'sms-message',
        part: 1,
        carriedIds: [pendingSms!.frontId],
        sentAt: 1,
        unknown: false,
      },
    }));

    const api = reportApi(bed);
    const view = await api.view(request(bed), true);
    expect(view.violations).toEqual([]);
    expect(view.header.finishedAt).toBeNull();
    expect(view.summary.totals.sms.imported).toBeGreaterThanOrEqual(10);
    expect(view.summary.totals.sms.pending).toBeGreaterThan(0);
    const inFlight = await api.page({ reason: IN_FLIGHT_REASON }, 0, 10);
    expect(inFlight.items.map((i) => [i.frontId, i.status])).toEqual([[pendingSms!.frontId, 'pending']]);

    const json = await (await api.download('json', request(bed), null)).blob!.text();
    const report = JSON.parse(json) as Record<string, unknown> & {
      items: ReportItem[];
      totals: ReportTotals;
    };
    expect(report).toMatchObject({
      format: 'front-missive-import-report',
      version: 1,
      finishedAt: null,
      missive: { apiBase: bed.sandbox.url, organization: bed.sandbox.organizationId },
      itemsMatchTotals: true,
    });
    expect(Date.parse(report.startedAt as string)).not.toBeNaN();
    expect(report.items).toHaveLength(view.itemCount);
    expect(tally(report.items)).toEqual(report.totals);
    const csv = await (await api.download('csv', request(bed), null)).blob!.text();
    expect(csv.trimEnd().split('\r\n')).toHaveLength(view.itemCount + 1);
    const html = await (await api.download('html', request(bed), null)).blob!.text();
    expect(html).toContain('Partial report');
    for (const text of [json, csv, html]) expect(text).not.toContain(bed.sandbox.token);
  }, 60_000);

  it('a newer export after the run: its new items are pending per the plan, the old ones keep their outcome', async () => {
    const first = await generate(34, 20);
    bed = await startEngineBed(first.paths);
    await runToEnd(bed.engine(), bed, bed.request('full'));
    const newer = await generate(35, 10, {});
    await bed.ingest(newer.paths);

    const api = reportApi(bed);
    const view = await api.view(request(bed), true);
    expect(view.violations).toEqual([]);
    const items = await allItems(api);
    const newSms = new Set(newer.manifest.ids.sms);
    for (const item of items.filter((i) => i.kind === 'sms')) {
      expect(item.status).toBe(newSms.has(item.frontId) ? 'pending' : 'imported');
    }
  }, 60_000);

  it('relay mode: emails of an SMTP-forwarding inbox as relay reports them (relayed to which mailbox, failed, pending); the others skipped as synced', async () => {
    const { paths, manifest } = await generate(36, 40);
    bed = await startEngineBed(paths);
    // Inboxes on an SMTP channel are marked by the export itself; mark one more by hand.
    const inboxes = await bed.store.listInboxes();
    const conversations = await bed.store.db.getAll('conversations');
    const unmarked = inboxes.filter((inbox) => !inbox.smtpForwarding);
    const marked = unmarked.find((inbox) => conversations.some((c) => c.inboxKeys[0] === inbox.key))!;
    await bed.store.setSmtpForwarding(marked.key, true);
    const markedKeys = new Set([marked.key, ...inboxes.filter((i) => i.smtpForwarding).map((i) => i.key)]);
    const markedConversations = new Set(
      conversations
        .filter((c) => c.status !== 'deleted' && c.inboxKeys.some((key) => markedKeys.has(key)))
        .map((c) => c.id),
    );
    expect(markedKeys.size).toBeLessThan(inboxes.length);
    const ofMarkedInbox = new Set(
      conversations.filter((c) => c.inboxKeys[0] === marked.key && c.status !== 'deleted').map((c) => c.id),
    );
    const emails = (await bed.store.db.getAll('messages')).filter(
      (m) => m.kind === 'email' && !m.isDraft && ofMarkedInbox.has(m.conversationId),
    );
    expect(emails.length).toBeGreaterThan(3);

    const api = reportApi(bed);
    const relay = await RelayLedger.open({ name: relayDb! });
    const target = { key: 'gmail:ann@example.com', kind: 'gmail' as const, label: 'Gmail ann@example.com' };
    await relay.putTarget(target, 'labels Front import/Support');
    const rows = emails.map((m) => ({
      frontId: m.id,
      conversationId: m.conversationId,
      messageId: m.messageId ?? `<${m.id}>`,
    }));
    await relay.recordDone(
      target.key,
      rows.slice(2).map((row) => ({ ...row, remoteId: `g-${row.frontId}` })),
    );
    const [failing] = await relay.ensure(target.key, rows.slice(0, 1));
    await relay.markFailed(failing!, 'Gmail: 400 invalid message');

    const view = await api.view(request(bed), true);
    expect(view.violations).toEqual([]);
    expect(view.summary.totals.email).toMatchObject({
      found: manifest.emails,
      imported: emails.length - 2,
      failed: 1,
    });
    const byId = new Map((await allItems(api)).map((item) => [item.frontId, item]));
    expect(byId.get(rows[2]!.frontId)).toMatchObject({
      status: 'imported',
      target: 'Gmail ann@example.com, labels Front import/Support',
      inbox: marked.name,
    });
    expect(byId.get(rows[0]!.frontId)).toMatchObject({
      status: 'failed',
      reason: 'Gmail: 400 invalid message',
    });
    expect(byId.get(rows[1]!.frontId)).toMatchObject({ status: 'pending', reason: RELAY_PENDING_REASON });
    const others = [...byId.values()].filter(
      (i) => i.kind === 'email' && !markedConversations.has(i.frontConversationId!),
    );
    expect(others.length).toBeGreaterThan(0);
    for (const item of others) {
      expect(item.status).toBe('skipped');
      expect([SKIP_REASONS.emailSynced, SKIP_REASONS.deletedConversation, SKIP_REASONS.draft]).toContain(
        item.reason,
      );
    }
    const waiting = [...byId.values()].filter((i) => i.kind === 'email' && i.status === 'pending');
    for (const item of waiting) expect(markedConversations.has(item.frontConversationId!)).toBe(true);
    relay.close();
  }, 60_000);
});
