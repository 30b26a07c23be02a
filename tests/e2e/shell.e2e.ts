import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, expectVisible, startTestBed, type TestBed } from './harness.ts';
import { startForwarder } from '../../tools/missive-forwarder.ts';

describe('app shell', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('shows the steps of the job and navigates between them', async () => {
    const { page } = await bed.open();
    const nav = page.getByRole('navigation', { name: 'Import steps' });
    for (const label of ['Load export', 'Connect Missive', 'Plan', 'Import', 'Report']) {
      await expectVisible(nav.getByRole('button', { name: label }));
    }
    await nav.getByRole('button', { name: 'Connect Missive' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Connect Missive' }));
    await nav.getByRole('button', { name: 'Report' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Report', exact: true }));
  });

  it('says loudly when requests go to a non-default Missive API base', async () => {
    const { page } = await bed.open();
    await expectText(page.getByRole('alert', { name: 'Non-default Missive API base URL' }), bed.sandbox.url);
  });

  it('ignores a non-loopback API base from a link, and shows no banner for the default base', async () => {
    const { page } = await bed.open({ apiBase: 'https://evil.example.com/v1' });
    expect(await page.getByRole('alert', { name: 'Non-default Missive API base URL' }).count()).toBe(0);
    await expectVisible(page.getByText('Ignored the link'));
    await page.getByText('Advanced settings', { exact: true }).click();
    expect(await page.getByLabel('Missive API base URL').inputValue()).toBe(
      'https://public.missiveapp.com/v1',
    );
  });

  it('accepts the sandbox token and says who is connected', async () => {
    const { page } = await bed.open();
    await page.getByRole('button', { name: 'Connect Missive' }).click();
    await page.getByLabel('Missive API token').fill(bed.sandbox.token);
    await page.getByRole('button', { name: 'Verify token' }).click();
    await expectText(page.locator('main').getByRole('status'), 'Connected as');
  });

  it('gives a clear message for a wrong token', async () => {
    const { page } = await bed.open();
    await page.getByRole('button', { name: 'Connect Missive' }).click();
    await page.getByLabel('Missive API token').fill('missive_pat-wrong');
    await page.getByRole('button', { name: 'Verify token' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'Missive rejected this token (401)');
  });

  it('tells a network failure apart from a wrong token', async () => {
    const { page } = await bed.open({ apiBase: 'http://127.0.0.1:9/v1' });
    await page.getByRole('button', { name: 'Connect Missive' }).click();
    await page.getByLabel('Missive API token').fill('missive_pat-anything');
    await page.getByRole('button', { name: 'Verify token' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'Could not reach http://127.0.0.1:9/v1');
  });
});

describe('Missive that refuses browser requests (CORS)', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed({ cors: false });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('says CORS plainly and offers the local forwarder', async () => {
    const { page } = await bed.open();
    await page.getByRole('button', { name: 'Connect Missive' }).click();
    await page.getByLabel('Missive API token').fill(bed.sandbox.token);
    await page.getByRole('button', { name: 'Verify token' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'blocked the answer');
    await expectVisible(page.getByRole('button', { name: 'Use the local forwarder' }));
  });

  it('works through the local forwarding helper', async () => {
    const forwarder = await startForwarder({
      appOrigin: new URL(bed.app.url).origin,
      port: 0,
      upstreamOrigin: bed.sandbox.origin,
    });
    try {
      const { page } = await bed.open({ apiBase: forwarder.url });
      await page.getByRole('button', { name: 'Connect Missive' }).click();
      await page.getByLabel('Missive API token').fill(bed.sandbox.token);
      await page.getByRole('button', { name: 'Verify token' }).click();
      await expectText(page.locator('main').getByRole('status'), 'Connected as');
    } finally {
      await forwarder.close();
    }
  });
});
