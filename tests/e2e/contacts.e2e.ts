/**
 * The contacts in Chromium against the sandbox: the list built from a generated export, its CSV,
 * and the direct import into a sandbox contact book, twice (nothing duplicated), then the contacts
 * in the report.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/domain/contacts/handles.ts';
import type { ReportItem } from '../../src/domain/report/index.ts';
import { generate } from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
import { connect, goToStep, loadExport, startImportBed, type ImportBed } from './import-support.ts';

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: button }).click(),
  ]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

function people(summary: string): number {
  return Number(/^([\d,]+) people/.exec(summary)?.[1]?.replace(/,/g, '') ?? NaN);
}

describe('contacts in the browser', () => {
  it('builds the list, downloads its CSV, imports it into a contact book twice without duplicates', async () => {
    const { paths } = await generate(71, 40);
    bed = await startImportBed();
    const { sandbox } = bed.bed;
    const { page } = await bed.open();
    await page.addInitScript(() => {
      delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    await page.reload();
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await goToStep(page, 'Report');

    await page.getByRole('button', { name: 'Build the contact list' }).click();
    await expectText(page.getByTestId('contacts-summary'), 'people', 60_000);
    const total = people(await page.getByTestId('contacts-summary').innerText());
    expect(total).toBeGreaterThan(10);

    const csv = await download(page, 'Download contacts CSV');
    expect(csv.name).toMatch(/\.csv$/);
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^First Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value/);
    expect(rows).toHaveLength(total + 1);

    await page.getByRole('button', { name: 'Load contact books' }).click();
    await page.getByLabel('Contact book').selectOption({ label: 'Sandbox contacts' });
    const importButton = page.getByRole('button', { name: 'Import contacts into this book' });
    await importButton.click();
    await expectText(page.getByTestId('contacts-progress'), 'Contacts imported.', 60_000);
    await expectText(page.getByTestId('contacts-progress'), `${total} imported`);
    const first = sandbox.snapshot().contacts;
    expect(first).toHaveLength(total);

    // Twice: the book is read first, nothing is created again.
    await expect.poll(() => importButton.isEnabled()).toBe(true);
    await importButton.click();
    await expectText(page.getByTestId('contacts-progress'), 'Contacts imported.', 60_000);
    await expectText(page.getByTestId('contacts-progress'), `${total} imported, 0 already in the book`);
    const second = sandbox.snapshot().contacts;
    expect(second.map((c) => c.id)).toEqual(first.map((c) => c.id));
    const emails = second.flatMap((c) =>
      ((c.infos ?? []) as { kind: string; value: string }[])
        .filter((info) => info.kind === 'email')
        .map((info) => normalizeEmail(info.value)),
    );
    expect(new Set(emails).size).toBe(emails.length);

    // The contacts are in the report, kind contact, all imported.
    await expectVisible(page.getByTestId('report-totals-contact'), 60_000);
    const report = JSON.parse((await download(page, 'Download report')).text) as {
      totals: Record<string, { found: number; imported: number }>;
      items: ReportItem[];
    };
    expect(report.totals.contact).toMatchObject({ found: total, imported: total });
    expect(report.items.filter((i) => i.kind === 'contact')).toHaveLength(total);
    expect(JSON.stringify(report)).not.toContain(sandbox.token);
  });
});
