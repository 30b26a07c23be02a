/**
 * The import in Chromium when Missive misbehaves: a 429 storm, 5xx answers and dropped connections
 * (half of them after the item was stored), a wrong token, a token revoked mid-run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { duplicates, generate, importProblems, readTruth, received } from '../support/engine-fixtures.ts';
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
  waitForComplete,
  type ImportBed,
} from './import-support.ts';

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

/** Opens the app with the export loaded, connected and planned. */
async function ready(ib: ImportBed, paths: readonly string[]) {
  const { sandbox } = ib.bed;
  const { page } = await ib.open();
  await loadExport(page, paths);
  await connect(page, sandbox.token);
  await plan(page, sandbox.accountId);
  return page;
}

describe('import in the browser, when Missive misbehaves', () => {
  it('a 429 storm: nothing is sent until Retry-After has passed; the import completes with nothing twice', async () => {
    const { paths } = await generate(61, 40);
    const truth = await readTruth(paths);
    bed = await startImportBed({ faults: { latencyMs: 5 } });
    const ib = bed;
    const page = await ready(ib, paths);
    await startImport(page);
    await until(() => postsAccepted(ib) >= 8);
    const retryAfter = 1;
    ib.bed.sandbox.injectResponses({ status: 429, count: 8, retryAfter });
    await waitForComplete(page);
    expect(importProblems(ib.bed.sandbox, truth)).toEqual([]);

    const log = ib.bed.sandbox.requests();
    const storm = log.filter((r) => r.outcome === 'injected');
    expect(storm).toHaveLength(8);
    for (const hit of storm) {
      const at = hit.endedAt!;
      // The page learns of the 429 a little after the sandbox sent it (the worker may be encoding
      // an MMS meanwhile, more so on a busy machine): requests it let go before may arrive just after.
      const during = log.filter((r) => r.startedAt > at + 250 && r.startedAt < at + retryAfter * 1000 - 10);
      expect(during.map((r) => `${r.method} ${r.path} +${Math.round(r.startedAt - at)} ms`)).toEqual([]);
    }
    expect(ib.bed.sandbox.snapshot().rate.rejected429).toBe(0);
  });

  /*
   * Dropped connections are injected before the write here. After the write, Chromium itself sends
   * the POST again when its keep-alive connection dies before any answer header (its network stack
   * resends on a reused socket), before the page can check anything: no fetch option prevents it.
   * The engine's own handling of drops after the write is covered by the Node tests
   * (tests/unit/engine-recovery.test.ts); here, 5xx after the write exercise the same checks.
   */
  it('5xx after the write and dropped connections: complete, nothing twice, nothing lost', async () => {
    const { paths } = await generate(62, 60);
    const truth = await readTruth(paths);
    bed = await startImportBed();
    const { sandbox } = bed.bed;
    const page = await ready(bed, paths);
    sandbox.setFaults({ serverErrorRate: 0.12, faultAfterWriteRate: 1 });
    sandbox.injectResponses({ status: 0, count: 8, paths: /^\/v1\/(messages|posts)$/ });
    await startImport(page);
    await waitForComplete(page);
    const log = sandbox.requests();
    const stored502 = log.filter((r) => r.method === 'POST' && r.outcome === 'server-error');
    expect(stored502.length).toBeGreaterThan(5);
    expect(log.filter((r) => r.outcome === 'injected')).toHaveLength(8);
    expect(importProblems(sandbox, truth)).toEqual([]);
  });

  it('a wrong token is refused at Connect; a token revoked mid-run pauses and asks for a token, a wrong one sends nothing, a new one completes', async () => {
    const { paths } = await generate(63, 40);
    bed = await startImportBed({ faults: { latencyMs: 5 } });
    const ib = bed;
    const { sandbox } = ib.bed;
    const { page } = await ib.open();
    await loadExport(page, paths);
    await goToStep(page, 'Connect Missive');
    await page.getByLabel('Missive API token').fill('missive_pat-wrong');
    await page.getByRole('button', { name: 'Verify token' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'Missive rejected this token (401)');
    await connect(page, sandbox.token);
    await plan(page, sandbox.accountId);
    await startImport(page);
    await until(() => postsAccepted(ib) >= 10);
    sandbox.revokeToken();
    await expectText(page.locator('main').getByRole('alert'), 'Missive refused the token', 30_000);
    // Every POST counts, answered or refused: after the revoke the sandbox refuses them all.
    const postsSent = () => sandbox.requests().filter((r) => r.method === 'POST').length;
    const atPause = postsSent();

    await page.getByLabel('Missive API token').fill('missive_pat-wrong');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'Missive refused the token', 30_000);
    await expectVisible(page.getByLabel('Missive API token'));
    expect(postsSent()).toBe(atPause);
    expect(duplicates(received(sandbox).sms)).toEqual([]);

    // The user creates a new token in Missive: Resume with it completes the import, nothing twice.
    await page.getByLabel('Missive API token').fill(sandbox.createToken());
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForComplete(page);
    expect(importProblems(sandbox, await readTruth(paths))).toEqual([]);
  });

  it('a 401 mid-run (token replaced): Resume with a valid token completes the import, nothing twice', async () => {
    const { paths } = await generate(64, 40);
    const truth = await readTruth(paths);
    bed = await startImportBed({ faults: { latencyMs: 5 } });
    const ib = bed;
    const { sandbox } = ib.bed;
    const page = await ready(ib, paths);
    await startImport(page);
    await until(() => postsAccepted(ib) >= 10);
    sandbox.injectResponses({ status: 401, count: 1 });
    await expectVisible(page.getByLabel('Missive API token'), 30_000);
    await page.getByLabel('Missive API token').fill(sandbox.token);
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForComplete(page);
    expect(importProblems(sandbox, truth)).toEqual([]);
  });
});
