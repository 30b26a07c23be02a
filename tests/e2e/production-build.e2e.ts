/**
 * `npm run build` is what users host: it carries none of the test-only URL parameters, which only
 * the testbed build (`npm run build:testbed`, used by the other end-to-end tests) honours. And a
 * link's `?missive-api=` never gets a token, not even a remembered one, before "Verify token".
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { serveBuiltApp, type AppServer } from '../../testbed/app-server.ts';
import { startMissiveSandbox, type MissiveSandbox } from '../../testbed/missive-sandbox/server.ts';
import { startGmailSandbox, type GmailSandbox } from '../../testbed/gmail-sandbox/server.ts';
import { expectText, expectVisible, launchChromium } from './harness.ts';

const TEST_ONLY_PARAMETERS = ['gis-client', 'gmail-api', 'import-time-scale'];
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The text of every script and page of a build (source maps are not run, so not read). */
async function bundleText(outDir: string): Promise<string> {
  const files = await readdir(join(root, outDir), { recursive: true });
  const texts = await Promise.all(
    files
      .filter((file) => file.endsWith('.js') || file.endsWith('.html'))
      .map((file) => readFile(join(root, outDir, file), 'utf8')),
  );
  return texts.join('\n');
}

describe('the production build', () => {
  it('holds none of the test-only parameters (the testbed build does)', async () => {
    const [production, testbed] = await Promise.all([bundleText('dist'), bundleText('dist-testbed')]);
    for (const parameter of TEST_ONLY_PARAMETERS) {
      expect(production, parameter).not.toContain(parameter);
      expect(testbed, parameter).toContain(parameter);
    }
    expect(production).toContain('missive-api'); // documented, kept
  });

  describe('in Chromium', () => {
    let app: AppServer;
    let sandbox: MissiveSandbox;
    let gmail: GmailSandbox;
    let browser: Browser;
    beforeAll(async () => {
      [app, sandbox, gmail, browser] = await Promise.all([
        serveBuiltApp(0, 'dist'),
        startMissiveSandbox({}),
        startGmailSandbox({}),
        launchChromium(),
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await Promise.all([app?.close(), sandbox?.close(), gmail?.close()]);
    });

    it('with the test-only parameters set: no request to their URLs; a remembered token waits for Verify token', async () => {
      const context = await browser.newContext();
      const requested: string[] = [];
      const authorized: string[] = [];
      context.on('request', (request) => {
        requested.push(request.url());
        if (request.headers()['authorization']) authorized.push(request.url());
      });
      // Google's real sign-in script is not fetched from here: answered with nothing.
      await context.route('https://accounts.google.com/**', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
      );
      const page = await context.newPage();
      const query = new URLSearchParams({
        'missive-api': sandbox.url,
        'gis-client': gmail.gisClientUrl,
        'gmail-api': gmail.url,
        'import-time-scale': '0.01',
      });
      await page.goto(`${app.url}?${query}`);
      await expectVisible(page.getByRole('alert', { name: 'Non-default Missive API base URL' }));

      // Nothing asks the loopback Gmail sandbox or its sign-in stand-in (the bundle has no code for them).
      expect(requested.filter((url) => url.startsWith(gmail.url))).toEqual([]);

      // Connect with a remembered token (Verify pressed), then reload: nothing sent before Verify.
      await page
        .getByRole('navigation', { name: 'Import steps' })
        .getByRole('button', { name: 'Connect Missive' })
        .click();
      await page.getByLabel('Missive API token').fill(sandbox.token);
      await page.getByLabel('Remember the token in this tab').check();
      await page.getByRole('button', { name: 'Verify token' }).click();
      await expectText(page.locator('main').getByRole('status'), 'Connected as');
      authorized.length = 0;
      await page.reload();
      await page
        .getByRole('navigation', { name: 'Import steps' })
        .getByRole('button', { name: 'Connect Missive' })
        .click();
      expect(await page.getByLabel('Missive API token').inputValue()).toBe(sandbox.token);
      await page.waitForTimeout(1500);
      expect(authorized).toEqual([]);
      await page.getByRole('button', { name: 'Verify token' }).click();
      await expectText(page.locator('main').getByRole('status'), 'Connected as');
      expect(authorized.length).toBeGreaterThan(0);
      await context.close();
    });
  });
});
