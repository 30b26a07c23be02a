/**
 * One run at a time across the tabs of a browser (Web Locks): a second page of the same browser
 * context, opened while the first imports, offers nothing that sends; once the first pauses, it can.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
import { headerValue, loadAndMark, openRelayStep, startRelayBed, waitForRelayState } from './relay-flow.ts';
import {
  connect,
  goToStep,
  loadExport,
  plan,
  postsAccepted,
  startImport,
  startImportBed,
  until,
  type ImportBed,
} from './import-support.ts';

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

describe('one run at a time across tabs', () => {
  it('a second tab cannot start or resume while the first imports; it can once the first paused', async () => {
    const { paths } = await generate(91, 60);
    bed = await startImportBed({ faults: { latencyMs: 200 } });
    const ib = bed;
    const { context, page: first } = await ib.open();
    await loadExport(first, paths);
    await connect(first, ib.bed.sandbox.token);
    await plan(first, ib.bed.sandbox.accountId);
    await startImport(first);
    await until(() => postsAccepted(ib) >= 5, 60_000, 10);

    const second = await context.newPage();
    await second.goto(ib.appUrl);
    await goToStep(second, 'Import');
    await expectText(second.getByTestId('import-elsewhere'), 'This import is running in another tab');
    const main = second.locator('main');
    expect(await main.getByRole('button', { name: 'Start import' }).count()).toBe(0);
    expect(await main.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    await goToStep(second, 'Plan');
    const trial = second.getByRole('button', { name: 'Import the first 5 conversations' });
    if (await trial.count()) expect(await trial.isDisabled()).toBe(true);
    const sentBefore = ib.bed.sandbox.requests().length;

    // The first tab pauses: within a few seconds the second offers Resume.
    expect(await first.getByText('Import complete').count()).toBe(0);
    await first.bringToFront();
    await first.getByRole('button', { name: 'Pause' }).click();
    await expectVisible(first.getByRole('button', { name: 'Resume' }), 30_000);
    await goToStep(second, 'Import');
    await expectVisible(second.locator('main').getByRole('button', { name: 'Resume' }), 15_000);
    expect(await second.getByTestId('import-elsewhere').count()).toBe(0);
    // And now the first cannot resume while the second runs… once the second has started.
    await second.locator('main').getByLabel('Missive API token').fill(ib.bed.sandbox.token);
    await second.locator('main').getByRole('button', { name: 'Resume' }).click();
    await until(() => ib.bed.sandbox.requests().length > sentBefore, 30_000, 10);
    await expectText(first.getByTestId('import-elsewhere'), 'This import is running in another tab');
    expect(await first.locator('main').getByRole('button', { name: 'Resume' }).count()).toBe(0);
  });

  it('a second tab cannot start or resume the relay to the same account while the first relays', async () => {
    const { bed: relayBed, generated, expected } = await startRelayBed({ jmap: true }, 63);
    try {
      const jmap = relayBed.jmap!;
      const connectJmap = async (page: Page) => {
        await page.getByRole('radio', { name: /Fastmail or another JMAP server/ }).check();
        await page.getByLabel('JMAP session URL').fill(jmap.sessionUrl);
        await page.getByLabel('JMAP API token').fill(jmap.token);
        await page.getByRole('button', { name: 'Connect', exact: true }).click();
        await expectText(page.getByTestId('relay-connected'), 'Connected: JMAP');
      };
      // Every request held a while: the first tab's run is still going when the second connects.
      jmap.setFaults({ latencyMs: 400 });
      const { context, page: first } = await relayBed.open();
      await loadAndMark(first, generated.files);
      await openRelayStep(first, expected);
      await connectJmap(first);
      await first.getByRole('button', { name: 'Start relay' }).click();
      await expect.poll(() => jmap.emails().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);

      const second = await context.newPage();
      await second.goto(first.url());
      await openRelayStep(second, expected);
      await connectJmap(second);
      await expectText(second.getByTestId('relay-elsewhere'), 'This relay is running in another tab', 15_000);
      expect(await second.getByRole('button', { name: 'Start relay' }).count()).toBe(0);
      expect(await second.getByRole('button', { name: 'Resume relay' }).count()).toBe(0);
      expect(await second.getByRole('button', { name: 'Retry the failed emails' }).count()).toBe(0);

      jmap.setFaults(undefined);
      await first.bringToFront();
      await waitForRelayState(first, 'finished');
      const ids = jmap.emails().map((email) => headerValue(email.headers, 'X-Front-Message-Id'));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(expected);
      // Once the first tab's run ended, the second no longer says it runs elsewhere.
      await expect.poll(() => second.getByTestId('relay-elsewhere').count(), { timeout: 15_000 }).toBe(0);
    } finally {
      await relayBed.close();
    }
  });
});
