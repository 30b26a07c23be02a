/**
 * The import in Chromium against the Missive sandbox (compressed windows): from dropped generated
 * zips to "Import complete", with what the sandbox received checked item by item against the truth
 * read from the same zips.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  IMPORT_HARD_CASES,
  duplicates,
  generate,
  importProblems,
  readTruth,
  received,
} from '../support/engine-fixtures.ts';
import { expectText, expectVisible } from './harness.ts';
import {
  connect,
  countOf,
  goToStep,
  loadExport,
  plan,
  postsAccepted,
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

const WITH_LONG_SMS = { ...IMPORT_HARD_CASES, longSmsConversation: true };

describe('import in the browser', () => {
  it('the whole flow: dropped zips, plan, trial with links, full run, "Import complete"; every item received once', async () => {
    const { paths, manifest } = await generate(51, 60, WITH_LONG_SMS);
    const truth = await readTruth(paths);
    // The truth read from the zips is the generator's own: same SMS and comments as its manifest.
    const all = [...truth.conversations.values()];
    expect(new Set(all.flatMap((c) => c.sms))).toEqual(new Set(manifest.ids.sms));
    expect(new Set(all.flatMap((c) => c.comments))).toEqual(new Set(manifest.ids.comments));
    expect(
      all
        .filter((c) => c.deleted)
        .map((c) => c.id)
        .sort(),
    ).toEqual([...manifest.hardCaseConversations.deleted].sort());
    bed = await startImportBed();
    const { sandbox } = bed.bed;
    const { page } = await bed.open();
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);

    // Both comment modes are counted before anything is sent; the preview is JSON shown as text.
    for (const mode of ['per-comment', 'per-conversation']) {
      expect(
        Number((await page.getByTestId(`plan-total-${mode}`).innerText()).replace(/\D/g, '')),
      ).toBeGreaterThan(0);
    }
    const preview = await page.getByTestId('preview-sms').first().innerText();
    expect(JSON.parse(preview)).toMatchObject({
      messages: { account: sandbox.accountId, external_id: expect.any(String) },
    });
    expect(await page.getByTestId('preview-comment').innerText()).toContain('Imported from Front');
    expect(sandbox.requests().filter((r) => r.method === 'POST')).toHaveLength(0);

    // The trial: the first 5 conversations, with links into Missive.
    await page.getByRole('button', { name: 'Import the first 5 conversations' }).click();
    await expectVisible(page.getByText('Trial done'), 60_000);
    const links = page.getByTestId('trial-links').getByRole('link', { name: 'open in Missive' });
    expect(await links.count()).toBeGreaterThan(0);
    const conversationIds = new Set(sandbox.snapshot().conversations.map((c) => c.id));
    for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      const id = /^https:\/\/mail\.missiveapp\.com\/#inbox\/conversations\/(.+)$/.exec(href ?? '')?.[1];
      expect(id && conversationIds.has(id)).toBe(true);
    }
    const afterTrial = received(sandbox);

    await startImport(page);
    const status = await waitForComplete(page);
    expect(status).toContain('Import complete');
    expect(importProblems(sandbox, truth, { over400: manifest.conversationsOver400Sms })).toEqual([]);
    // Nothing of the trial was sent again.
    for (const [id] of afterTrial.sms) expect(received(sandbox).sms.get(id)).toBe(1);
    expect(await countOf(page, 'sms', 'imported')).toBe(truth.expectedSms.size);
    expect(await countOf(page, 'comment', 'imported')).toBe(truth.smsRouteComments.size);
    expect(await countOf(page, 'comment', 'pending')).toBe(truth.emailRouteComments.size);
    await expectText(page.getByTestId('import-reasons'), 'email not in Missive yet');
    expect(sandbox.snapshot().rate.rejected429).toBe(0);
  });

  it('POST /messages answering without a body: comments still land in their SMS conversation', async () => {
    const { paths } = await generate(52, 40);
    const truth = await readTruth(paths);
    bed = await startImportBed({ messagesResponse: 'empty' });
    const { sandbox } = bed.bed;
    const { page } = await bed.open();
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);
    await startImport(page);
    await waitForComplete(page);
    expect(importProblems(sandbox, truth)).toEqual([]);
    expect(truth.smsRouteComments.size).toBeGreaterThan(0);
  });

  it('a page reload in the middle: Resume continues where it stopped; nothing twice, nothing lost', async () => {
    const { paths } = await generate(53, 60);
    const truth = await readTruth(paths);
    bed = await startImportBed({ faults: { latencyMs: 25 } });
    const ib = bed;
    const { sandbox } = ib.bed;
    const { page } = await ib.open();
    await loadExport(page, paths);
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);
    await startImport(page);
    await until(() => postsAccepted(ib) >= 30, 60_000, 10);
    await page.reload();

    // The app opens the Import step by itself, with the plan and the (remembered) token.
    await expectVisible(page.getByRole('button', { name: 'Resume' }), 30_000);
    expect(postsAccepted(ib)).toBeLessThan(truth.expectedSms.size);
    // The pictures of the SMS are read from the zips: drop them again in this tab, then resume.
    await goToStep(page, 'Load export');
    await page.getByLabel('Front export files').setInputFiles([...paths]);
    await expectVisible(page.getByText('Last indexing run'), 60_000);
    await goToStep(page, 'Import');
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForComplete(page);
    expect(importProblems(sandbox, truth)).toEqual([]);
    expect(duplicates(received(sandbox).comments)).toEqual([]);
  });
});
