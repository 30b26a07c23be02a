/**
 * The import's end-to-end bed: the built app in Chromium, the Missive sandbox with compressed
 * windows, and the steps a person takes (drop the zips, connect, plan, import), written once.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { SandboxOptions } from '../../testbed/missive-sandbox/server.ts';
import { compressedLimits } from '../support/engine-fixtures.ts';
import { expectText, expectVisible, startTestBed, type TestBed } from './harness.ts';

/** A minute lasts 0.6 s, 15 minutes 9 s: an import of a few hundred requests takes seconds. */
export const E2E_TIME_SCALE = 0.01;

export interface ImportBed {
  bed: TestBed;
  timeScale: number;
  /** A fresh browser profile with the app pointed at the sandbox, on the compressed time scale. */
  open(): Promise<{ context: BrowserContext; page: Page }>;
  /** The app's URL for that profile (to reload or reopen). */
  appUrl: string;
  close(): Promise<void>;
}

export async function startImportBed(
  sandboxOptions: SandboxOptions = {},
  timeScale = E2E_TIME_SCALE,
): Promise<ImportBed> {
  const bed = await startTestBed({ limits: compressedLimits(timeScale), ...sandboxOptions });
  const appUrl =
    `${bed.app.url}?missive-api=${encodeURIComponent(bed.sandbox.url)}` + `&import-time-scale=${timeScale}`;
  const contexts: BrowserContext[] = [];
  return {
    bed,
    timeScale,
    appUrl,
    async open() {
      const context = await bed.browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(appUrl);
      return { context, page };
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await bed.close();
    },
  };
}

export async function goToStep(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Import steps' }).getByRole('button', { name: label }).click();
}

/** Drops the zips on the Load step and waits for the summary. */
export async function loadExport(page: Page, paths: readonly string[]): Promise<void> {
  await goToStep(page, 'Load export');
  await page.getByLabel('Front export files').setInputFiles([...paths]);
  await expectVisible(page.getByRole('heading', { name: 'Export summary' }), 120_000);
  // The summary shows after the ingest run ends.
  await page.getByTestId('ingest-progress').getByText('Last indexing run').waitFor({ timeout: 120_000 });
}

export async function connect(page: Page, token: string, remember = true): Promise<void> {
  await goToStep(page, 'Connect Missive');
  await page.getByLabel('Missive API token').fill(token);
  if (remember) await page.getByLabel('Remember the token in this tab').check();
  await page.getByRole('button', { name: 'Verify token' }).click();
  await expectText(page.locator('main').getByRole('status'), 'Connected as');
}

/** Fills the plan (the sandbox has one organization, picked by itself) and waits for the counts. */
export async function plan(
  page: Page,
  account: string,
  options: { commentMode?: 'per-conversation' } = {},
): Promise<void> {
  await goToStep(page, 'Plan');
  await page.getByLabel('SMS custom channel account ID').fill(account);
  if (options.commentMode) await page.getByLabel('One post per conversation (fewer requests)').check();
  await expectVisible(page.getByTestId('plan-total-per-comment'), 60_000);
  await expectVisible(page.getByTestId('preview-sms'), 60_000);
}

export async function startImport(page: Page): Promise<void> {
  await goToStep(page, 'Import');
  await page.getByRole('button', { name: 'Start import' }).click();
}

export async function waitForComplete(page: Page, timeout = 180_000): Promise<string> {
  const status = page.locator('main').getByRole('status');
  await expectText(status, 'Import complete', timeout);
  return status.first().innerText();
}

/** The number in the progress table for a kind and status. */
export async function countOf(page: Page, kind: string, status: string): Promise<number> {
  const text = await page
    .getByTestId(`import-counts-${kind}`)
    .locator(`[data-status="${status}"]`)
    .innerText();
  return Number(text.replace(/\D/g, ''));
}

/** Posts Missive accepted (201) so far. */
export function postsAccepted(ib: ImportBed): number {
  return ib.bed.sandbox.requests().filter((r) => r.method === 'POST' && r.status === 201).length;
}

/** Polls `condition` (every `pollMs`) until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 60_000, pollMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
