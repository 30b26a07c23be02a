import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectText, type TestBed } from './harness.ts';
import { headerValue, loadAndMark, openRelayStep, startRelayBed, waitForRelayState } from './relay-flow.ts';
import type { GeneratedExport } from '../../testbed/front-export-generator/generate.ts';

describe('relay mode into a JMAP server (sandbox)', () => {
  let bed: TestBed;
  let generated: GeneratedExport;
  let expected: number;

  beforeAll(async () => {
    ({ bed, generated, expected } = await startRelayBed(
      // As loose as RFC 8621 allows: whole-word header matching (the default) and a search index that lags.
      { jmap: { indexDelayMs: 2_000 } },
      62,
    ));
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function connect(page: Page) {
    await page.getByRole('radio', { name: /Fastmail or another JMAP server/ }).check();
    await page.getByLabel('JMAP session URL').fill(bed.jmap!.sessionUrl);
    await page.getByLabel('JMAP API token').fill(bed.jmap!.token);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expectText(page.getByTestId('relay-connected'), 'Connected: JMAP');
    // The token field is emptied once handed to the worker.
    expect(await page.getByLabel('JMAP API token').inputValue()).toBe('');
  }

  function check() {
    const jmap = bed.jmap!;
    const mailbox = jmap.mailboxes().find((m) => m.name === 'Front import')!;
    expect(mailbox).toBeDefined();
    const emails = jmap.emails();
    const ids = emails.map((e) => headerValue(e.headers, 'X-Front-Message-Id'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected);
    const threads = new Map<string, Set<string>>();
    for (const email of emails) {
      expect(email.mailboxIds).toEqual({ [mailbox.id]: true });
      expect(email.keywords).toEqual({ $seen: true });
      expect(email.receivedAtFrom).toBe('import');
      const conversation = headerValue(email.headers, 'X-Front-Conversation-Id')!;
      if (!threads.has(conversation)) threads.set(conversation, new Set());
      threads.get(conversation)!.add(email.threadId);
    }
    // The headers thread each conversation on the server too.
    for (const set of threads.values()) expect(set.size).toBe(1);
  }

  it('imports every email of the marked inbox once into "Front import"', async () => {
    bed.jmap!.reset();
    const { page } = await bed.open();
    await loadAndMark(page, generated.files);
    await openRelayStep(page, expected);
    await connect(page);
    await page.getByRole('button', { name: 'Start relay' }).click();
    await waitForRelayState(page, 'finished');
    check();
  });

  it('resumes after a reload mid-relay without importing any email twice', async () => {
    bed.jmap!.reset();
    bed.jmap!.setFaults({ latencyMs: 300 });
    try {
      const { page } = await bed.open();
      await loadAndMark(page, generated.files);
      await openRelayStep(page, expected);
      await connect(page);
      await page.getByRole('button', { name: 'Start relay' }).click();
      await expect.poll(() => bed.jmap!.emails().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
      // Close the tab while an import is surely on its way (an API call held by the latency), so its outcome is unknown after the reload.
      await expect
        .poll(() => bed.jmap!.requests().some((r) => r.kind === 'api' && r.endedAt === null), {
          timeout: 30_000,
          interval: 10,
        })
        .toBe(true);
      await page.reload();
      await page
        .getByRole('navigation', { name: 'Import steps' })
        .getByRole('button', { name: 'Relay emails' })
        .click();
      await page.getByLabel('Export files for relay').setInputFiles(generated.files);
      bed.jmap!.setFaults(undefined);
      await connect(page);
      await page.getByRole('button', { name: 'Resume relay' }).click();
      await waitForRelayState(page, 'finished');
      // The emails on their way when the tab closed were looked for in the mailbox first.
      await expectText(page.getByTestId('relay-counts'), 'checked on the mailbox before sending again');
      check();
    } finally {
      bed.jmap!.setFaults(undefined);
    }
  });
});
