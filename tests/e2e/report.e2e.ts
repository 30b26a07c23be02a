/**
 * The report in Chromium after an import on the sandbox (compressed windows): the downloaded JSON,
 * CSV and HTML against what the sandbox received, the on-screen totals and filters, and a partial
 * report downloaded while the import runs.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PENDING_REASONS } from '../../src/domain/import/reasons.ts';
import type { ItemKind } from '../../src/domain/model.ts';
import { ITEM_KINDS, type ReportItem, type ReportTotals } from '../../src/domain/report/index.ts';
import { generate, readTruth } from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
import {
  connect,
  goToStep,
  loadExport,
  plan,
  startImport,
  startImportBed,
  until,
  waitForComplete,
  type ImportBed,
} from './import-support.ts';

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

interface JsonReport {
  format: string;
  version: number;
  startedAt: string;
  finishedAt: string | null;
  missive: { apiBase: string; organization: string | null };
  sources: {
    name: string;
    size: number;
    entries: number;
    unrecognized: { path: string; reason: string }[];
  }[];
  totals: ReportTotals;
  items: ReportItem[];
  itemsMatchTotals: boolean;
}

/** Downloads go through a link to the worker's Blob (no File System Access picker in a test). */
async function openWithoutPicker(ib: ImportBed): Promise<Page> {
  const { page } = await ib.open();
  await page.addInitScript(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  await page.reload();
  return page;
}

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: button }).click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
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

/** The report's SMS and comments against what the sandbox holds; empty when they agree. */
function disagreements(report: JsonReport, ib: ImportBed): string[] {
  const state = ib.bed.sandbox.snapshot();
  const smsConversation = new Map<string, string>();
  for (const message of state.messages) {
    if (message.external_id)
      smsConversation.set(message.external_id.replace(/:part-\d+$/, ''), message.conversation);
  }
  const postConversation = new Map(state.posts.map((post) => [post.id, post.conversation]));
  const problems: string[] = [];
  for (const item of report.items) {
    if (item.kind === 'sms') {
      const inMissive = smsConversation.get(item.frontId);
      if (item.status === 'imported' && inMissive !== item.missiveConversationId)
        problems.push(`${item.frontId}: report says ${item.missiveConversationId}, sandbox ${inMissive}`);
      if (item.status !== 'imported' && inMissive)
        problems.push(`${item.frontId} is in Missive but ${item.status}`);
    }
    if (item.kind === 'comment' && item.status === 'imported') {
      for (const id of (item.missivePostId ?? '').split(','))
        if (!postConversation.has(id)) problems.push(`${item.frontId}: post ${id} not in the sandbox`);
    }
  }
  const imported = new Set(
    report.items.filter((i) => i.kind === 'sms' && i.status === 'imported').map((i) => i.frontId),
  );
  for (const id of smsConversation.keys())
    if (!imported.has(id)) problems.push(`${id} in Missive, not imported in the report`);
  return problems;
}

async function reportCount(page: Page, kind: ItemKind, status: string): Promise<number> {
  const text = await page
    .getByTestId(`report-totals-${kind}`)
    .locator(`[data-status="${status}"]`)
    .innerText();
  return Number(text.replace(/\D/g, ''));
}

describe('the import report in the browser', () => {
  it('after an import: failed items retried from the report; the report (JSON, CSV, HTML) matches what the sandbox received; the view filters and pages', async () => {
    const { paths, manifest } = await generate(61, 50);
    const truth = await readTruth(paths);
    bed = await startImportBed();
    const ib = bed;
    const { sandbox } = ib.bed;
    const page = await openWithoutPicker(ib);
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);
    // Missive refuses two comment posts: they fail with its text, then "Retry failed" sends them.
    sandbox.injectResponses({ status: 422, count: 2, paths: /^\/v1\/posts$/ });
    await startImport(page);
    await waitForComplete(page);

    await goToStep(page, 'Report');
    await expectVisible(page.getByTestId('report-accounted'), 60_000);
    expect(await reportCount(page, 'comment', 'failed')).toBe(2);
    await page.getByLabel('Status').selectOption('failed');
    await expectText(page.getByTestId('report-items'), 'HTTP 422');
    await page.getByRole('button', { name: 'Retry failed (2)' }).click();
    await expect.poll(() => reportCount(page, 'comment', 'failed'), { timeout: 60_000 }).toBe(0);
    await page.getByLabel('Status').selectOption('');
    expect(await reportCount(page, 'sms', 'imported')).toBe(truth.expectedSms.size);
    expect(await reportCount(page, 'conversation', 'found')).toBe(manifest.conversations);

    const json = await download(page, 'Download report');
    expect(json.name).toMatch(/^front-missive-report-.+\.json$/);
    const report = JSON.parse(json.text) as JsonReport;
    expect(report).toMatchObject({
      format: 'front-missive-import-report',
      version: 1,
      missive: { apiBase: sandbox.url, organization: sandbox.organizationId },
      itemsMatchTotals: true,
    });
    expect(Date.parse(report.startedAt)).not.toBeNaN();
    expect(Date.parse(report.finishedAt ?? '')).not.toBeNaN();
    expect(report.sources.map((s) => s.name).sort()).toEqual(manifest.files.map((f) => f.name).sort());
    expect(report.sources.flatMap((s) => s.unrecognized).length).toBe(manifest.unrecognized.length);
    expect(tally(report.items)).toEqual(report.totals);
    expect(report.totals.sms).toMatchObject({ found: manifest.sms, imported: truth.expectedSms.size });
    expect(report.totals.comment).toMatchObject({
      found: manifest.comments,
      imported: truth.smsRouteComments.size,
      pending: truth.emailRouteComments.size,
    });
    expect(report.totals.email.found).toBe(manifest.emails);
    expect(disagreements(report, ib)).toEqual([]);
    const keys = report.items.map((i) => `${i.kind}:${i.frontId}`);
    expect(new Set(keys).size).toBe(keys.length);

    const csv = await download(page, 'Items as CSV');
    expect(csv.name).toMatch(/\.csv$/);
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(report.items.length + 1);
    const html = await download(page, 'Summary as HTML');
    expect(html.text).toContain('Front to Missive import report');
    expect(html.text).not.toContain('Partial report');
    expect(html.text).not.toContain('<script');
    for (const text of [json.text, csv.text, html.text]) expect(text).not.toContain(sandbox.token);

    // Pending comments, by reason, a page at a time.
    await page.getByLabel('Status').selectOption('pending');
    await page.getByLabel('Kind').selectOption('comment');
    await expectText(page.getByTestId('report-items-range'), `of ${truth.emailRouteComments.size}`);
    await page.getByLabel('Reason').selectOption(PENDING_REASONS.emailNotInMissive);
    await expectText(page.getByTestId('report-items'), 'email not in Missive yet');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Kind').selectOption('');
    await expectText(page.getByTestId('report-items-range'), `Items 1–50 of ${report.items.length}`);
    await page.getByRole('button', { name: 'Next' }).click();
    await expectText(page.getByTestId('report-items-range'), `Items 51–100 of ${report.items.length}`);
    expect(await page.getByTestId('report-items').locator('tbody tr').count()).toBe(50);
  });

  it('a partial report mid-run: what was imported so far, the rest pending, every object once', async () => {
    const { paths, manifest } = await generate(62, 60);
    bed = await startImportBed({ faults: { latencyMs: 40 } });
    const ib = bed;
    const { sandbox } = ib.bed;
    const page = await openWithoutPicker(ib);
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);
    await startImport(page);
    await until(() => sandbox.snapshot().messages.length >= 20, 60_000, 20); // fails at its deadline

    await goToStep(page, 'Report');
    const json = await download(page, 'Download report');
    const report = JSON.parse(json.text) as JsonReport;
    const afterDownload = sandbox.snapshot().messages.length;
    expect(report.finishedAt).toBeNull();
    expect(json.name).toContain('partial');
    expect(report.itemsMatchTotals).toBe(true);
    expect(tally(report.items)).toEqual(report.totals);
    expect(report.totals.sms.found).toBe(manifest.sms);
    expect(report.totals.sms.imported).toBeGreaterThanOrEqual(20);
    expect(report.totals.sms.pending).toBeGreaterThan(0);
    // Still running when the report was taken: everything it calls imported is in Missive.
    expect(afterDownload).toBeLessThan(manifest.sms);
    const inMissive = new Set(
      sandbox.snapshot().messages.map((m) => m.external_id?.replace(/:part-\d+$/, '')),
    );
    for (const item of report.items) {
      if (item.kind === 'sms' && item.status === 'imported') expect(inMissive.has(item.frontId)).toBe(true);
    }
    const html = await download(page, 'Summary as HTML');
    expect(html.text).toContain('Partial report');

    await goToStep(page, 'Import');
    await waitForComplete(page);
    await goToStep(page, 'Report');
    const final = JSON.parse((await download(page, 'Download report')).text) as JsonReport;
    expect(final.finishedAt).not.toBeNull();
    expect(disagreements(final, ib)).toEqual([]);
  });
});
