/**
 * The Content-Security-Policy of index.html: the whole flow (load, connect, plan, import, report and
 * its download, relay to Gmail with Google's sign-in script and to a JMAP server)
 * raises no violation, in the page or its workers; and the policy holds what it promises.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from '../support/engine-fixtures.ts';
import { expectText, watchContentSecurityPolicy } from './harness.ts';
import {
  connect,
  goToStep,
  loadExport,
  plan,
  startImport,
  startImportBed,
  waitForComplete,
  type ImportBed,
} from './import-support.ts';
import {
  RELAY_INBOX,
  generateRelayExport,
  loadAndMark,
  openRelayStep,
  waitForRelayState,
} from './relay-flow.ts';
import { startTestBed, type TestBed } from './harness.ts';

async function policyOf(page: Page): Promise<string> {
  return (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
}

describe('Content-Security-Policy', () => {
  it('the production index.html holds the strict policy', async () => {
    const html = await readFile(new URL('../../dist/index.html', import.meta.url), 'utf8');
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = new Map(
      policy.split(';').map((part) => {
        const [name, ...sources] = part.trim().split(/\s+/);
        return [name!, sources.join(' ')] as const;
      }),
    );
    expect(directives.get('script-src')).toBe("'self' https://accounts.google.com/gsi/client");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('frame-src')).toBe('https://accounts.google.com https://login.microsoftonline.com');
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
  });

  describe('the whole flow in Chromium', () => {
    let ib: ImportBed;
    let relayBed: TestBed;
    beforeAll(async () => {
      [ib, relayBed] = await Promise.all([startImportBed(), startTestBed({}, { gmail: true, jmap: true })]);
    });
    afterAll(async () => {
      await Promise.all([ib?.close(), relayBed?.close()]);
    });

    it('import, report and its download raise no violation', async () => {
      const { paths } = await generate(81, 30);
      const context = await ib.bed.browser.newContext();
      const violations = await watchContentSecurityPolicy(context);
      // Headless Chromium's save picker cannot be answered: the download link path instead.
      await context.addInitScript(() => {
        delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
      });
      try {
        const page = await context.newPage();
        await page.goto(ib.appUrl);
        expect(await policyOf(page)).toContain('object-src');
        await loadExport(page, paths);
        await connect(page, ib.bed.sandbox.token);
        await plan(page, ib.bed.sandbox.accountId);
        await startImport(page);
        await waitForComplete(page);
        await goToStep(page, 'Report');
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 120_000 }),
          page.getByRole('button', { name: 'Download report' }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(/\.json$/);
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('relay to Gmail (sign-in script), and to JMAP raise no violation', async () => {
      const generated = await generateRelayExport(82, 12);
      const expected = generated.manifest.perInbox[RELAY_INBOX]!.emails;
      const gmail = relayBed.gmail!;
      const jmap = relayBed.jmap!;
      const context = await relayBed.browser.newContext({ acceptDownloads: true });
      const violations = await watchContentSecurityPolicy(context);
      try {
        const page = await context.newPage();
        const query = new URLSearchParams({
          'missive-api': relayBed.sandbox.url,
          'gmail-api': gmail.url,
          'gis-client': gmail.gisClientUrl,
        });
        await page.goto(`${relayBed.app.url}?${query}`);
        await loadAndMark(page, generated.files);
        await openRelayStep(page, expected);

        await page.getByLabel('Google OAuth client ID').fill('1234-test.apps.googleusercontent.com');
        await page.getByRole('button', { name: 'Sign in with Google' }).click();
        await expectText(page.getByTestId('relay-connected'), `Gmail ${gmail.emailAddress}`);
        await page.getByRole('button', { name: 'Start relay' }).click();
        await waitForRelayState(page, 'finished');
        expect(gmail.messages().length).toBe(expected);

        await page.getByRole('radio', { name: /Fastmail or another JMAP server/ }).check();
        await page.getByLabel('JMAP session URL').fill(jmap.sessionUrl);
        await page.getByLabel('JMAP API token').fill(jmap.token);
        await page.getByRole('button', { name: 'Connect', exact: true }).click();
        await expectText(page.getByTestId('relay-connected'), 'Connected: JMAP');
        await page.getByRole('button', { name: 'Start relay' }).click();
        await waitForRelayState(page, 'finished');
        expect(jmap.emails().length).toBe(expected);
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
