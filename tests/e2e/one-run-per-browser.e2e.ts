/**
 * One run at a time across the tabs of a browser (Web Locks): a second page of the same browser
 * context, opened while the first imports, offers nothing that sends; once the first pauses, it can.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
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
});
