/**
 * End-to-end test bed: the built app on loopback, the Missive sandbox, and Debian Chromium driven
 * by playwright-core. Nothing here downloads a browser.
 */
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { serveBuiltApp, type AppServer } from '../../testbed/app-server.ts';
import {
  startMissiveSandbox,
  type MissiveSandbox,
  type SandboxOptions,
} from '../../testbed/missive-sandbox/server.ts';
import {
  startGmailSandbox,
  type GmailSandbox,
  type GmailSandboxOptions,
} from '../../testbed/gmail-sandbox/server.ts';
import {
  startJmapSandbox,
  type JmapSandbox,
  type JmapSandboxOptions,
} from '../../testbed/jmap-sandbox/server.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface TestBed {
  app: AppServer;
  sandbox: MissiveSandbox;
  browser: Browser;
  /** Started only when asked for (relay mode's targets). */
  gmail: GmailSandbox | null;
  jmap: JmapSandbox | null;
  /**
   * A fresh browser profile (own IndexedDB) with the app opened against the sandbox. `query` adds URL
   * parameters (e.g. `gmail-api`, `gis-client`).
   */
  open(options?: {
    apiBase?: string | null;
    query?: Record<string, string>;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Mail sandboxes for relay mode, besides the Missive one. */
export interface MailSandboxes {
  gmail?: GmailSandboxOptions | true;
  jmap?: JmapSandboxOptions | true;
}

export async function startTestBed(
  sandboxOptions: SandboxOptions = {},
  mail: MailSandboxes = {},
): Promise<TestBed> {
  const [app, sandbox, browser, gmail, jmap] = await Promise.all([
    serveBuiltApp(),
    startMissiveSandbox(sandboxOptions),
    launchChromium(),
    mail.gmail ? startGmailSandbox(mail.gmail === true ? {} : mail.gmail) : null,
    mail.jmap ? startJmapSandbox(mail.jmap === true ? {} : mail.jmap) : null,
  ]);
  const contexts: BrowserContext[] = [];
  return {
    app,
    sandbox,
    browser,
    gmail,
    jmap,
    async open(options = {}) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      const apiBase = options.apiBase === undefined ? sandbox.url : options.apiBase;
      const params = new URLSearchParams(options.query ?? {});
      if (apiBase) params.set('missive-api', apiBase);
      const query = params.toString();
      await page.goto(query ? `${app.url}?${query}` : app.url);
      return { context, page };
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await Promise.all([app.close(), sandbox.close(), gmail?.close(), jmap?.close()]);
    },
  };
}

/** Waits until the locator's text contains `text` (retrying, like a person watching the page). */
export async function expectText(locator: Locator, text: string, timeout = 15_000): Promise<void> {
  await expect
    .poll(async () => ((await locator.count()) ? await locator.first().innerText() : ''), { timeout })
    .toContain(text);
}

export async function expectVisible(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/**
 * Collects every Content-Security-Policy violation of a browser context: the pages'
 * `securitypolicyviolation` events and Chromium's console reports (which cover workers too).
 */
export async function watchContentSecurityPolicy(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_source, text: string) => {
    violations.push(text);
  });
  await context.addInitScript(() => {
    const report = (globalThis as unknown as { __reportCspViolation: (text: string) => void })
      .__reportCspViolation;
    document.addEventListener('securitypolicyviolation', (event) => {
      report(
        `${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  const watchPage = (page: Page) => {
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
    });
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  return violations;
}
