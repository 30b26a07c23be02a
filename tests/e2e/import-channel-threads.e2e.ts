/**
 * Issue 9 in Chromium: SMS bodies exactly as the channel's message type expects (Text and HTML),
 * and the comments of partly synced email threads placed (Missive holds only some emails of each
 * thread; reply-only threads are found through a reply's In-Reply-To), with the Export summary's
 * counts of how email conversations can be located.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_HARD_CASES, generate, readTruth } from '../support/engine-fixtures.ts';
import {
  connect,
  goToStep,
  loadExport,
  startImport,
  startImportBed,
  waitForComplete,
} from './import-support.ts';
import { expectVisible } from './harness.ts';
import type { ImportBed } from './import-support.ts';

let bed: ImportBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

/** What a channel of each type must receive for an SMS text, written independently of the app. */
function expectedBody(text: string, type: 'text' | 'html'): string {
  const lines = text.trim().replace(/\r\n?/g, '\n');
  if (type === 'text') return lines;
  return lines
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\n/g, '<br>');
}

describe('import in the browser: channel message type and partly synced threads', () => {
  for (const type of ['text', 'html'] as const) {
    it(`${type} channel: every SMS body as the type expects; every comment of a partly synced thread placed`, async () => {
      const { paths, manifest } = await generate(91, 40, { ...IMPORT_HARD_CASES, replyOnlyThreads: 2 });
      const truth = await readTruth(paths);
      bed = await startImportBed();
      const { sandbox } = bed.bed;
      // Missive holds one email per thread only: the newest (or, for reply-only threads, the parent
      // the newest reply names). The thread's other emails never synced.
      const replyOnly = new Set(manifest.hardCaseConversations.replyOnly);
      const seeded = new Map<string, string>();
      for (const thread of manifest.emailThreads) {
        if (thread.messageIds.length < 2) continue;
        const messageId = replyOnly.has(thread.conversationId)
          ? thread.messageIds.at(-2)!
          : thread.messageIds.at(-1)!;
        seeded.set(thread.conversationId, sandbox.seedEmail({ messageId }));
      }
      expect(seeded.size).toBeGreaterThan(replyOnly.size);

      const { page } = await bed.open();
      await loadExport(page, paths);
      const located = manifest.emailConversationsLocatable;
      for (const [id, value] of [
        ['email-conversations-by-message-id', located.byMessageId],
        ['email-conversations-by-in-reply-to', located.byInReplyToOnly],
        ['email-conversations-not-locatable', located.notLocatable],
      ] as const) {
        expect(await page.getByTestId(`summary-${id}`).getAttribute('data-value')).toBe(String(value));
      }
      expect(located.byInReplyToOnly).toBeGreaterThanOrEqual(2);

      await connect(page, sandbox.token);
      await goToStep(page, 'Plan');
      await page.getByLabel('SMS custom channel account ID').fill(sandbox.accountId);
      await page.getByLabel('Message type of the SMS channel').selectOption(type);
      await expectVisible(page.getByTestId('plan-total-per-comment'), 60_000);
      await expectVisible(page.getByTestId('plan-email-lookups-if-not-found'), 60_000);
      await expect.poll(async () => page.getByTestId('preview-sms').first().innerText()).toContain('"body"');
      await startImport(page);
      await waitForComplete(page);

      // Every SMS body, exactly (part 1 carries the text; notes about files follow a blank line).
      const state = sandbox.snapshot();
      const messages = state.conversations.flatMap((c) => c.messages);
      let checked = 0;
      for (const message of messages) {
        const text = truth.smsText.get(message.external_id ?? '');
        if (text === undefined) continue;
        const expected = expectedBody(text, type);
        const separator = type === 'text' ? '\n\n' : '<br><br>';
        const body = message.body ?? '';
        expect(body === expected || body.startsWith(expected + separator)).toBe(true);
        checked++;
      }
      expect(checked).toBe(truth.expectedSms.size);

      // Every comment of every partly synced thread is in the one conversation Missive holds.
      for (const [frontId, missiveId] of seeded) {
        const front = truth.conversations.get(frontId);
        if (!front || front.deleted || front.sms.length > 0) continue;
        const comments = front.comments;
        const conversation = state.conversations.find((c) => c.id === missiveId)!;
        const footers = conversation.posts.flatMap((p) => p.attachments.map((a) => String(a.footer)));
        for (const comment of comments) {
          expect(footers.some((f) => f.startsWith(`Front comment ${comment}`))).toBe(true);
        }
      }
    }, 300_000);
  }
});
