/**
 * Relay mode, then the comments: the emails of an SMTP-forwarding inbox are relayed into Gmail, the
 * Missive import leaves their comments waiting, the Relay step says how many emails Missive has not
 * synced, and once Missive has them (seeded in the sandbox, as a sync from Gmail would) the comments
 * are posted into their conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';
import type { GeneratedExport } from '../../testbed/front-export-generator/generate.ts';
import { expectText } from './harness.ts';
import {
  connect,
  goToStep,
  loadExport,
  plan,
  startImport,
  startImportBed,
  type ImportBed,
} from './import-support.ts';
import { RELAY_INBOX, generateRelayExport, headerValue, waitForRelayState } from './relay-flow.ts';

describe('comments of relayed conversations', () => {
  let importBed: ImportBed;
  let gmail: GmailSandbox;
  let generated: GeneratedExport;

  beforeAll(async () => {
    [importBed, gmail, generated] = await Promise.all([
      startImportBed(),
      startGmailSandbox(),
      generateRelayExport(65, 16),
    ]);
  });
  afterAll(async () => {
    await importBed?.close();
    await gmail?.close();
  });

  it('wait for Missive to sync the relayed emails, then are posted into their conversations', async () => {
    const missive = importBed.bed.sandbox;
    const context = await importBed.bed.browser.newContext();
    const page = await context.newPage();
    const query = new URLSearchParams({ 'gmail-api': gmail.url, 'gis-client': gmail.gisClientUrl });
    await page.goto(`${importBed.appUrl}&${query}`);

    await loadExport(page, generated.files);
    const row = page.locator('[data-testid=inbox-row]', {
      has: page.getByRole('rowheader', { name: RELAY_INBOX, exact: true }),
    });
    await row.getByRole('checkbox').check();
    await expect.poll(() => row.getByRole('checkbox').isChecked()).toBe(true);

    await goToStep(page, 'Relay emails');
    await page.getByLabel('Google OAuth client ID').fill('1234-test.apps.googleusercontent.com');
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await expectText(page.getByTestId('relay-connected'), 'Connected: Gmail');
    await page.getByRole('button', { name: 'Start relay' }).click();
    await waitForRelayState(page, 'finished');

    await connect(page, missive.token);
    await plan(page, missive.accountId);
    await startImport(page);
    await expectText(page.locator('main').getByRole('status'), 'Import complete', 180_000);

    // The relayed conversations' comments wait: Missive has none of their emails yet.
    await goToStep(page, 'Relay emails');
    const waiting = page.getByTestId('relay-waiting');
    await expectText(waiting, 'Waiting for Missive to sync');
    const emailsWaiting = Number(await waiting.getAttribute('data-value'));
    expect(emailsWaiting).toBeGreaterThan(0);
    const postsBefore = missive.snapshot().posts.length;

    // Missive syncs the Gmail account: every relayed copy appears by its Message-ID.
    for (const message of gmail.messages()) {
      missive.seedEmail({
        messageId: message.headers.messageId!,
        subject: headerValue(message.headers.fields, 'Subject') ?? '',
      });
    }
    await page.getByRole('button', { name: 'Look now' }).click();
    await expect.poll(() => page.getByTestId('relay-waiting').count(), { timeout: 120_000 }).toBe(0);

    const posts = missive.snapshot().posts.slice(postsBefore);
    expect(posts.length).toBeGreaterThan(0);
    const seededConversations = new Set(missive.snapshot().emails.map((email) => email.conversation));
    for (const post of posts) expect(seededConversations.has(post.conversation)).toBe(true);
    await context.close();
  });
});
