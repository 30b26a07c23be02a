/**
 * Steps a person takes in relay mode, shared by the relay end-to-end tests: drop a generated export,
 * mark an inbox as SMTP forwarding, open the Relay emails step.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { generateFrontExport, type GeneratedExport } from '../../testbed/front-export-generator/generate.ts';
import { expectVisible, startTestBed, type MailSandboxes, type TestBed } from './harness.ts';

export const RELAY_INBOX = 'Support';

/** Channel objects left out: the Load step then asks which inboxes used SMTP forwarding. */
export async function generateRelayExport(seed: number, conversations = 24): Promise<GeneratedExport> {
  const outDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
  return generateFrontExport({ outDir, seed, conversations, zips: 2, includeChannelObjects: false });
}

export async function loadAndMark(page: Page, files: string[], inbox = RELAY_INBOX): Promise<void> {
  await page.getByLabel('Front export files').setInputFiles(files);
  await expectVisible(page.getByRole('heading', { name: 'Export summary' }), 120_000);
  const row = page.locator('[data-testid=inbox-row]', {
    has: page.getByRole('rowheader', { name: inbox, exact: true }),
  });
  await row.getByRole('checkbox').check();
  await expect.poll(() => row.getByRole('checkbox').isChecked()).toBe(true);
}

export async function openRelayStep(page: Page, expectedEmails: number): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Import steps' })
    .getByRole('button', { name: 'Relay emails' })
    .click();
  await expect
    .poll(() => page.getByTestId('relay-total').getAttribute('data-value'), { timeout: 60_000 })
    .toBe(String(expectedEmails));
}

export async function relayState(page: Page): Promise<string | null> {
  return page.getByTestId('relay-state').getAttribute('data-state');
}

export async function waitForRelayState(page: Page, state: string, timeout = 120_000): Promise<void> {
  await expect.poll(() => relayState(page), { timeout }).toBe(state);
}

export function headerValue(fields: { name: string; value: string }[], name: string): string | undefined {
  return fields.find((field) => field.name.toLowerCase() === name.toLowerCase())?.value;
}

export interface RelayBed {
  bed: TestBed;
  generated: GeneratedExport;
  /** Emails of RELAY_INBOX in the export, each to be relayed once. */
  expected: number;
}

/** The test bed with the mail sandbox asked for, and a generated export (seed `seed`) to relay. */
export async function startRelayBed(sandboxes: MailSandboxes, seed: number): Promise<RelayBed> {
  const [bed, generated] = await Promise.all([startTestBed({}, sandboxes), generateRelayExport(seed)]);
  return { bed, generated, expected: generated.manifest.perInbox[RELAY_INBOX]!.emails };
}
