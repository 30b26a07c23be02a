/**
 * "Delete all data from this browser" (Report step, Advanced settings): after it, none of the app's
 * IndexedDB databases is left, and neither are its settings nor the remembered token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
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

const APP_DATABASES = [
  'front-to-missive',
  'front-missive-import',
  'front-missive-relay',
  'front-missive-contacts',
];

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

async function stored(page: Page): Promise<{ databases: string[]; keys: string[] }> {
  return page.evaluate(async () => {
    const databases = (await indexedDB.databases()).map((db) => db.name ?? '');
    const keys = [...Object.keys(localStorage), ...Object.keys(sessionStorage)];
    return { databases, keys };
  });
}

describe('delete all data from this browser', () => {
  it('after an import, removes every database, setting and the remembered token', async () => {
    const { paths } = await generate(95, 20);
    bed = await startImportBed();
    const { page } = await bed.open();
    await loadExport(page, paths);
    await expectVisible(page.getByTestId('kept-in-browser'));
    await connect(page, bed.bed.sandbox.token);
    await plan(page, bed.bed.sandbox.accountId);
    await startImport(page);
    await waitForComplete(page);
    await page.evaluate(() => localStorage.setItem('front-missive:relay-google-client-id', 'x'));

    const before = await stored(page);
    expect(before.databases).toEqual(expect.arrayContaining(['front-to-missive', 'front-missive-import']));
    expect(before.keys).toContain('front-missive:token');

    await goToStep(page, 'Report');
    await expectVisible(page.getByTestId('kept-in-browser'));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('main').getByRole('button', { name: 'Delete all data from this browser' }).click();
    await expectText(page.getByTestId('delete-all-done'), 'All data of this app was deleted');

    const after = await stored(page);
    expect(after.databases.filter((name) => APP_DATABASES.includes(name))).toEqual([]);
    expect(after.keys.filter((key) => key.startsWith('front-missive:'))).toEqual([]);
    // A reload starts afresh: no export, no run to resume.
    await page.reload();
    expect((await stored(page)).keys).not.toContain('front-missive:token');
  });
});
