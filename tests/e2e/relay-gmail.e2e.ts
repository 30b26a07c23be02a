import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, type TestBed } from './harness.ts';
import {
  RELAY_INBOX,
  headerValue,
  loadAndMark,
  openRelayStep,
  startRelayBed,
  waitForRelayState,
} from './relay-flow.ts';
import type { GeneratedExport } from '../../testbed/front-export-generator/generate.ts';

describe('relay mode into Gmail (sandbox)', () => {
  let bed: TestBed;
  let generated: GeneratedExport;
  let expected: number;

  beforeAll(async () => {
    ({ bed, generated, expected } = await startRelayBed({ gmail: true }, 61));
  });
  afterAll(async () => {
    await bed?.close();
  });

  const open = () =>
    bed.open({ query: { 'gmail-api': bed.gmail!.url, 'gis-client': bed.gmail!.gisClientUrl } });

  async function signIn(page: Awaited<ReturnType<typeof open>>['page']) {
    await page.getByLabel('Google OAuth client ID').fill('1234-test.apps.googleusercontent.com');
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await expectText(page.getByTestId('relay-connected'), `Gmail ${bed.gmail!.emailAddress}`);
  }

  function check() {
    const gmail = bed.gmail!;
    const messages = gmail.messages();
    const ids = messages.map((m) => headerValue(m.headers.fields, 'X-Front-Message-Id'));
    expect(new Set(ids).size).toBe(ids.length); // each email once
    expect(ids.length).toBe(expected);
    const label = gmail.labels().find((l) => l.name === `Front import/${RELAY_INBOX}`)!;
    expect(label).toBeDefined();
    const threadsByConversation = new Map<string, Set<string>>();
    for (const message of messages) {
      expect(message.labelIds).toContain(label.id);
      expect(message.labelIds).not.toContain('INBOX');
      expect(message.params).toMatchObject({ internalDateSource: 'dateHeader', neverMarkSpam: 'true' });
      const conversation = headerValue(message.headers.fields, 'X-Front-Conversation-Id')!;
      if (!threadsByConversation.has(conversation)) threadsByConversation.set(conversation, new Set());
      threadsByConversation.get(conversation)!.add(message.threadId);
    }
    // One thread per conversation, and no thread shared by two conversations.
    for (const threads of threadsByConversation.values()) expect(threads.size).toBe(1);
    const allThreads = [...threadsByConversation.values()].map((t) => [...t][0]);
    expect(new Set(allThreads).size).toBe(allThreads.length);
  }

  it('relays every email of the marked inbox once, threaded, under its label', async () => {
    bed.gmail!.reset();
    const { page } = await open();
    await loadAndMark(page, generated.files);
    await openRelayStep(page, expected);
    await signIn(page);
    await expectText(page.getByTestId('relay-connected'), 'Front import/<inbox>');
    await page.getByRole('button', { name: 'Start relay' }).click();
    await waitForRelayState(page, 'finished');
    expect(await page.getByTestId('relay-counts').getAttribute('data-done')).toBe(String(expected));
    check();
  });

  it('resumes after a reload mid-relay without sending any email twice', async () => {
    bed.gmail!.reset();
    bed.gmail!.setFaults({ latencyMs: 250 });
    try {
      const { page } = await open();
      await loadAndMark(page, generated.files);
      await openRelayStep(page, expected);
      await signIn(page);
      await page.getByRole('button', { name: 'Start relay' }).click();
      await expect.poll(() => bed.gmail!.messages().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
      // Close the tab while an import is surely on its way, so its outcome is unknown after the reload.
      await expect
        .poll(
          () => bed.gmail!.requests().some((r) => r.operation === 'messages.import' && r.endedAt === null),
          {
            timeout: 30_000,
            interval: 10,
          },
        )
        .toBe(true);
      await page.reload();

      // After the reload the dropped files are gone: the step says which to drop again.
      await page
        .getByRole('navigation', { name: 'Import steps' })
        .getByRole('button', { name: 'Relay emails' })
        .click();
      for (const file of generated.manifest.files)
        await expectText(page.getByTestId('relay-files-needed'), file.name);
      await page.getByLabel('Export files for relay').setInputFiles(generated.files);
      await expectText(page.getByTestId('relay-files'), 'are at hand');
      bed.gmail!.setFaults(undefined);
      await signIn(page);
      await page.getByRole('button', { name: 'Resume relay' }).click();
      await waitForRelayState(page, 'finished');
      // The emails on their way when the tab closed were looked for in the mailbox first.
      await expectText(page.getByTestId('relay-counts'), 'checked on the mailbox before sending again');
      check();
    } finally {
      bed.gmail!.setFaults(undefined);
    }
  });

  it('asks to continue when the Google token expires, then finishes', async () => {
    bed.gmail!.reset();
    const { page } = await open();
    await loadAndMark(page, generated.files);
    await openRelayStep(page, expected);
    await signIn(page);
    // The next import is refused with 401, as when the hour-long token expires.
    bed.gmail!.setFaults({ latencyMs: 50 });
    await page.getByRole('button', { name: 'Start relay' }).click();
    await expect.poll(() => bed.gmail!.messages().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    bed.gmail!.injectResponses({ status: 401, count: 1, paths: /messages\/import/ });
    await waitForRelayState(page, 'needs-token');
    bed.gmail!.setFaults(undefined);
    await page.getByRole('button', { name: 'Continue' }).click();
    await waitForRelayState(page, 'finished');
    check();
  });
});
